/**
 * Intensity normalisation on typed arrays: percentile clipping + min-max (the thesis's Part 1
 * preprocessing, which suppresses burned-in L/R markers and outliers), and per-image z-scores (Part 2).
 */
import type { GrayImage } from './types.js';
import { CxrkitError } from '../errors.js';
import { checkImage } from './png.js';
import { percentiles, percentilesFrom, radixSelect, RADIX_MIN } from './percentiles.js';
import { preprocessSimd, type SimdHeap } from './simd/preprocess-simd.js';
import { simdRadixCounter } from './simd/preprocess-ops.js';

export interface PercentileClipOptions {
  /** Lower percentile in [0, 100]. Default 0.5 (thesis). */
  lower?: number;
  /** Upper percentile in [0, 100]. Default 99.5 (thesis). */
  upper?: number;
}

/**
 * Clips to the [lower, upper] percentiles (numpy "linear" convention) and rescales to [0, 1]:
 * `(clip(x, p_lo, p_hi) − p_lo) / (p_hi − p_lo)` in float64, stored as float32 — numpy's
 * `(np.clip(x, lo, hi) − lo) / (hi − lo)`. A constant image (p_hi = p_lo) gives all zeros.
 * Thesis default: 0.5 / 99.5. Runs on WASM SIMD where available.
 * @returns a new image, values in [0, 1].
 */
export function percentileClipMinMax(image: GrayImage, options: PercentileClipOptions = {}): GrayImage {
  checkImage(image);
  const { lower, upper } = clipPercentiles(options);
  const n = image.data.length;
  const heap = n >= RADIX_MIN ? preprocessSimd() : undefined;
  if (heap) {
    const ptr = heap.put(image.data);
    clipOnHeap(heap, ptr, n, lower, upper);
    return { data: heap.f32(ptr, n).slice(), width: image.width, height: image.height };
  }
  const [pl, ph] = percentiles(image.data, [lower, upper]) as [number, number];
  const out = new Float32Array(n);
  if (ph - pl > 0) clipUnitJs(image.data, out, pl, ph);
  return { data: out, width: image.width, height: image.height };
}

/** The validated percentiles of a clip (defaults 0.5 / 99.5). */
export function clipPercentiles(options: PercentileClipOptions = {}): { lower: number; upper: number } {
  const lower = options.lower ?? 0.5;
  const upper = options.upper ?? 99.5;
  if (!(lower < upper)) {
    throw new CxrkitError('PERCENTILE_OUT_OF_RANGE', 'lower percentile must be below upper', {
      received: { lower, upper },
      fix: 'pass e.g. { lower: 0.5, upper: 99.5 }',
    });
  }
  return { lower, upper };
}

/**
 * out[i] = (clamp(src[i], lo, hi) − lo) / (hi − lo), in float64 (the JavaScript twin of `clipUnit`).
 * `Math.min(Math.max(…))` (branch-free) and numpy's `x > lo ? x : lo` order differ only on zeros of
 * opposite signs, where `c − lo` is +0 either way: the results are equal bit for bit.
 */
function clipUnitJs(src: Float32Array, out: Float32Array, lo: number, hi: number): void {
  const span = hi - lo;
  const n = src.length;
  for (let i = 0; i < n; i++) out[i] = (Math.min(Math.max(src[i]!, lo), hi) - lo) / span;
}

/**
 * Percentile clip + min-max, in place, of the `n` float32 values at `ptr` on the SIMD heap.
 * @returns the two percentiles.
 */
export function clipOnHeap(heap: SimdHeap, ptr: number, n: number, lower: number, upper: number): [number, number] {
  const qs = [lower, upper];
  const [pl, ph] = (
    n >= RADIX_MIN
      ? percentilesFrom(n, qs, (ks) => radixSelect(n, ks, simdRadixCounter(heap, ptr, n)))
      : percentiles(heap.f32(ptr, n), qs)
  ) as [number, number];
  if (ph - pl > 0) heap.kernels.clipUnit(ptr, n, ptr, pl, ph);
  else heap.f32(ptr, n).fill(0);
  return [pl, ph];
}

/**
 * Per-image standardisation `(x − mean) / std` with the population std (numpy's default ddof = 0),
 * accumulated in float64 (in four interleaved partial sums). An image with std = 0 gives all zeros.
 * Runs on WASM SIMD where available.
 */
export function zScore(image: GrayImage): GrayImage {
  checkImage(image);
  const n = image.data.length;
  const heap = n >= 4096 ? preprocessSimd() : undefined;
  if (heap) {
    const ptr = heap.put(image.data);
    heap.kernels.zScore(ptr, n, ptr);
    return { data: heap.f32(ptr, n).slice(), width: image.width, height: image.height };
  }
  const out = new Float32Array(n);
  zScoreJs(image.data, out);
  return { data: out, width: image.width, height: image.height };
}

/**
 * The JavaScript twin of the `zScore` kernel, summing in the same order: four partial sums over
 * i mod 4, combined as (s0 + s1) + (s2 + s3), then the n mod 4 tail.
 */
function zScoreJs(data: Float32Array, out: Float32Array): void {
  const n = data.length;
  const n4 = n - (n % 4);
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  for (let i = 0; i < n4; i += 4) {
    s0 += data[i]!;
    s1 += data[i + 1]!;
    s2 += data[i + 2]!;
    s3 += data[i + 3]!;
  }
  let s = s0 + s1 + (s2 + s3);
  for (let i = n4; i < n; i++) s += data[i]!;
  const mean = s / n;
  s0 = s1 = s2 = s3 = 0;
  for (let i = 0; i < n4; i += 4) {
    const d0 = data[i]! - mean;
    const d1 = data[i + 1]! - mean;
    const d2 = data[i + 2]! - mean;
    const d3 = data[i + 3]! - mean;
    s0 += d0 * d0;
    s1 += d1 * d1;
    s2 += d2 * d2;
    s3 += d3 * d3;
  }
  s = s0 + s1 + (s2 + s3);
  for (let i = n4; i < n; i++) {
    const d = data[i]! - mean;
    s += d * d;
  }
  const sd = Math.sqrt(s / n);
  if (sd > 0 && sd < Infinity) for (let i = 0; i < n; i++) out[i] = (data[i]! - mean) / sd;
}

/** Min-max rescale to [0, 1] (no clipping); a constant image gives zeros. */
export function minMax(image: GrayImage): GrayImage {
  return percentileClipMinMax(image, { lower: 0, upper: 100 });
}
