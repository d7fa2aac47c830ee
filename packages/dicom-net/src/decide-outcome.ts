// The outcome a received (or uploaded) image gets: the service's screening result — which says itself whether
// the image was screened (serve's intended-use gate: `screened`, `reasons`) — or, when the screen fails, "not
// screened" with the error as the reason (an SR is still owed to the study).
import type { ModelCard } from '@cxrkit/models/card';
import { reasonFromError } from './reason-from-error.js';
import { notScreened, type ScreeningOutcome } from './screening-outcome.js';

/**
 * Screens with `screen` and returns its result; never throws: a failing screen becomes "not screened" with
 * the error's reason (see reasonFromError).
 */
export async function decideOutcome(
  screen: () => Promise<ScreeningOutcome>,
  card: ModelCard,
): Promise<ScreeningOutcome> {
  try {
    return await screen();
  } catch (e) {
    const condition = card.task.kind === 'binary' ? card.task.condition : card.name;
    return notScreened([reasonFromError(e)], { condition, cardId: card.id!, disclaimer: card.disclaimer });
  }
}
