// The thesis's biological-age analysis (Part 1, Tables 3.5–3.6): the gap between predicted and
// chronological age, three groups by that gap (older-predicted ≥ +5 y, younger-predicted ≤ −5 y,
// well-predicted between), and group comparisons — chi-square for categorical variables (sex, BMD
// class, medication), Kruskal–Wallis for continuous ones (T-scores, BMI).
import { MetricsError } from './errors.js';
import { chiSquareTest, kruskalWallis, type ChiSquareResult, type KruskalResult } from './stats.js';
import { checkLengths, toFiniteNumbers, type NumericArray } from './validate.js';
import { quantileSorted } from './bootstrap.js';
import { regressionMetrics, type RegressionMetrics } from './regression.js';

/** The three age-gap groups, in the thesis's order. */
export const AGE_GAP_GROUPS = ['older', 'well', 'younger'] as const;
export type AgeGapGroup = (typeof AGE_GAP_GROUPS)[number];

/** Predicted minus chronological age, in years (positive = the radiograph looks older). */
export function ageGap(chronological: NumericArray, predicted: NumericArray): Float64Array {
  const c = toFiniteNumbers(chronological, 'chronological');
  const p = toFiniteNumbers(predicted, 'predicted');
  checkLengths({ chronological: c, predicted: p });
  return p.map((v, i) => v - c[i]!);
}

/**
 * Groups cases by age gap: 'older' when gap ≥ +threshold, 'younger' when gap ≤ −threshold, else 'well'.
 * @param threshold years, default 5 (the thesis).
 */
export function ageGapGroups(chronological: NumericArray, predicted: NumericArray, threshold = 5): AgeGapGroup[] {
  checkGapThreshold(threshold);
  return groupsOfGaps(ageGap(chronological, predicted), threshold);
}

function checkGapThreshold(threshold: number): void {
  if (typeof threshold !== 'number' || !(threshold > 0) || !Number.isFinite(threshold)) {
    throw new MetricsError('METRICS_BAD_OPTION', 'the age-gap threshold must be a positive number of years', {
      received: threshold,
      fix: 'pass e.g. 5',
    });
  }
}

function groupsOfGaps(gap: Float64Array, threshold: number): AgeGapGroup[] {
  return Array.from(gap, (g) => (g >= threshold ? 'older' : g <= -threshold ? 'younger' : 'well'));
}

/** Summary of a continuous variable in one group. */
export interface ContinuousSummary {
  n: number;
  mean: number;
  sd: number;
  median: number;
  q1: number;
  q3: number;
}

/** A categorical variable across the three groups. */
export interface CategoricalComparison {
  /** Category labels (columns), in first-seen order. */
  categories: string[];
  /** counts[group][category]. */
  counts: Record<AgeGapGroup, Record<string, number>>;
  /** Column percentages within each group (0–100). */
  percents: Record<AgeGapGroup, Record<string, number>>;
  /** Cases with a missing value (null, undefined, NaN, ''), left out. */
  nMissing: number;
  /** Chi-square test of independence on the groups × categories table (groups with no case left out). */
  test: ChiSquareResult;
}

/** A continuous variable across the three groups. */
export interface ContinuousComparison {
  summary: Record<AgeGapGroup, ContinuousSummary>;
  /** Cases with a missing value (NaN, null), left out. */
  nMissing: number;
  /** Kruskal–Wallis test across the non-empty groups. */
  test: KruskalResult;
}

export interface BiologicalAgeInput {
  /** Chronological age per case, years. */
  chronological: NumericArray;
  /** Predicted (biological) age per case, years. */
  predicted: NumericArray;
  /** Gap threshold in years. Default 5. */
  threshold?: number;
  /** Categorical variables by name, one value per case (e.g. { sex, bmdClass, medication }). */
  categorical?: Record<string, ArrayLike<string | number | boolean | null | undefined>>;
  /** Continuous variables by name, one value per case; NaN/null = missing (e.g. { lumbarT, bmi }). */
  continuous?: Record<string, ArrayLike<number | null | undefined>>;
  /** Yates correction for 2×2 tables (only when a categorical variable has 2 categories and 2 groups remain). Default true. */
  correction?: boolean;
}

/** Result of the biological-age analysis. */
export interface BiologicalAgeAnalysis {
  threshold: number;
  /** Gap per case (predicted − chronological), years. */
  gap: Float64Array;
  /** Group per case. */
  group: AgeGapGroup[];
  /** Cases per group. */
  sizes: Record<AgeGapGroup, number>;
  /** Age-prediction accuracy on these cases (R², MAE, RMSE, within ±4/±9 years). */
  accuracy: RegressionMetrics;
  categorical: Record<string, CategoricalComparison>;
  continuous: Record<string, ContinuousComparison>;
}

const isMissing = (v: unknown) =>
  v === null || v === undefined || v === '' || (typeof v === 'number' && Number.isNaN(v));

function summarize(values: number[]): ContinuousSummary {
  const n = values.length;
  if (n === 0) return { n, mean: NaN, sd: NaN, median: NaN, q1: NaN, q3: NaN };
  const s = [...values].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(s.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : NaN;
  return { n, mean, sd, median: quantileSorted(s, 0.5), q1: quantileSorted(s, 0.25), q3: quantileSorted(s, 0.75) };
}

/**
 * The full analysis: gap, groups, group sizes, age accuracy, and for each variable the per-group
 * breakdown and its test (chi-square / Kruskal–Wallis), as in the thesis's Tables 3.5–3.6.
 * Missing covariate values are left out of that variable's comparison and counted in `nMissing`.
 */
export function biologicalAgeAnalysis(input: BiologicalAgeInput): BiologicalAgeAnalysis {
  const threshold = input.threshold ?? 5;
  const gap = ageGap(input.chronological, input.predicted);
  checkGapThreshold(threshold);
  const group = groupsOfGaps(gap, threshold);
  const n = gap.length;
  const sizes = { older: 0, well: 0, younger: 0 } as Record<AgeGapGroup, number>;
  for (const g of group) sizes[g]++;

  const categorical: Record<string, CategoricalComparison> = {};
  for (const [name, values] of Object.entries(input.categorical ?? {})) {
    checkLengths({ predicted: gap, [name]: values });
    const categories: string[] = [];
    const counts = { older: {}, well: {}, younger: {} } as Record<AgeGapGroup, Record<string, number>>;
    let nMissing = 0;
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (isMissing(v)) {
        nMissing++;
        continue;
      }
      const key = String(v);
      if (!categories.includes(key)) categories.push(key);
      counts[group[i]!][key] = (counts[group[i]!][key] ?? 0) + 1;
    }
    const present = AGE_GAP_GROUPS.filter((g) => categories.some((c) => (counts[g][c] ?? 0) > 0));
    for (const g of AGE_GAP_GROUPS) for (const c of categories) counts[g][c] ??= 0;
    const percents = Object.fromEntries(
      AGE_GAP_GROUPS.map((g) => {
        const tot = categories.reduce((a, c) => a + counts[g][c]!, 0);
        return [g, Object.fromEntries(categories.map((c) => [c, tot ? (100 * counts[g][c]!) / tot : NaN]))];
      }),
    ) as Record<AgeGapGroup, Record<string, number>>;
    const table = present.map((g) => categories.map((c) => counts[g][c]!));
    categorical[name] = {
      categories,
      counts,
      percents,
      nMissing,
      test: chiSquareTest(table, { correction: input.correction ?? true }),
    };
  }

  const continuous: Record<string, ContinuousComparison> = {};
  for (const [name, values] of Object.entries(input.continuous ?? {})) {
    checkLengths({ predicted: gap, [name]: values });
    const per = { older: [] as number[], well: [] as number[], younger: [] as number[] };
    let nMissing = 0;
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (isMissing(v) || typeof v !== 'number' || !Number.isFinite(v)) {
        nMissing++;
        continue;
      }
      per[group[i]!].push(v);
    }
    const nonEmpty = AGE_GAP_GROUPS.filter((g) => per[g].length > 0).map((g) => per[g]);
    continuous[name] = {
      summary: { older: summarize(per.older), well: summarize(per.well), younger: summarize(per.younger) },
      nMissing,
      test: kruskalWallis(nonEmpty),
    };
  }
  return {
    threshold,
    gap,
    group,
    sizes,
    accuracy: regressionMetrics(input.chronological, input.predicted),
    categorical,
    continuous,
  };
}
