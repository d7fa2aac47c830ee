// The two-sample Kolmogorov–Smirnov test: how far apart two samples' distributions are (e.g. the ages
// of the cells of a matched sample, which core's samplers report).
import { MetricsError } from './errors.js';
import { toFiniteNumbers, type NumericArray } from './validate.js';

/** Result of a two-sample Kolmogorov–Smirnov test. */
export interface KsResult {
  /** D = sup |F₁(x) − F₂(x)|. */
  statistic: number;
  /** Asymptotic two-sided p-value (Kolmogorov distribution with Stephens' small-sample correction). */
  pValue: number;
  n1: number;
  n2: number;
}

/**
 * Two-sample KS statistic and asymptotic p-value. Ties are handled by evaluating both empirical CDFs at
 * every distinct value, so D equals `scipy.stats.ks_2samp(a, b).statistic` exactly; the p-value is the
 * asymptotic Kolmogorov one with Stephens' correction λ = (√nₑ + 0.12 + 0.11/√nₑ)·D, close to SciPy's
 * `method='asymp'`.
 * @throws MetricsError `STATS_EMPTY_SAMPLE` when a sample is empty, `METRICS_NAN` / `METRICS_NOT_ARRAY`
 *   for non-finite values or a non-array.
 */
export function ksTwoSample(a: NumericArray, b: NumericArray): KsResult {
  const x = toFiniteNumbers(a, 'a');
  const y = toFiniteNumbers(b, 'b');
  if (x.length === 0 || y.length === 0) {
    throw new MetricsError('STATS_EMPTY_SAMPLE', 'both samples need at least one value', {
      received: [x.length, y.length],
      fix: 'pass non-empty samples',
    });
  }
  x.sort(); // typed arrays sort numerically
  y.sort();
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < x.length && j < y.length) {
    const v = Math.min(x[i]!, y[j]!);
    while (i < x.length && x[i] === v) i++;
    while (j < y.length && y[j] === v) j++;
    d = Math.max(d, Math.abs(i / x.length - j / y.length));
  }
  const ne = Math.sqrt((x.length * y.length) / (x.length + y.length));
  const lambda = (ne + 0.12 + 0.11 / ne) * d;
  return { statistic: d, pValue: kolmogorovQ(lambda), n1: x.length, n2: y.length };
}

/** Q_KS(λ) = 2 Σ (−1)^{k−1} exp(−2k²λ²). */
function kolmogorovQ(lambda: number): number {
  if (lambda < 1e-3) return 1;
  let sum = 0;
  let prev = 0;
  for (let k = 1; k <= 100; k++) {
    const term = 2 * (k % 2 ? 1 : -1) * Math.exp(-2 * k * k * lambda * lambda);
    sum += term;
    if (Math.abs(term) <= 1e-10 * Math.abs(sum) || Math.abs(term) <= 1e-16 * prev) return Math.min(1, Math.max(0, sum));
    prev = Math.abs(term);
  }
  return 1;
}
