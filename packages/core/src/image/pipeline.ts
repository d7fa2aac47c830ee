/**
 * The thesis's preprocessing chains as one call each, on typed arrays (tensors only at the very end).
 * With the WASM SIMD kernels the image is copied to their heap once and clipped, resampled and read
 * back from there; without them the same steps run in JavaScript. Both give the same numbers.
 */
import type { GrayImage } from './types.js';
import { CxrkitError } from '../errors.js';
import { checkImage } from './png.js';
import { clipOnHeap, clipPercentiles, percentileClipMinMax, zScore } from './normalize.js';
import { resize } from './resize.js';
import { planResample, resampleOnHeap } from './resample.js';
import { preprocessSimd } from './simd/preprocess-simd.js';

export interface PreprocessOptions {
  /** Output size, pixels (square). Default 512 (thesis Part 2). */
  size?: number;
  /**
   * 'percentile' = clip 0.5/99.5 % then min-max to [0,1] (Part 1); 'zscore' = percentile clip, resize,
   * then per-image z-score (Part 2); 'none' = resize only. Default 'zscore'.
   */
  normalize?: 'percentile' | 'zscore' | 'none';
  /** Percentiles for the clip. Default { lower: 0.5, upper: 99.5 }. */
  clip?: { lower?: number; upper?: number };
}

/**
 * Percentile clip + min-max → Pillow-exact bicubic resize → optional z-score: a radiograph of any size
 * in, a `size × size` float image out (aspect ratio is not kept, as in the thesis).
 */
export function preprocessRadiograph(image: GrayImage, options: PreprocessOptions = {}): GrayImage {
  const size = options.size ?? 512;
  const normalize = options.normalize ?? 'zscore';
  if (!['percentile', 'zscore', 'none'].includes(normalize)) {
    throw new CxrkitError('PREPROCESS_BAD_OPTION', "normalize must be 'percentile', 'zscore' or 'none'", {
      received: normalize,
      fix: "pass normalize: 'zscore'",
    });
  }
  checkImage(image);
  const { lower, upper } = normalize === 'none' ? { lower: 0, upper: 100 } : clipPercentiles(options.clip);
  const heap = preprocessSimd();
  if (!heap) {
    const clipped = normalize === 'none' ? image : percentileClipMinMax(image, { lower, upper });
    const resized =
      image.width === size && image.height === size ? clipped : resize(clipped, { width: size, height: size });
    return normalize === 'zscore' ? zScore(resized) : resized;
  }
  if (!Number.isInteger(size) || size < 1 || size > 65536) {
    throw new CxrkitError('RESIZE_BAD_SIZE', 'output size must be a positive integer', {
      received: size,
      fix: 'pass e.g. { size: 512 }',
    });
  }
  const { data, width, height } = image;
  const ptr = heap.put(data);
  if (normalize !== 'none') clipOnHeap(heap, ptr, data.length, lower, upper);
  const out = resampleOnHeap(heap, ptr, width, height, planResample(width, height, size, size, 'bicubic', true));
  if (normalize === 'zscore') heap.kernels.zScore(out, size * size, out);
  return { data: heap.f32(out, size * size).slice(), width: size, height: size };
}
