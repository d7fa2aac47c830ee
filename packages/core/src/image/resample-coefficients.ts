/**
 * Filter tables for separable resampling, computed once per axis the way Pillow's `precompute_coeffs`
 * does (Resample.c): for each output index, the first input index, the number of taps, and the taps'
 * float64 weights normalised to sum 1. When shrinking with antialiasing the filter is widened by the
 * scale factor.
 */

/** The resampling filters: Keys cubic convolution (a = −0.5) and the triangle (linear) filter. */
export type ResampleFilter = 'bicubic' | 'bilinear';

/** Per-axis filter table: output index i reads `count[i]` inputs from `start[i]`, weights at `k[i·ksize …]`. */
export interface ResampleCoefficients {
  /** First input index per output index. */
  start: Int32Array;
  /** Number of taps per output index. */
  count: Int32Array;
  /** Weights (float64), `ksize` slots per output index; only the first `count[i]` are used. */
  k: Float64Array;
  /** Slots per output index. */
  ksize: number;
}

/** Keys cubic convolution kernel, a = −0.5 (Pillow's `bicubic_filter`). */
function bicubic(x: number): number {
  const a = -0.5;
  if (x < 0) x = -x;
  if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
  return 0;
}

/** Triangle kernel (Pillow's `bilinear_filter`). */
function triangle(x: number): number {
  if (x < 0) x = -x;
  return x < 1 ? 1 - x : 0;
}

const FILTERS = { bicubic: { fn: bicubic, support: 2 }, bilinear: { fn: triangle, support: 1 } } as const;

/**
 * Pillow's `precompute_coeffs` for a full-image box: `inSize` input pixels → `outSize` output pixels.
 * With `antialias` (Pillow's behaviour) the kernel is widened by the scale factor when shrinking.
 */
export function resampleCoefficients(
  inSize: number,
  outSize: number,
  filter: ResampleFilter,
  antialias: boolean,
): ResampleCoefficients {
  const { fn, support: base } = FILTERS[filter];
  const scale = inSize / outSize;
  const filterscale = antialias ? Math.max(1, scale) : 1;
  const support = base * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const k = new Float64Array(outSize * ksize);
  const ss = 1 / filterscale;
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    // C's (int) truncates toward zero
    let xmin = Math.trunc(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    let xmax = Math.trunc(center + support + 0.5);
    if (xmax > inSize) xmax = inSize;
    xmax -= xmin;
    const ko = xx * ksize;
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      const w = fn((x + xmin - center + 0.5) * ss);
      k[ko + x] = w;
      ww += w;
    }
    if (ww !== 0) for (let x = 0; x < xmax; x++) k[ko + x] = k[ko + x]! / ww;
    start[xx] = xmin;
    count[xx] = xmax;
  }
  return { start, count, k, ksize };
}
