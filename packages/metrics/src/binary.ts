// Binary screening metrics at a threshold: confusion matrix, accuracy, sensitivity, specificity, PPV,
// NPV, F1 (the thesis's Tables 4.3–4.19), with Wilson intervals; and the choice of threshold on a tuning
// set (fixed, Youden's J, target sensitivity) applied unchanged to a test set.
import { MetricsError } from './errors.js';
import { binaryInputs, rocCurve } from './roc.js';
import { checkLengths, checkLevel, toBinaryLabels, type BinaryLabels, type NumericArray } from './validate.js';
import { wilsonBounds } from './intervals.js';
import { warnMetrics } from './warn.js';

/** Counts of a 2×2 confusion matrix (positive class = 1). */
export interface ConfusionMatrix {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

/**
 * Confusion matrix of 0/1 predictions against 0/1 truth. Same counts as
 * `sklearn.metrics.confusion_matrix(y_true, y_pred).ravel()` → (tn, fp, fn, tp).
 */
export function confusionMatrix(yTrue: BinaryLabels, yPred: BinaryLabels): ConfusionMatrix {
  const y = toBinaryLabels(yTrue, 'yTrue');
  const p = toBinaryLabels(yPred, 'yPred');
  checkLengths({ yTrue: y, yPred: p });
  const cm = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (let i = 0; i < y.length; i++) {
    if (y[i] === 1) p[i] === 1 ? cm.tp++ : cm.fn++;
    else p[i] === 1 ? cm.fp++ : cm.tn++;
  }
  return cm;
}

/** A proportion with its Wilson interval. */
export interface Proportion {
  /** The proportion in [0, 1]; NaN when its denominator is 0 (a warning is emitted). */
  value: number;
  /** Wilson interval at `level` ([NaN, NaN] when undefined). */
  ci: [number, number];
  /** Numerator and denominator, e.g. TP and TP + FN for sensitivity. */
  k: number;
  n: number;
}

/** Screening metrics at one threshold. All rates are proportions in [0, 1] (the thesis prints them ×100). */
export interface BinaryMetrics extends ConfusionMatrix {
  /** The threshold used: a case is called positive when score ≥ threshold (undefined for counts input). */
  threshold?: number;
  /** Number of cases. */
  n: number;
  /** Confidence level of the Wilson intervals. */
  level: number;
  accuracy: Proportion;
  /** Sensitivity = recall = TP / (TP + FN). */
  sensitivity: Proportion;
  /** Specificity = TN / (TN + FP). */
  specificity: Proportion;
  /** Positive predictive value = precision = TP / (TP + FP). */
  ppv: Proportion;
  /** Negative predictive value = TN / (TN + FN). */
  npv: Proportion;
  /** F1 = 2TP / (2TP + FP + FN), the harmonic mean of PPV and sensitivity (no interval). */
  f1: number;
  /** Youden's J = sensitivity + specificity − 1. */
  youdenJ: number;
}

export interface BinaryMetricsOptions {
  /** Score threshold; a case is positive when score ≥ threshold (as roc_curve's thresholds). Default 0.5. */
  threshold?: number;
  /** Confidence level of the Wilson intervals. Default 0.95. */
  level?: number;
}

function proportion(k: number, n: number, level: number, name: string): Proportion {
  if (n === 0) {
    warnMetrics(
      `METRICS_UNDEFINED_${name.toUpperCase()}`,
      `${name} has a zero denominator (no cases in it); returning NaN`,
    );
    return { value: NaN, ci: [NaN, NaN], k, n };
  }
  return { value: k / n, ci: wilsonBounds(k, n, level), k, n };
}

/**
 * Accuracy, sensitivity, specificity, PPV, NPV (each with a Wilson interval), F1 and Youden's J from the
 * four counts. A ratio with a zero denominator (e.g. PPV when nothing is called positive) is NaN with a
 * warning — scikit-learn's `zero_division="warn"` returns 0 there instead, which reads as a real zero.
 */
export function metricsFromCounts(cm: ConfusionMatrix, level = 0.95): BinaryMetrics {
  checkLevel(level);
  for (const k of ['tp', 'fp', 'tn', 'fn'] as const) {
    if (!Number.isInteger(cm[k]) || cm[k] < 0) {
      throw new MetricsError('METRICS_BAD_COUNTS', `${k} must be a non-negative integer count`, {
        received: cm,
        fix: 'pass { tp, fp, tn, fn } as counts of cases',
      });
    }
  }
  const { tp, fp, tn, fn } = cm;
  const n = tp + fp + tn + fn;
  if (n === 0)
    throw new MetricsError('METRICS_EMPTY', 'the confusion matrix holds no cases', {
      received: cm,
      fix: 'pass at least one case',
    });
  const sensitivity = proportion(tp, tp + fn, level, 'sensitivity');
  const specificity = proportion(tn, tn + fp, level, 'specificity');
  const f1Den = 2 * tp + fp + fn;
  if (f1Den === 0)
    warnMetrics('METRICS_UNDEFINED_F1', 'F1 has a zero denominator (no positives, none predicted); returning NaN');
  return {
    tp,
    fp,
    tn,
    fn,
    n,
    level,
    accuracy: proportion(tp + tn, n, level, 'accuracy'),
    sensitivity,
    specificity,
    ppv: proportion(tp, tp + fp, level, 'ppv'),
    npv: proportion(tn, tn + fn, level, 'npv'),
    f1: f1Den === 0 ? NaN : (2 * tp) / f1Den,
    youdenJ: sensitivity.value + specificity.value - 1,
  };
}

/**
 * Screening metrics of scores at a threshold (score ≥ threshold → positive).
 *
 * @param yTrue 0/1 labels (1 = condition present, e.g. osteoporosis).
 * @param yScore scores (e.g. predicted probabilities), higher = more likely positive.
 */
export function binaryMetrics(
  yTrue: BinaryLabels,
  yScore: NumericArray,
  options: BinaryMetricsOptions = {},
): BinaryMetrics {
  const threshold = options.threshold ?? 0.5;
  if (typeof threshold !== 'number' || Number.isNaN(threshold)) {
    throw new MetricsError('METRICS_BAD_THRESHOLD', 'threshold must be a number', {
      received: threshold,
      fix: 'pass e.g. { threshold: 0.5 }, or choose one with chooseThreshold()',
    });
  }
  const { y, s } = binaryInputs(yTrue, yScore, false);
  const cm = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (let i = 0; i < y.length; i++) {
    const pos = s[i]! >= threshold;
    if (y[i] === 1) pos ? cm.tp++ : cm.fn++;
    else pos ? cm.fp++ : cm.tn++;
  }
  return { ...metricsFromCounts(cm, options.level ?? 0.95), threshold };
}

/** How to pick the operating threshold on the tuning set. */
export type ThresholdRule =
  | { method: 'fixed'; threshold: number }
  | { method: 'youden' }
  | { method: 'sensitivity'; target: number }
  | { method: 'specificity'; target: number };

/** The chosen threshold and the tuning-set operating point it gives. */
export interface ChosenThreshold {
  threshold: number;
  rule: ThresholdRule;
  sensitivity: number;
  specificity: number;
}

const METHODS = ['fixed', 'youden', 'sensitivity', 'specificity'];

/**
 * Chooses a threshold on a tuning set:
 * - `fixed`: the given value (e.g. 0.5);
 * - `youden`: maximises Youden's J = sensitivity + specificity − 1 over the ROC thresholds (the observed
 *   scores); ties go to the highest threshold (the more specific operating point);
 * - `sensitivity`: the highest threshold whose sensitivity ≥ target (the most specific point reaching it);
 * - `specificity`: the lowest threshold whose specificity ≥ target.
 * Thresholds are observed scores (as scikit-learn's roc_curve), and score ≥ threshold is positive.
 */
export function chooseThreshold(yTrue: BinaryLabels, yScore: NumericArray, rule: ThresholdRule): ChosenThreshold {
  if (!rule || !METHODS.includes((rule as { method: string }).method)) {
    throw new MetricsError('METRICS_BAD_RULE', `unknown threshold rule; use one of ${METHODS.join(', ')}`, {
      received: rule,
      fix: "pass e.g. { method: 'youden' } or { method: 'sensitivity', target: 0.9 }",
    });
  }
  if (rule.method === 'fixed') {
    const m = binaryMetrics(yTrue, yScore, { threshold: rule.threshold });
    return { threshold: rule.threshold, rule, sensitivity: m.sensitivity.value, specificity: m.specificity.value };
  }
  if ((rule.method === 'sensitivity' || rule.method === 'specificity') && !(rule.target > 0 && rule.target <= 1)) {
    throw new MetricsError('METRICS_BAD_RULE', `the target ${rule.method} must be in (0, 1]`, {
      received: rule.target,
      fix: 'pass e.g. 0.9 for 90 %',
    });
  }
  const { fpr, tpr, thresholds } = rocCurve(yTrue, yScore);
  let best = -1;
  for (let i = 1; i < thresholds.length; i++) {
    if (rule.method === 'youden') {
      if (best < 0 || tpr[i]! - fpr[i]! > tpr[best]! - fpr[best]!) best = i;
    } else if (rule.method === 'sensitivity') {
      if (tpr[i]! >= rule.target - 1e-12) {
        best = i;
        break;
      }
    } else if (1 - fpr[i]! >= rule.target - 1e-12) best = i;
  }
  if (best < 0) {
    throw new MetricsError('METRICS_TARGET_UNREACHABLE', `no threshold reaches the target ${rule.method}`, {
      received: rule,
      fix: 'lower the target',
    });
  }
  return { threshold: thresholds[best]!, rule, sensitivity: tpr[best]!, specificity: 1 - fpr[best]! };
}

/** Scores and labels of one evaluation set. */
export interface ScoredSet {
  yTrue: BinaryLabels;
  yScore: NumericArray;
}

/** A threshold chosen on the tuning set and the metrics it gives there and on the test set. */
export interface TunedEvaluation {
  threshold: ChosenThreshold;
  tuning: BinaryMetrics;
  test: BinaryMetrics;
}

/**
 * The thesis's protocol: choose the threshold on the tuning set with `rule`, then apply it unchanged to
 * the test set (internal or external validation). Never tune on the test set.
 */
export function evaluateWithTunedThreshold(
  tuning: ScoredSet,
  test: ScoredSet,
  rule: ThresholdRule,
  level = 0.95,
): TunedEvaluation {
  const chosen = chooseThreshold(tuning.yTrue, tuning.yScore, rule);
  return {
    threshold: chosen,
    tuning: binaryMetrics(tuning.yTrue, tuning.yScore, { threshold: chosen.threshold, level }),
    test: binaryMetrics(test.yTrue, test.yScore, { threshold: chosen.threshold, level }),
  };
}
