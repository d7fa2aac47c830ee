// Per-subgroup versions of the screening and regression metrics (e.g. by sex, as the thesis reports
// AUC 0.92 female / 0.88 male), returned together with the overall figures.
import { MetricsError } from './errors.js';
import { binaryMetrics, type BinaryMetrics, type BinaryMetricsOptions } from './binary.js';
import { delongCi, type AucInterval } from './intervals.js';
import { binaryInputs } from './roc.js';
import { regressionMetrics, type RegressionMetrics } from './regression.js';
import { checkLengths, type BinaryLabels, type NumericArray } from './validate.js';
import { warnMetrics } from './warn.js';

/** Group labels, one per case (e.g. 'F' / 'M', or 0 / 1). */
export type GroupLabels = ArrayLike<string | number | boolean>;

/** A metric overall and within each subgroup (keys: the group labels as strings, in first-seen order). */
export interface BySubgroup<T> {
  overall: T;
  groups: Record<string, T>;
}

/** AUC with DeLong CI plus the metrics at a threshold, for one set of cases. */
export interface ScreeningSummary {
  n: number;
  nPos: number;
  nNeg: number;
  /** AUC with DeLong CI; every field NaN (with a warning) when the set holds one class only. */
  auc: AucInterval;
  metrics: BinaryMetrics;
}

/** AUC + DeLong CI and the metrics at `threshold` (default 0.5) with Wilson CIs. */
export function screeningSummary(
  yTrue: BinaryLabels,
  yScore: NumericArray,
  options: BinaryMetricsOptions = {},
): ScreeningSummary {
  const level = options.level ?? 0.95;
  const { nPos, nNeg } = binaryInputs(yTrue, yScore, false);
  let auc: AucInterval;
  if (nPos === 0 || nNeg === 0) {
    warnMetrics(
      'METRICS_ONE_CLASS',
      `a set of ${nPos + nNeg} cases holds one class only, so its AUC is not estimable; reporting NaN`,
    );
    auc = { auc: NaN, se: NaN, lower: NaN, upper: NaN, level, nPos, nNeg };
  } else auc = delongCi(yTrue, yScore, level);
  return { n: nPos + nNeg, nPos, nNeg, auc, metrics: binaryMetrics(yTrue, yScore, options) };
}

/** Indices of the cases in each group, in first-seen order of the labels. */
export function groupIndices(groups: GroupLabels): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i];
    if (g === undefined || g === null || (typeof g === 'number' && Number.isNaN(g))) {
      throw new MetricsError('METRICS_NAN', `groups[${i}] is ${String(g)}`, {
        received: g,
        fix: "give every case a group label (e.g. 'unknown')",
      });
    }
    const key = String(g);
    if (!out.has(key)) out.set(key, []);
    out.get(key)!.push(i);
  }
  return out;
}

function pick(a: ArrayLike<number | boolean>, idx: number[]): number[] {
  return idx.map((i) => Number(a[i]));
}

/**
 * Applies `metric` to all cases and to each subgroup's cases.
 * @param arrays case-aligned arrays; `metric` receives the same keys restricted to the subgroup.
 */
export function bySubgroup<K extends string, T>(
  groups: GroupLabels,
  arrays: Record<K, ArrayLike<number | boolean>>,
  metric: (subset: Record<K, number[]>) => T,
): BySubgroup<T> {
  checkLengths({ groups, ...(arrays as Record<string, ArrayLike<unknown>>) });
  const keys = Object.keys(arrays) as K[];
  const all = Array.from({ length: groups.length }, (_, i) => i);
  const take = (idx: number[]) => Object.fromEntries(keys.map((k) => [k, pick(arrays[k], idx)])) as Record<K, number[]>;
  const out: Record<string, T> = {};
  for (const [g, idx] of groupIndices(groups)) out[g] = metric(take(idx));
  return { overall: metric(take(all)), groups: out };
}

/** Screening summary (AUC + DeLong CI, metrics at the threshold) overall and per subgroup. */
export function screeningBySubgroup(
  yTrue: BinaryLabels,
  yScore: NumericArray,
  groups: GroupLabels,
  options: BinaryMetricsOptions = {},
): BySubgroup<ScreeningSummary> {
  return bySubgroup(groups, { yTrue, yScore }, (d) => screeningSummary(d.yTrue, d.yScore, options));
}

/** R², MAE, RMSE, within ±k years, overall and per subgroup. */
export function regressionBySubgroup(
  yTrue: NumericArray,
  yPred: NumericArray,
  groups: GroupLabels,
  ks: readonly number[] = [4, 9],
): BySubgroup<RegressionMetrics> {
  return bySubgroup(groups, { yTrue, yPred }, (d) => regressionMetrics(d.yTrue, d.yPred, ks));
}
