// Midranks (average ranks for ties), the building block of Mann–Whitney AUC, DeLong and Kruskal–Wallis.

/**
 * 1-based ranks of `x` with ties given their average rank (scipy.stats.rankdata 'average').
 * Also returns Σ(t³ − t) over tie groups, for tie corrections.
 */
export function midranks(x: ArrayLike<number>): { ranks: Float64Array; tieSum: number } {
  const n = x.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => x[a]! - x[b]!);
  const ranks = new Float64Array(n);
  let tieSum = 0;
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && x[order[j + 1]!] === x[order[i]!]) j++;
    const r = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]!] = r;
    const t = j - i + 1;
    tieSum += t * t * t - t;
    i = j + 1;
  }
  return { ranks, tieSum };
}
