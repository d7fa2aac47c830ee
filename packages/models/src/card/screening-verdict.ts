// A score read against the card: positive or not, and what to tell the clinician. One place for the
// service (@cxrkit/serve), the archive pipeline (@cxrkit/archive) and the CLI alike.
import { cardFail } from './errors.js';
import type { ModelCard } from './refine-card.js';

/** What a binary screening score means under a card. */
export interface ScreeningVerdict {
  /** What a positive screen means (`task.condition`), e.g. 'osteoporosis'. */
  condition: string;
  /** The card's threshold. */
  threshold: number;
  /** score ≥ threshold. */
  positive: boolean;
  /** A plain-language recommendation (refer for DXA or not). */
  recommendation: string;
}

/**
 * Reads `score` (in [0, 1]) against a binary card's threshold.
 * @throws CxrkitError `SCREEN_NOT_BINARY` when the card is not a binary screen with a threshold.
 */
export function screeningVerdict(card: ModelCard, score: number): ScreeningVerdict {
  if (card.task.kind !== 'binary' || !card.threshold) {
    cardFail(
      'SCREEN_NOT_BINARY',
      `the card describes a ${card.task.kind} model; screening needs a binary one with a threshold`,
      card.task.kind,
      "screen with a binary screening model (task: { kind: 'binary', … }, threshold: { … })",
    );
  }
  const condition = card.task.kind === 'binary' ? card.task.condition : card.name;
  const threshold = card.threshold!.value;
  const positive = score >= threshold;
  return {
    condition,
    threshold,
    positive,
    recommendation: positive
      ? `High risk of ${condition} on screening: refer for a DXA scan.`
      : `Low risk of ${condition} on screening: no DXA referral indicated by this screen.`,
  };
}
