// Regression metrics for age prediction (years in, years out), as in the thesis's Table 3.1:
// R², MAE, RMSE and the share of predictions within ±k years.
import { MetricsError } from './errors.js';
import { checkLengths, toFiniteNumbers, type NumericArray } from './validate.js';
import { warnMetrics } from './warn.js';

function pair(yTrue: NumericArray, yPred: NumericArray): [Float64Array, Float64Array] {
  const t = toFiniteNumbers(yTrue, 'yTrue');
  const p = toFiniteNumbers(yPred, 'yPred');
  checkLengths({ yTrue: t, yPred: p });
  return [t, p];
}

export interface R2Options {
  /**
   * What to return when yTrue is constant (R² divides by zero). Default `false`: NaN with a warning.
   * `true` follows scikit-learn's default `force_finite=True`: 1 for a perfect prediction, else 0.
   */
  forceFinite?: boolean;
}

/**
 * Coefficient of determination R² = 1 − Σ(y − ŷ)² / Σ(y − ȳ)², as `sklearn.metrics.r2_score`
 * (tested to 1e-12). Unitless; the thesis reports it ×100. Can be negative (worse than predicting the mean).
 *
 * Fewer than two cases or a constant yTrue: NaN with a warning (scikit-learn also returns NaN for
 * n < 2; for a constant yTrue it returns 1 or 0 unless `force_finite=False` — see `forceFinite`).
 */
export function r2Score(yTrue: NumericArray, yPred: NumericArray, options: R2Options = {}): number {
  const [t, p] = pair(yTrue, yPred);
  const n = t.length;
  if (n < 2) {
    warnMetrics('METRICS_R2_UNDEFINED', `R² is not well-defined with fewer than two cases (got ${n}); returning NaN`);
    return NaN;
  }
  let mean = 0;
  for (let i = 0; i < n; i++) mean += t[i]!;
  mean /= n;
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < n; i++) {
    ssRes += (t[i]! - p[i]!) ** 2;
    ssTot += (t[i]! - mean) ** 2;
  }
  if (ssTot === 0) {
    if (options.forceFinite) return ssRes === 0 ? 1 : 0;
    warnMetrics('METRICS_R2_UNDEFINED', 'yTrue is constant, so R² divides by zero; returning NaN');
    return NaN;
  }
  return 1 - ssRes / ssTot;
}

/** Mean absolute error, in the unit of the inputs (years for age). As `sklearn.metrics.mean_absolute_error`. */
export function meanAbsoluteError(yTrue: NumericArray, yPred: NumericArray): number {
  const [t, p] = pair(yTrue, yPred);
  let s = 0;
  for (let i = 0; i < t.length; i++) s += Math.abs(t[i]! - p[i]!);
  return s / t.length;
}

/** Root mean squared error, in the unit of the inputs. As `sqrt(sklearn.metrics.mean_squared_error)`. */
export function rootMeanSquaredError(yTrue: NumericArray, yPred: NumericArray): number {
  const [t, p] = pair(yTrue, yPred);
  let s = 0;
  for (let i = 0; i < t.length; i++) s += (t[i]! - p[i]!) ** 2;
  return Math.sqrt(s / t.length);
}

/**
 * Share (0–1) of predictions within ±k of the truth, boundary included: |ŷ − y| ≤ k. The thesis reports
 * k = 4 and k = 9 years as percentages (multiply by 100).
 */
export function withinYears(yTrue: NumericArray, yPred: NumericArray, k: number): number {
  const [t, p] = pair(yTrue, yPred);
  if (typeof k !== 'number' || !(k >= 0) || !Number.isFinite(k)) {
    throw new MetricsError('METRICS_BAD_TOLERANCE', 'k (the tolerance in years) must be a finite number ≥ 0', {
      received: k,
      fix: 'pass e.g. 4 or 9 (years)',
    });
  }
  let c = 0;
  // A tiny slack so that e.g. |52.1 − 48.1| = 4.000000000000007 still counts as within 4 years.
  const eps = 1e-9 * Math.max(1, k);
  for (let i = 0; i < t.length; i++) if (Math.abs(p[i]! - t[i]!) <= k + eps) c++;
  return c / t.length;
}

/** All regression metrics at once. `within` maps k (years) to the share within ±k. */
export interface RegressionMetrics {
  n: number;
  r2: number;
  mae: number;
  rmse: number;
  within: Record<number, number>;
}

/** R², MAE, RMSE and the share within ±k years for each k in `ks` (default the thesis's [4, 9]). */
export function regressionMetrics(
  yTrue: NumericArray,
  yPred: NumericArray,
  ks: readonly number[] = [4, 9],
): RegressionMetrics {
  const within: Record<number, number> = {};
  for (const k of ks) within[k] = withinYears(yTrue, yPred, k);
  return {
    n: yTrue.length,
    r2: r2Score(yTrue, yPred),
    mae: meanAbsoluteError(yTrue, yPred),
    rmse: rootMeanSquaredError(yTrue, yPred),
    within,
  };
}
