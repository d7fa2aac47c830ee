// The outcome a received (or uploaded) image gets: the service's screening result when it says whether it
// screened; otherwise the interim intended-use check first (a CT is "Modality CT", not "sex unknown"), then
// the screen's result, or its error as the reason for not screening.
import type { ModelCard } from '@cxrkit/models/card';
import { interimGateReasons } from './interim-gate.js';
import { reasonFromError } from './reason-from-error.js';
import { notScreened, type ScreeningOutcome } from './screening-outcome.js';
import type { SourceHeader } from './source-header.js';

/**
 * Screens `bytes` with `screen` and decides the outcome as described above. Never throws: a failing screen
 * becomes "not screened" with the error's reason.
 */
export async function decideOutcome(
  screen: () => Promise<ScreeningOutcome>,
  header: SourceHeader,
  card: ModelCard,
): Promise<ScreeningOutcome> {
  const condition = card.task.kind === 'binary' ? card.task.condition : card.name;
  const context = { condition, cardId: card.id!, disclaimer: card.disclaimer };
  let outcome: ScreeningOutcome | undefined;
  let error: unknown;
  try {
    outcome = await screen();
  } catch (e) {
    error = e;
  }
  if (outcome && outcome.screened !== undefined) return outcome;
  const reasons = interimGateReasons(header, card);
  if (reasons.length) return notScreened(reasons, { ...context, engine: outcome?.engine });
  return outcome ?? notScreened([reasonFromError(error)], context);
}
