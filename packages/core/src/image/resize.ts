/**
 * Resizing of single-channel float images, one signature for every filter:
 * `resize(image, { width, height, filter, antialias })`.
 * - 'bicubic' (default): Pillow's `Image.resize(size, Image.BICUBIC)` on a float 'F' image — Keys cubic
 *   convolution with a = −0.5, separable (horizontal pass first, float32 intermediate, float64 sums),
 *   the kernel widened by the scale factor when shrinking (antialiasing), weights normalised to sum 1.
 * - 'bilinear': enlarging (or `antialias: false`) interpolates the 4 nearest pixels with half-pixel
 *   centres and clamped edges (Pillow's BILINEAR when enlarging, to float32 rounding); shrinking with
 *   antialiasing is Pillow's BILINEAR exactly (the triangle filter widened by the scale factor).
 * TensorFlow.js has no bicubic resize; heat maps (Grad-CAM) use 'bilinear'.
 */
import type { GrayImage } from './types.js';
import { CxrkitError } from '../errors.js';
import { checkImage } from './png.js';
import type { ResampleFilter } from './resample-coefficients.js';
import { resampleImage } from './resample.js';
import { interpolateBilinear } from './interpolate-bilinear.js';

export type { ResampleFilter } from './resample-coefficients.js';

export interface ResizeOptions {
  /** Output width in pixels. */
  width: number;
  /** Output height in pixels. */
  height: number;
  /** 'bicubic' (default, Pillow BICUBIC) or 'bilinear' (Pillow BILINEAR). */
  filter?: ResampleFilter;
  /**
   * Widen the kernel by the scale factor when shrinking (Pillow's behaviour; avoids aliasing).
   * Default true. With false, plain interpolation at any scale (bicubic: like OpenCV INTER_CUBIC,
   * though OpenCV uses a = −0.75).
   */
  antialias?: boolean;
}

const FILTERS: readonly ResampleFilter[] = ['bicubic', 'bilinear'];

/**
 * Resizes a single-channel image to `width × height` with Pillow-exact resampling ('bicubic' by
 * default, or 'bilinear'; antialiased when shrinking). Bicubic equals
 * `Image.fromarray(f32, 'F').resize((w, h), Image.BICUBIC)` bit for bit on float32 input. Values can
 * overshoot the input range slightly (cubic ringing), as in Pillow. Runs on WASM SIMD where available.
 * @returns a new image of `width × height`.
 */
export function resize(image: GrayImage, options: ResizeOptions): GrayImage {
  checkImage(image);
  const { width: outW, height: outH } = options ?? ({} as ResizeOptions);
  for (const [name, v] of [
    ['width', outW],
    ['height', outH],
  ] as const) {
    if (!Number.isInteger(v) || v < 1 || v > 65536) {
      throw new CxrkitError('RESIZE_BAD_SIZE', `output ${name} must be a positive integer`, {
        received: v,
        fix: `pass e.g. { width: 512, height: 512 }`,
      });
    }
  }
  const filter = options.filter ?? 'bicubic';
  if (!FILTERS.includes(filter)) {
    throw new CxrkitError('RESIZE_BAD_FILTER', "filter must be 'bicubic' or 'bilinear'", {
      received: filter,
      fix: "pass filter: 'bicubic'",
    });
  }
  const antialias = options.antialias ?? true;
  if (filter === 'bilinear' && (!antialias || (outW >= image.width && outH >= image.height))) {
    return interpolateBilinear(image, outW, outH);
  }
  return resampleImage(image, outW, outH, filter, antialias);
}

/**
 * Pillow-exact bicubic resize: `resize(image, { ...options, filter: 'bicubic' })`.
 * @returns a new image of `options.width × options.height`.
 */
export function resizeBicubic(image: GrayImage, options: Omit<ResizeOptions, 'filter'>): GrayImage {
  return resize(image, { ...options, filter: 'bicubic' });
}
