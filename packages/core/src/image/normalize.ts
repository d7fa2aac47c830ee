/**
 * Intensity normalisation on typed arrays: percentile clipping + min-max (the thesis's Part 1
 * preprocessing, which suppresses burned-in L/R markers and outliers), and per-image z-scores (Part 2).
 */
import type { GrayImage } from './types.js';
import { CxrkitError } from '../errors.js';
import { checkImage } from './png.js';

export interface PercentileClipOptions {
  /** Lower percentile in [0, 100]. Default 0.5 (thesis). */
  lower?: number;
  /** Upper percentile in [0, 100]. Default 99.5 (thesis). */
  upper?: number;
}

/**
 * Percentiles of `values` with numpy's default ("linear") method: for q in [0, 100] the value at
 * position (n − 1)·q/100 of the sorted data, interpolated linearly between neighbours. Uses
 * selection (O(n)), not a full sort. NaNs are not allowed.
 */
export function percentiles(values: ArrayLike<number>, qs: readonly number[]): number[] {
  const n = values.length;
  if (n === 0) throw new CxrkitError('IMAGE_EMPTY', 'cannot take percentiles of no values', { received: n, fix: 'pass a non-empty image' });
  for (const q of qs) {
    if (!(q >= 0 && q <= 100)) throw new CxrkitError('PERCENTILE_OUT_OF_RANGE', 'percentiles must be in [0, 100]', { received: q, fix: 'pass e.g. { lower: 0.5, upper: 99.5 }' });
  }
  const need = new Set<number>();
  const plan = qs.map((q) => {
    const pos = ((n - 1) * q) / 100;
    const lo = Math.floor(pos);
    const frac = pos - lo;
    need.add(lo);
    if (frac > 0 && lo + 1 < n) need.add(lo + 1);
    return { lo, frac };
  });
  const order = orderStatistics(values, [...need].sort((a, b) => a - b));
  return plan.map(({ lo, frac }) => {
    const a = order.get(lo)!;
    if (frac === 0 || lo + 1 >= n) return a;
    return a + (order.get(lo + 1)! - a) * frac;
  });
}

/**
 * Exact k-th smallest values for several k. Large inputs go through a 65,536-bin histogram (the
 * binning is monotone, so order statistics stay in their bins) and a selection inside the few bins
 * that hold them: two passes over the data instead of a sort.
 */
function orderStatistics(values: ArrayLike<number>, ks: number[]): Map<number, number> {
  const n = values.length;
  const out = new Map<number, number>();
  const nanError = () => new CxrkitError('IMAGE_HAS_NAN', 'the image contains NaN pixels', { received: 'NaN', fix: 'replace NaN pixels (e.g. with 0) before normalising' });
  if (n < 65536) {
    const work = Float64Array.from(values);
    for (let i = 0; i < n; i++) if (work[i] !== work[i]) throw nanError();
    work.sort();
    for (const k of ks) out.set(k, work[k]!);
    return out;
  }
  let mn = Infinity;
  let mx = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (v < mn) mn = v;
    if (v > mx) mx = v;
    if (v !== v) throw nanError();
  }
  if (!(mx > mn)) {
    for (const k of ks) out.set(k, mn);
    return out;
  }
  const B = 65536;
  const scale = (B - 1) / (mx - mn);
  const counts = new Uint32Array(B);
  for (let i = 0; i < n; i++) counts[Math.floor((values[i]! - mn) * scale)]!++;
  // which bin holds each k, and the rank of k inside it
  const binOf = new Map<number, { bin: number; rank: number }>();
  let cum = 0;
  let j = 0;
  for (let b = 0; b < B && j < ks.length; b++) {
    const c = counts[b]!;
    while (j < ks.length && ks[j]! < cum + c) {
      binOf.set(ks[j]!, { bin: b, rank: ks[j]! - cum });
      j++;
    }
    cum += c;
  }
  const slot = new Int32Array(B).fill(-1);
  const arrays: Float64Array[] = [];
  for (const { bin } of binOf.values()) if (slot[bin] === -1) { slot[bin] = arrays.length; arrays.push(new Float64Array(counts[bin]!)); }
  const fill = new Int32Array(arrays.length);
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    const s = slot[Math.floor((v - mn) * scale)]!;
    if (s >= 0) arrays[s]![fill[s]!++] = v;
  }
  for (const [k, { bin, rank }] of binOf) out.set(k, select(arrays[slot[bin]!]!, rank));
  return out;
}

/** Quickselect (Hoare partition, median-of-three): puts the k-th smallest at index k, smaller left. */
function select(a: Float32Array | Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    // median of three as pivot
    let x = a[lo]!, y = a[mid]!, z = a[hi]!;
    if (x > y) [x, y] = [y, x];
    if (y > z) [y, z] = [z, y];
    if (x > y) [x, y] = [y, x];
    const pivot = y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}

/**
 * Clips to the [lower, upper] percentiles (numpy "linear" convention) and rescales to [0, 1]:
 * `(clip(x, p_lo, p_hi) − p_lo) / (p_hi − p_lo)`. A constant image (p_hi = p_lo) gives all zeros.
 * Thesis default: 0.5 / 99.5.
 * @returns a new image, values in [0, 1].
 */
export function percentileClipMinMax(image: GrayImage, options: PercentileClipOptions = {}): GrayImage {
  checkImage(image);
  const lower = options.lower ?? 0.5;
  const upper = options.upper ?? 99.5;
  if (!(lower < upper)) {
    throw new CxrkitError('PERCENTILE_OUT_OF_RANGE', 'lower percentile must be below upper', { received: { lower, upper }, fix: 'pass e.g. { lower: 0.5, upper: 99.5 }' });
  }
  const [pl, ph] = percentiles(image.data, [lower, upper]) as [number, number];
  const out = new Float32Array(image.data.length);
  const span = ph - pl;
  if (span > 0) {
    for (let i = 0; i < out.length; i++) {
      const v = image.data[i]!;
      out[i] = v <= pl ? 0 : v >= ph ? 1 : (v - pl) / span;
    }
  }
  return { data: out, width: image.width, height: image.height };
}

/**
 * Per-image standardisation `(x − mean) / std` with the population std (numpy's default ddof = 0),
 * accumulated in float64. An image with std = 0 gives all zeros.
 */
export function zScore(image: GrayImage): GrayImage {
  checkImage(image);
  const { data } = image;
  let mean = 0;
  for (let i = 0; i < data.length; i++) mean += data[i]!;
  mean /= data.length;
  let ss = 0;
  for (let i = 0; i < data.length; i++) {
    const d = data[i]! - mean;
    ss += d * d;
  }
  const sd = Math.sqrt(ss / data.length);
  const out = new Float32Array(data.length);
  if (sd > 0 && Number.isFinite(sd)) for (let i = 0; i < data.length; i++) out[i] = (data[i]! - mean) / sd;
  return { data: out, width: image.width, height: image.height };
}

/** Min-max rescale to [0, 1] (no clipping); a constant image gives zeros. */
export function minMax(image: GrayImage): GrayImage {
  return percentileClipMinMax(image, { lower: 0, upper: 100 });
}
