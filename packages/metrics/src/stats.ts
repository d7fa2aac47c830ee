// Group comparisons for the biological-age analysis (the thesis's Tables 3.5–3.6): the chi-square test
// of independence for categorical variables and the Kruskal–Wallis H test for continuous ones.
import { MetricsError } from './errors.js';
import { midranks } from './rank.js';
import { chiSquareSf } from './distributions.js';
import { toFiniteNumbers } from './validate.js';

/** Result of the chi-square test of independence. */
export interface ChiSquareResult {
  /** Pearson's chi-square statistic (after Yates's correction when it applies). */
  statistic: number;
  /** Degrees of freedom, (rows − 1)(columns − 1). */
  dof: number;
  /** p-value, P(χ²(dof) ≥ statistic). */
  p: number;
  /** Expected counts under independence, same shape as the table. */
  expected: number[][];
}

export interface ChiSquareOptions {
  /** Yates's continuity correction, applied only when dof = 1 (a 2×2 table). Default true, as SciPy. */
  correction?: boolean;
}

/**
 * Chi-square test of independence of the rows and columns of a contingency table of counts, exactly as
 * `scipy.stats.chi2_contingency(table, correction=…)`: expected = row total × column total / N; for
 * dof = 1 and `correction`, each observed count moves by min(0.5, |expected − observed|) towards its
 * expected count (Yates); dof = 0 (a single row or column) gives statistic 0, p 1.
 *
 * @param table counts, rows × columns (e.g. age-gap groups × sex), at least 1×1.
 * @throws METRICS_BAD_TABLE for a ragged/empty table or negative/non-finite counts;
 *   METRICS_ZERO_EXPECTED when a whole row or column is zero (SciPy raises there too).
 */
export function chiSquareTest(table: ArrayLike<ArrayLike<number>>, options: ChiSquareOptions = {}): ChiSquareResult {
  const correction = options.correction ?? true;
  const rows = table?.length ?? 0;
  const cols = rows > 0 ? (table[0]?.length ?? 0) : 0;
  if (rows === 0 || cols === 0) {
    throw new MetricsError('METRICS_BAD_TABLE', 'the contingency table is empty', {
      received: table,
      fix: 'pass counts as rows × columns, e.g. [[10, 20], [30, 40]]',
    });
  }
  const obs: number[][] = [];
  for (let r = 0; r < rows; r++) {
    const row = table[r]!;
    if (!row || row.length !== cols) {
      throw new MetricsError('METRICS_BAD_TABLE', `row ${r} has ${row?.length} columns, row 0 has ${cols}`, {
        received: table,
        fix: 'give every row the same number of columns',
      });
    }
    obs.push([]);
    for (let c = 0; c < cols; c++) {
      const v = row[c]!;
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
        throw new MetricsError('METRICS_BAD_TABLE', `table[${r}][${c}] is ${v}; counts must be finite and ≥ 0`, {
          received: v,
          fix: 'pass counts of cases',
        });
      }
      obs[r]![c] = v;
    }
  }
  const rowSum = obs.map((row) => row.reduce((a, b) => a + b, 0));
  const colSum = Array.from({ length: cols }, (_, c) => obs.reduce((a, row) => a + row[c]!, 0));
  const total = rowSum.reduce((a, b) => a + b, 0);
  const expected = obs.map((_, r) => colSum.map((cs) => (rowSum[r]! * cs) / total));
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      if (!(expected[r]![c]! > 0)) {
        throw new MetricsError(
          'METRICS_ZERO_EXPECTED',
          `the expected count at [${r}][${c}] is 0 (an all-zero row or column)`,
          {
            received: table,
            fix: 'drop the empty category (row or column) before testing',
          },
        );
      }
    }
  }
  const dof = (rows - 1) * (cols - 1);
  if (dof === 0) return { statistic: 0, dof: 0, p: 1, expected };
  let statistic = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const e = expected[r]![c]!;
      let o = obs[r]![c]!;
      if (dof === 1 && correction) {
        const d = e - o;
        o += Math.sign(d) * Math.min(0.5, Math.abs(d));
      }
      statistic += ((o - e) * (o - e)) / e;
    }
  }
  return { statistic, dof, p: chiSquareSf(statistic, dof), expected };
}

/** Result of the Kruskal–Wallis H test. */
export interface KruskalResult {
  /** H statistic, corrected for ties. */
  statistic: number;
  /** Degrees of freedom (groups − 1). */
  dof: number;
  /** p-value from the chi-square approximation, P(χ²(dof) ≥ H). */
  p: number;
}

/**
 * Kruskal–Wallis H test that several groups come from the same distribution, exactly as
 * `scipy.stats.kruskal(*groups)`: H = 12 / (N(N+1)) Σ Rᵢ²/nᵢ − 3(N+1), divided by the tie correction
 * 1 − Σ(t³ − t)/(N³ − N); p from χ²(k − 1).
 *
 * @param groups ≥ 2 arrays of values (e.g. lumbar T-score of the older-, well-, younger-predicted groups).
 * @throws METRICS_TOO_FEW_GROUPS, METRICS_EMPTY (an empty group), METRICS_NAN, METRICS_ALL_IDENTICAL.
 */
export function kruskalWallis(groups: ArrayLike<ArrayLike<number>>): KruskalResult {
  if (!groups || groups.length < 2) {
    throw new MetricsError('METRICS_TOO_FEW_GROUPS', 'Kruskal–Wallis needs at least two groups', {
      received: groups?.length,
      fix: 'pass an array of ≥ 2 arrays of values',
    });
  }
  const data: Float64Array[] = [];
  for (let g = 0; g < groups.length; g++) {
    const x = toFiniteNumbers(groups[g], `groups[${g}]`);
    if (x.length === 0) {
      throw new MetricsError('METRICS_EMPTY', `groups[${g}] is empty`, {
        received: g,
        fix: 'drop empty groups before testing',
      });
    }
    data.push(x);
  }
  const n = data.reduce((a, x) => a + x.length, 0);
  const all = new Float64Array(n);
  let off = 0;
  for (const x of data) {
    all.set(x, off);
    off += x.length;
  }
  const { ranks, tieSum } = midranks(all);
  const tieCorrection = 1 - tieSum / (n * n * n - n);
  if (!(tieCorrection > 0)) {
    throw new MetricsError('METRICS_ALL_IDENTICAL', 'all values are identical, so Kruskal–Wallis is undefined', {
      received: all[0],
      fix: 'check the variable; a constant cannot differ between groups',
    });
  }
  let h = 0;
  off = 0;
  for (const x of data) {
    let r = 0;
    for (let i = 0; i < x.length; i++) r += ranks[off + i]!;
    h += (r * r) / x.length;
    off += x.length;
  }
  h = ((12 / (n * (n + 1))) * h - 3 * (n + 1)) / tieCorrection;
  const dof = data.length - 1;
  return { statistic: h, dof, p: chiSquareSf(h, dof) };
}
