/**
 * Labels derived from DXA T-scores (WHO classification), as used by the thesis (Part 2): the class
 * follows the LOWEST available T-score of lumbar spine, femoral neck and total hip.
 */
import { CxrkitError } from '../errors.js';

/** WHO bone-density category. */
export type WhoCategory = 'normal' | 'osteopenia' | 'osteoporosis';

/** The three DXA sites the thesis used; any subset may be present. */
export interface TScores {
  /** Lumbar spine (L1–L4) T-score. */
  lumbarSpine?: number | null;
  /** Femoral neck T-score. */
  femoralNeck?: number | null;
  /** Total hip T-score. */
  totalHip?: number | null;
}

/** T-score at or below which the WHO class is osteoporosis. */
export const WHO_OSTEOPOROSIS_MAX = -2.5;
/** T-score below which (and above {@link WHO_OSTEOPOROSIS_MAX}) the WHO class is osteopenia. */
export const WHO_OSTEOPENIA_BELOW = -1.0;

/**
 * The lowest finite T-score among those given (a number, an array, or a {@link TScores} record);
 * `undefined` when none is available.
 */
export function lowestTScore(tScores: number | readonly (number | null | undefined)[] | TScores): number | undefined {
  const values: unknown[] =
    typeof tScores === 'number'
      ? [tScores]
      : Array.isArray(tScores)
        ? tScores
        : tScores && typeof tScores === 'object'
          ? [(tScores as TScores).lumbarSpine, (tScores as TScores).femoralNeck, (tScores as TScores).totalHip]
          : [];
  let low: number | undefined;
  for (const v of values) if (typeof v === 'number' && Number.isFinite(v) && (low === undefined || v < low)) low = v;
  return low;
}

/**
 * WHO category from the lowest available T-score: ≤ −2.5 osteoporosis, < −1.0 osteopenia, otherwise
 * normal (so −2.5 is osteoporosis and −1.0 is normal).
 * @throws CxrkitError `LABEL_NO_TSCORE` when no finite T-score is given.
 */
export function whoCategory(tScores: number | readonly (number | null | undefined)[] | TScores): WhoCategory {
  const t = lowestTScore(tScores);
  if (t === undefined) {
    throw new CxrkitError('LABEL_NO_TSCORE', 'no finite T-score to classify', {
      received: tScores,
      fix: 'give at least one of lumbarSpine, femoralNeck, totalHip as a number (or filter such rows out first)',
    });
  }
  if (t <= WHO_OSTEOPOROSIS_MAX) return 'osteoporosis';
  if (t < WHO_OSTEOPENIA_BELOW) return 'osteopenia';
  return 'normal';
}

/** The thesis's binary screening label: 1 for osteoporosis, 0 for normal or osteopenia. */
export function osteoporosisLabel(category: WhoCategory): 0 | 1 {
  return category === 'osteoporosis' ? 1 : 0;
}

/**
 * The thesis's subgroup task (Experiment 1, normal vs osteoporosis only): 1 osteoporosis, 0 normal,
 * `undefined` for osteopenia (the record is left out of that task).
 */
export function subgroupLabel(category: WhoCategory): 0 | 1 | undefined {
  return category === 'osteoporosis' ? 1 : category === 'normal' ? 0 : undefined;
}
