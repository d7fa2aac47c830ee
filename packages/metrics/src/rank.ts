// Midranks (average ranks for ties), the building block of Mann–Whitney AUC, DeLong and Kruskal–Wallis.

/**
 * 1-based ranks of `x` with ties given their average rank (scipy.stats.rankdata 'average').
 * Also returns Σ(t³ − t) over tie groups, for tie corrections. `x` must hold no NaN (callers validate).
 */
export function midranks(x: ArrayLike<number>): { ranks: Float64Array; tieSum: number } {
  const n = x.length;
  // A native numeric sort of a copy plus two binary searches per value is several times faster than
  // sorting an index array with a comparator (this runs thousands of times inside a bootstrap).
  const sorted = Float64Array.from(x).sort();
  const ranks = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    const first = lo;
    hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid]! <= v) lo = mid + 1;
      else hi = mid;
    }
    ranks[i] = (first + lo - 1) / 2 + 1;
  }
  let tieSum = 0;
  for (let i = 0; i < n; ) {
    let j = i + 1;
    while (j < n && sorted[j] === sorted[i]) j++;
    const t = j - i;
    tieSum += t * t * t - t;
    i = j;
  }
  return { ranks, tieSum };
}
