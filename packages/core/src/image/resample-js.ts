/**
 * The two separable resampling passes in plain JavaScript (the fallback of simd/preprocess.wat, same
 * arithmetic): each output pixel is a float64 sum, in tap order, of float32 input × float64 weight,
 * stored as float32 — Pillow's ImagingResampleHorizontal/Vertical_32bpc on 'F' images. Several rows
 * (horizontal) or columns (vertical) go together so that weight loads are shared and the independent
 * sums overlap; each sum still runs over its taps in order.
 */
import type { ResampleCoefficients } from './resample-coefficients.js';

/**
 * Horizontal pass: `rows` rows of `srcW` values from `src[srcOffset…]` → `rows` rows of
 * `c.start.length` values in `dst`.
 */
export function resampleHorizontalJs(
  src: Float32Array,
  srcOffset: number,
  srcW: number,
  rows: number,
  dst: Float32Array,
  c: ResampleCoefficients,
): void {
  const { start, count, k, ksize } = c;
  const outW = start.length;
  let y = 0;
  // 8 rows at a time: one weight load feeds 8 independent sums
  for (; y + 8 <= rows; y += 8) {
    const r0 = srcOffset + y * srcW;
    const d = y * outW;
    for (let xx = 0; xx < outW; xx++) {
      const s = r0 + start[xx]!;
      const n = count[xx]!;
      const ko = xx * ksize;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      let a4 = 0;
      let a5 = 0;
      let a6 = 0;
      let a7 = 0;
      for (let t = 0; t < n; t++) {
        const w = k[ko + t]!;
        const i = s + t;
        a0 += src[i]! * w;
        a1 += src[i + srcW]! * w;
        a2 += src[i + 2 * srcW]! * w;
        a3 += src[i + 3 * srcW]! * w;
        a4 += src[i + 4 * srcW]! * w;
        a5 += src[i + 5 * srcW]! * w;
        a6 += src[i + 6 * srcW]! * w;
        a7 += src[i + 7 * srcW]! * w;
      }
      dst[d + xx] = a0;
      dst[d + outW + xx] = a1;
      dst[d + 2 * outW + xx] = a2;
      dst[d + 3 * outW + xx] = a3;
      dst[d + 4 * outW + xx] = a4;
      dst[d + 5 * outW + xx] = a5;
      dst[d + 6 * outW + xx] = a6;
      dst[d + 7 * outW + xx] = a7;
    }
  }
  for (; y < rows; y++) {
    const r0 = srcOffset + y * srcW;
    const d = y * outW;
    for (let xx = 0; xx < outW; xx++) {
      const s = r0 + start[xx]!;
      const n = count[xx]!;
      const ko = xx * ksize;
      let a0 = 0;
      for (let t = 0; t < n; t++) a0 += src[s + t]! * k[ko + t]!;
      dst[d + xx] = a0;
    }
  }
}

/**
 * Vertical pass: rows of `w` values from `src[srcOffset…]` (row `c.start[yy]` onwards for output row
 * yy) → `c.start.length` rows of `w` values in `dst`.
 */
export function resampleVerticalJs(
  src: Float32Array,
  srcOffset: number,
  w: number,
  dst: Float32Array,
  c: ResampleCoefficients,
): void {
  const { start, count, k, ksize } = c;
  const outH = start.length;
  for (let yy = 0; yy < outH; yy++) {
    const r = srcOffset + start[yy]! * w;
    const n = count[yy]!;
    const ko = yy * ksize;
    const d = yy * w;
    let x = 0;
    for (; x + 4 <= w; x += 4) {
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      let p = r + x;
      for (let t = 0; t < n; t++, p += w) {
        const wt = k[ko + t]!;
        a0 += src[p]! * wt;
        a1 += src[p + 1]! * wt;
        a2 += src[p + 2]! * wt;
        a3 += src[p + 3]! * wt;
      }
      dst[d + x] = a0;
      dst[d + x + 1] = a1;
      dst[d + x + 2] = a2;
      dst[d + x + 3] = a3;
    }
    for (; x < w; x++) {
      let a0 = 0;
      let p = r + x;
      for (let t = 0; t < n; t++, p += w) a0 += src[p]! * k[ko + t]!;
      dst[d + x] = a0;
    }
  }
}
