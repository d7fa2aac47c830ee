// Seeded, stratified percentile bootstrap for any metric. Stratifying by the label keeps each resample's
// class counts equal to the original's, so no resample loses a class and AUC stays defined.
import { MetricsError } from './errors.js';
import { checkLengths, checkLevel } from './validate.js';
import { warnMetrics } from './warn.js';

/**
 * A small seeded PRNG (sfc32, seeded through splitmix32): same seed → same stream on every platform.
 * Returns floats in [0, 1). A copy of @cxrkit/core's `createRng(seed).next` (metrics depends on nothing
 * of ours): for an integer seed in [0, 2³²) both give the same stream; keep them in step.
 */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  const split = () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = split();
  let b = split();
  let c = split();
  let d = split();
  const next = () => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  return next;
}

export interface BootstrapOptions {
  /** Number of resamples. Default 2000 (pROC's default). */
  nBoot?: number;
  /** Confidence level. Default 0.95. */
  level?: number;
  /** PRNG seed; the same seed gives the same interval. Default 42. */
  seed?: number;
  /**
   * One stratum label per case (e.g. yTrue, or `${yTrue}-${sex}`): cases are resampled within each
   * stratum, keeping its size. Omit for a plain (unstratified) bootstrap.
   */
  strata?: ArrayLike<number | string | boolean>;
}

/** A bootstrap interval. */
export interface BootstrapInterval {
  /** The statistic on the original data. */
  estimate: number;
  /** Percentile interval bounds (numpy's default linear interpolation between order statistics). */
  lower: number;
  upper: number;
  level: number;
  /** Resamples that gave a finite statistic (the interval uses these). */
  nBoot: number;
  /** Resamples whose statistic was NaN or threw (dropped, with a warning). */
  nFailed: number;
  /** Bootstrap standard error (sample SD of the replicates). */
  se: number;
}

/**
 * Percentile bootstrap interval for any statistic of one or more case-aligned arrays.
 *
 * ```ts
 * const ci = bootstrapCi({ yTrue, yScore }, (d) => rocAuc(d.yTrue, d.yScore), { strata: yTrue, seed: 1 });
 * ```
 *
 * @param data arrays with one entry per case (all the same length); resampled together, by case.
 * @param statistic computes the metric from resampled arrays (Float64Array each).
 */
export function bootstrapCi<K extends string>(
  data: Record<K, ArrayLike<number>>,
  statistic: (sample: Record<K, Float64Array>) => number,
  options: BootstrapOptions = {},
): BootstrapInterval {
  const { nBoot = 2000, level = 0.95, seed = 42, strata } = options;
  checkLevel(level);
  if (!Number.isInteger(nBoot) || nBoot < 1) {
    throw new MetricsError('METRICS_BAD_OPTION', 'nBoot must be a positive integer', {
      received: nBoot,
      fix: 'pass e.g. { nBoot: 2000 }',
    });
  }
  const keys = Object.keys(data) as K[];
  if (keys.length === 0)
    throw new MetricsError('METRICS_EMPTY', 'no arrays to resample', {
      received: data,
      fix: 'pass e.g. { yTrue, yScore }',
    });
  const n = checkLengths(strata ? { ...data, strata } : data);
  const estimate = statistic(
    Object.fromEntries(keys.map((k) => [k, Float64Array.from(data[k])])) as Record<K, Float64Array>,
  );

  // Case indices per stratum.
  const groups = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    const key = strata ? String(strata[i]) : '';
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(i);
  }
  const rand = seededRandom(seed);
  const idx = new Int32Array(n);
  const sample = Object.fromEntries(keys.map((k) => [k, new Float64Array(n)])) as Record<K, Float64Array>;
  const reps: number[] = [];
  let nFailed = 0;
  for (let b = 0; b < nBoot; b++) {
    let o = 0;
    for (const members of groups.values()) {
      for (let j = 0; j < members.length; j++) idx[o++] = members[Math.floor(rand() * members.length)]!;
    }
    for (const k of keys) {
      const src = data[k];
      const dst = sample[k];
      for (let i = 0; i < n; i++) dst[i] = src[idx[i]!]!;
    }
    let v: number;
    try {
      v = statistic(sample);
    } catch {
      v = NaN;
    }
    if (Number.isFinite(v)) reps.push(v);
    else nFailed++;
  }
  if (nFailed > 0)
    warnMetrics(
      'METRICS_BOOTSTRAP_FAILED',
      `${nFailed} of ${nBoot} resamples gave no finite statistic and were dropped (stratify by the label to avoid one-class resamples)`,
    );
  reps.sort((a, b) => a - b);
  const alpha = (1 - level) / 2;
  let mean = 0;
  for (const r of reps) mean += r;
  mean /= reps.length;
  let ss = 0;
  for (const r of reps) ss += (r - mean) ** 2;
  return {
    estimate,
    lower: quantileSorted(reps, alpha),
    upper: quantileSorted(reps, 1 - alpha),
    level,
    nBoot: reps.length,
    nFailed,
    se: reps.length > 1 ? Math.sqrt(ss / (reps.length - 1)) : NaN,
  };
}

/** Quantile of sorted values with linear interpolation (numpy.quantile's default). NaN when empty. */
export function quantileSorted(sorted: readonly number[] | Float64Array, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}
