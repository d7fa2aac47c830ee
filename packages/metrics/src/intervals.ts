// Confidence intervals: Wilson score intervals for proportions (sensitivity, specificity, PPV, NPV,
// accuracy) and DeLong's nonparametric variance of the AUC, for an AUC interval and for the test of
// two correlated AUCs (same cases, two models).
//
// DeLong ER, DeLong DM, Clarke-Pearson DL (1988). Comparing the areas under two or more correlated
//   receiver operating characteristic curves: a nonparametric approach. Biometrics 44:837–845.
// Sun X, Xu W (2014). Fast implementation of DeLong's algorithm for comparing the areas under correlated
//   receiver operating characteristic curves. IEEE Signal Processing Letters 21(11):1389–1393.
import { MetricsError } from './errors.js';
import { midranks } from './rank.js';
import { binaryInputs } from './roc.js';
import { checkLengths, checkLevel, toFiniteNumbers, type BinaryLabels, type NumericArray } from './validate.js';
import { normalTwoSidedP, zForLevel } from './distributions.js';
import { warnMetrics } from './warn.js';

/** Wilson bounds without argument checks (n > 0). */
export function wilsonBounds(k: number, n: number, level: number): [number, number] {
  const z = zForLevel(level);
  const p = k / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const center = (p + z2 / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // Clamp the floating-point dust at k = 0 or k = n so the bounds stay within [0, 1].
  return [Math.max(0, center - half), Math.min(1, center + half)];
}

/**
 * Wilson score interval for a proportion k/n (e.g. sensitivity = TP / (TP + FN)), as
 * `scipy.stats.binomtest(k, n).proportion_ci(level, method='wilson')`. Stays inside [0, 1] and behaves
 * at k = 0 and k = n, unlike the Wald interval.
 *
 * @param k successes (integer, 0 ≤ k ≤ n).
 * @param n trials (integer ≥ 1).
 * @param level confidence level, default 0.95.
 * @returns [lower, upper] as proportions.
 */
export function wilsonInterval(k: number, n: number, level = 0.95): [number, number] {
  checkLevel(level);
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(k) || k < 0 || k > n) {
    throw new MetricsError('METRICS_BAD_COUNTS', 'wilsonInterval needs integers 0 ≤ k ≤ n with n ≥ 1', {
      received: { k, n },
      fix: 'pass counts, e.g. wilsonInterval(tp, tp + fn) for sensitivity',
    });
  }
  return wilsonBounds(k, n, level);
}

/** DeLong structural components for K score vectors over the same cases. */
interface DelongParts {
  aucs: number[];
  /** K×K covariance matrix of the AUC estimates. */
  cov: number[][];
  nPos: number;
  nNeg: number;
}

// Sun & Xu's midrank algorithm: V10 (positives' placements) and V01 (negatives'), from three rankings.
function delongParts(y: Uint8Array, scores: Float64Array[]): DelongParts {
  const pos: number[] = [];
  const neg: number[] = [];
  for (let i = 0; i < y.length; i++) (y[i] === 1 ? pos : neg).push(i);
  const m = pos.length;
  const n = neg.length;
  const v10: Float64Array[] = [];
  const v01: Float64Array[] = [];
  const aucs: number[] = [];
  for (const s of scores) {
    const x = Float64Array.from(pos, (i) => s[i]!);
    const yv = Float64Array.from(neg, (i) => s[i]!);
    const tx = midranks(x).ranks;
    const ty = midranks(yv).ranks;
    const z = new Float64Array(m + n);
    z.set(x, 0);
    z.set(yv, m);
    const tz = midranks(z).ranks;
    const a = new Float64Array(m);
    const b = new Float64Array(n);
    let sum = 0;
    for (let i = 0; i < m; i++) {
      a[i] = (tz[i]! - tx[i]!) / n;
      sum += a[i]!;
    }
    for (let j = 0; j < n; j++) b[j] = 1 - (tz[m + j]! - ty[j]!) / m;
    aucs.push(sum / m);
    v10.push(a);
    v01.push(b);
  }
  const k = scores.length;
  const cov: number[][] = [];
  for (let r = 0; r < k; r++) {
    cov.push([]);
    for (let c = 0; c < k; c++) cov[r]![c] = covariance(v10[r]!, v10[c]!) / m + covariance(v01[r]!, v01[c]!) / n;
  }
  return { aucs, cov, nPos: m, nNeg: n };
}

/** Sample covariance with n − 1 in the denominator (NaN for n < 2). */
function covariance(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  if (n < 2) return NaN;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= n;
  mb /= n;
  let s = 0;
  for (let i = 0; i < n; i++) s += (a[i]! - ma) * (b[i]! - mb);
  return s / (n - 1);
}

/** An AUC with its DeLong standard error and interval. */
export interface AucInterval {
  auc: number;
  /** DeLong standard error of the AUC. */
  se: number;
  /** Interval bounds, clipped to [0, 1] (as pROC does). */
  lower: number;
  upper: number;
  level: number;
  nPos: number;
  nNeg: number;
}

/**
 * AUC with DeLong's nonparametric confidence interval: AUC ± z·SE, SE from DeLong et al. (1988),
 * computed with Sun & Xu's (2014) midrank algorithm in O(n log n); bounds clipped to [0, 1] like
 * pROC's `ci.auc(method = "delong")`.
 *
 * With fewer than 2 positives or 2 negatives the variance is undefined: SE and bounds are NaN (warning).
 */
export function delongCi(yTrue: BinaryLabels, yScore: NumericArray, level = 0.95): AucInterval {
  checkLevel(level);
  const { y, s } = binaryInputs(yTrue, yScore, 'the DeLong interval');
  const { aucs, cov, nPos, nNeg } = delongParts(y, [s]);
  const auc = aucs[0]!;
  const se = Math.sqrt(cov[0]![0]!);
  if (Number.isNaN(se))
    warnMetrics(
      'METRICS_DELONG_UNDEFINED',
      `DeLong's variance needs ≥ 2 positives and ≥ 2 negatives (got ${nPos} and ${nNeg}); SE is NaN`,
    );
  const z = zForLevel(level);
  return { auc, se, lower: Math.max(0, auc - z * se), upper: Math.min(1, auc + z * se), level, nPos, nNeg };
}

/** DeLong's test of two correlated AUCs. */
export interface DelongTestResult {
  aucA: number;
  aucB: number;
  /** aucA − aucB. */
  difference: number;
  /** Standard error of the difference (accounts for the correlation of the two models on the same cases). */
  se: number;
  /** z = difference / se. */
  z: number;
  /** Two-sided p-value. */
  p: number;
  /** Interval for the difference at `level` (not clipped). */
  ci: [number, number];
  level: number;
  /** Correlation of the two AUC estimates. */
  correlation: number;
}

/**
 * DeLong's test for two correlated ROC curves (two models scored on the same cases): z = (A − B) / SE,
 * SE² = Var A + Var B − 2 Cov(A, B), two-sided p from the normal distribution. Matches pROC's
 * `roc.test(..., method = "delong", paired = TRUE)`.
 *
 * When both models rank every case pair the same way (SE = 0 and A = B) the test is degenerate: z = 0,
 * p = 1 with a warning.
 */
export function delongTest(
  yTrue: BinaryLabels,
  scoreA: NumericArray,
  scoreB: NumericArray,
  level = 0.95,
): DelongTestResult {
  checkLevel(level);
  const { y, s } = binaryInputs(yTrue, scoreA, 'the DeLong test');
  const sb = toFiniteNumbers(scoreB, 'scoreB');
  checkLengths({ yTrue: y, scoreB: sb });
  const { aucs, cov, nPos, nNeg } = delongParts(y, [s, sb]);
  const [a, b] = [aucs[0]!, aucs[1]!];
  const v = cov[0]![0]! + cov[1]![1]! - 2 * cov[0]![1]!;
  const difference = a - b;
  const zc = zForLevel(level);
  const correlation = cov[0]![1]! / Math.sqrt(cov[0]![0]! * cov[1]![1]!);
  if (Number.isNaN(v)) {
    warnMetrics(
      'METRICS_DELONG_UNDEFINED',
      `DeLong's test needs ≥ 2 positives and ≥ 2 negatives (got ${nPos} and ${nNeg}); returning NaN`,
    );
    return { aucA: a, aucB: b, difference, se: NaN, z: NaN, p: NaN, ci: [NaN, NaN], level, correlation };
  }
  // Floating-point dust can make v a tiny negative number for identical rankings.
  const se = Math.sqrt(Math.max(0, v));
  if (se <= 1e-15 * Math.max(1, Math.abs(difference))) {
    warnMetrics(
      'METRICS_DELONG_DEGENERATE',
      'the two models order every positive–negative pair alike (zero variance of the difference)',
    );
    const z = difference === 0 ? 0 : Math.sign(difference) * Infinity;
    return {
      aucA: a,
      aucB: b,
      difference,
      se: 0,
      z,
      p: difference === 0 ? 1 : 0,
      ci: [difference, difference],
      level,
      correlation,
    };
  }
  const z = difference / se;
  return {
    aucA: a,
    aucB: b,
    difference,
    se,
    z,
    p: normalTwoSidedP(z),
    ci: [difference - zc * se, difference + zc * se],
    level,
    correlation,
  };
}
