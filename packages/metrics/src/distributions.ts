// The distribution functions the tests need, from @stdlib (maintained, Node ≥ 0.10, ports of Cephes/
// Boost with their accuracy tests): chi-square upper tail via the regularized upper incomplete gamma,
// the normal upper tail via erfc, the normal quantile. p-values match scipy.stats to 1e-12 (see tests).
import gammainc from '@stdlib/math-base-special-gammainc';
import erfc from '@stdlib/math-base-special-erfc';
import normalQuantileStd from '@stdlib/stats-base-dists-normal-quantile';

/** P(X ≥ x) for X ~ χ²(dof): `scipy.stats.chi2.sf(x, dof)`. */
export function chiSquareSf(x: number, dof: number): number {
  if (Number.isNaN(x) || !(dof > 0)) return NaN;
  if (x <= 0) return 1;
  return gammainc(x / 2, dof / 2, true, true);
}

/** Two-sided p-value of a standard normal statistic z: 2·P(Z ≥ |z|) = `2 * scipy.stats.norm.sf(abs(z))`. */
export function normalTwoSidedP(z: number): number {
  return erfc(Math.abs(z) / Math.SQRT2);
}

/** Standard normal CDF Φ(z) = `scipy.stats.norm.cdf(z)`. */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

/** Standard normal quantile Φ⁻¹(p) = `scipy.stats.norm.ppf(p)`. */
export function normalQuantile(p: number): number {
  return normalQuantileStd(p, 0, 1);
}

/** The two-sided critical value z for a confidence level, e.g. 1.959963984540054 for 0.95. */
export function zForLevel(level: number): number {
  return normalQuantile(1 - (1 - level) / 2);
}
