/**
 * The thesis's preprocessing chains as one call each, on typed arrays (tensors only at the very end).
 */
import type { GrayImage } from './types.js';
import { CxrkitError } from '../errors.js';
import { percentileClipMinMax, zScore } from './normalize.js';
import { resizeBicubic } from './resize.js';

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
 * Percentile clip + min-max → bicubic resize → optional z-score: a radiograph of any size in,
 * a `size × size` float image out (aspect ratio is not kept, as in the thesis).
 */
export function preprocessRadiograph(image: GrayImage, options: PreprocessOptions = {}): GrayImage {
  const size = options.size ?? 512;
  const normalize = options.normalize ?? 'zscore';
  if (!['percentile', 'zscore', 'none'].includes(normalize)) {
    throw new CxrkitError('PREPROCESS_BAD_OPTION', "normalize must be 'percentile', 'zscore' or 'none'", { received: normalize, fix: "pass normalize: 'zscore'" });
  }
  const clipped = normalize === 'none' ? image : percentileClipMinMax(image, options.clip);
  const resized = image.width === size && image.height === size ? clipped : resizeBicubic(clipped, { width: size, height: size });
  return normalize === 'zscore' ? zScore(resized) : resized;
}
