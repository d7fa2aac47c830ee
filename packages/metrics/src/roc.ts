// ROC analysis: exact AUC (Mann–Whitney U with ties counted half) and the ROC curve as scikit-learn
// computes it. Scores: higher = more likely positive. Labels: 0/1 (1 = positive, e.g. osteoporosis).
import { MetricsError } from './errors.js';
import { midranks } from './rank.js';
import { checkLengths, toBinaryLabels, toFiniteNumbers, type BinaryLabels, type NumericArray } from './validate.js';

/** Validated binary inputs: labels, scores, and the class counts. */
export interface BinaryInputs {
  y: Uint8Array;
  s: Float64Array;
  nPos: number;
  nNeg: number;
}

/** Validates (yTrue, yScore) for ROC metrics: same length, not empty, finite, 0/1 labels. */
export function binaryInputs(
  yTrue: BinaryLabels,
  yScore: NumericArray,
  requireBothClasses: string | false,
): BinaryInputs {
  const y = toBinaryLabels(yTrue, 'yTrue');
  const s = toFiniteNumbers(yScore, 'yScore');
  checkLengths({ yTrue: y, yScore: s });
  let nPos = 0;
  for (let i = 0; i < y.length; i++) nPos += y[i]!;
  const nNeg = y.length - nPos;
  if (requireBothClasses && (nPos === 0 || nNeg === 0)) {
    throw new MetricsError(
      'METRICS_ONE_CLASS',
      `yTrue holds only ${nPos === 0 ? 'negatives (0)' : 'positives (1)'}, so ${requireBothClasses} is undefined`,
      {
        received: { positives: nPos, negatives: nNeg },
        fix: 'evaluate on a set with both classes (for a subgroup with one class, report it as not estimable)',
      },
    );
  }
  return { y, s, nPos, nNeg };
}

/**
 * Area under the ROC curve, exact: the Mann–Whitney U statistic divided by n₊·n₋, i.e. the probability
 * that a random positive scores higher than a random negative, ties counting one half. Equals
 * `sklearn.metrics.roc_auc_score` (tested to 1e-12).
 *
 * @param yTrue 0/1 labels (or booleans), one per case.
 * @param yScore scores, one per case, higher = more likely positive (probabilities or any monotone score).
 * @returns AUC in [0, 1].
 * @throws METRICS_ONE_CLASS when yTrue holds a single class; METRICS_EMPTY, METRICS_LENGTH_MISMATCH,
 *   METRICS_NAN, METRICS_NOT_BINARY on bad input.
 */
export function rocAuc(yTrue: BinaryLabels, yScore: NumericArray): number {
  const { y, s, nPos, nNeg } = binaryInputs(yTrue, yScore, 'ROC AUC');
  const { ranks } = midranks(s);
  let rankSum = 0;
  for (let i = 0; i < y.length; i++) if (y[i] === 1) rankSum += ranks[i]!;
  return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/** A ROC curve: points ordered by decreasing threshold, starting at (0, 0) with threshold +Infinity. */
export interface RocCurve {
  /** False-positive rate (1 − specificity) at each threshold. */
  fpr: number[];
  /** True-positive rate (sensitivity) at each threshold. */
  tpr: number[];
  /** Score thresholds, decreasing; a case is called positive when score ≥ threshold. First is +Infinity. */
  thresholds: number[];
}

export interface RocCurveOptions {
  /**
   * Drop points that lie on a straight segment between their neighbours (do not change the curve's
   * shape or area). Default **false**, so every distinct score is a threshold — note that
   * scikit-learn's `roc_curve` defaults to `drop_intermediate=True`; pass `true` to match that default.
   */
  dropIntermediate?: boolean;
}

/**
 * The ROC curve, computed exactly like `sklearn.metrics.roc_curve(y_true, y_score, drop_intermediate=…)`
 * (scikit-learn ≥ 1.3: first threshold is +Infinity). One point per distinct score, plus (0, 0).
 *
 * @throws METRICS_ONE_CLASS when yTrue holds one class (the curve would divide by zero; scikit-learn
 *   returns NaN with a warning there), plus the usual input errors.
 */
export function rocCurve(yTrue: BinaryLabels, yScore: NumericArray, options: RocCurveOptions = {}): RocCurve {
  const { y, s, nPos, nNeg } = binaryInputs(yTrue, yScore, 'the ROC curve');
  const n = y.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => s[b]! - s[a]!);
  // Cumulative TP/FP at the last index of each distinct score (descending).
  const tps: number[] = [];
  const fps: number[] = [];
  const thr: number[] = [];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    if (y[i] === 1) tp++;
    else fp++;
    if (k === n - 1 || s[order[k + 1]!] !== s[i]) {
      tps.push(tp);
      fps.push(fp);
      thr.push(s[i]!);
    }
  }
  let keep = tps.map((_, i) => i);
  if (options.dropIntermediate && tps.length > 2) {
    // Same rule as scikit-learn: keep the ends and every point where the second difference is non-zero.
    keep = keep.filter((i) => {
      if (i === 0 || i === tps.length - 1) return true;
      return fps[i - 1]! - 2 * fps[i]! + fps[i + 1]! !== 0 || tps[i - 1]! - 2 * tps[i]! + tps[i + 1]! !== 0;
    });
  }
  const fpr = [0];
  const tpr = [0];
  const thresholds = [Infinity];
  for (const i of keep) {
    fpr.push(fps[i]! / nNeg);
    tpr.push(tps[i]! / nPos);
    thresholds.push(thr[i]!);
  }
  return { fpr, tpr, thresholds };
}
