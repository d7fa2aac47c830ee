/**
 * Bicubic resize on typed arrays, the way Pillow does it (`Image.resize(size, Image.BICUBIC)` on a
 * float 'F' image): separable Keys cubic convolution with a = −0.5, horizontal pass first, the
 * intermediate stored as float32, and — when shrinking — the kernel support widened by the scale
 * factor (antialiasing), weights normalised to sum 1. TensorFlow.js has no bicubic resize.
 */
import type { GrayImage } from './types.js';
import { CxrkitError } from '../errors.js';
import { checkImage } from './png.js';

export interface ResizeOptions {
  /** Output width in pixels. */
  width: number;
  /** Output height in pixels. */
  height: number;
  /**
   * Widen the kernel by the scale factor when shrinking (Pillow's behaviour; avoids aliasing).
   * Default true. With false, plain Keys interpolation at any scale (like OpenCV INTER_CUBIC,
   * though OpenCV uses a = −0.75).
   */
  antialias?: boolean;
}

/** Keys cubic convolution kernel, a = −0.5 (Pillow's `bicubic_filter`). */
function keys(x: number): number {
  const a = -0.5;
  if (x < 0) x = -x;
  if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
  return 0;
}

interface Coeffs {
  /** First input index per output index. */
  start: Int32Array;
  /** Number of taps per output index. */
  count: Int32Array;
  /** Weights, `ksize` per output index. */
  k: Float64Array;
  ksize: number;
}

/** Pillow's precompute_coeffs for a full-image box. */
function coefficients(inSize: number, outSize: number, antialias: boolean): Coeffs {
  const scale = inSize / outSize;
  const filterscale = antialias ? Math.max(1, scale) : 1;
  const support = 2 * filterscale;
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
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      const w = keys((x + xmin - center + 0.5) * ss);
      k[xx * ksize + x] = w;
      ww += w;
    }
    if (ww !== 0) for (let x = 0; x < xmax; x++) k[xx * ksize + x] = k[xx * ksize + x]! / ww;
    start[xx] = xmin;
    count[xx] = xmax;
  }
  return { start, count, k, ksize };
}

/**
 * Resizes a single-channel image with Pillow-exact bicubic interpolation (Keys a = −0.5,
 * antialiased when shrinking). Equals `Image.fromarray(f32, 'F').resize((w, h), Image.BICUBIC)` to
 * float32 rounding. Values can overshoot the input range slightly (cubic ringing), as in Pillow.
 * @returns a new image of `width × height`.
 */
export function resizeBicubic(image: GrayImage, options: ResizeOptions): GrayImage {
  checkImage(image);
  const { width: outW, height: outH } = options ?? ({} as ResizeOptions);
  for (const [name, v] of [['width', outW], ['height', outH]] as const) {
    if (!Number.isInteger(v) || v < 1 || v > 65536) {
      throw new CxrkitError('RESIZE_BAD_SIZE', `output ${name} must be a positive integer`, { received: v, fix: `pass e.g. { width: 512, height: 512 }` });
    }
  }
  const antialias = options.antialias ?? true;
  const { data, width: inW, height: inH } = image;
  let cur: Float32Array = data;
  let curW = inW;
  // Horizontal pass (Pillow: only when the width changes), restricted to the rows the vertical pass needs.
  const needH = outW !== inW;
  const needV = outH !== inH;
  const vc = needV ? coefficients(inH, outH, antialias) : undefined;
  let rowFirst = 0;
  let rows = inH;
  if (vc) {
    rowFirst = vc.start[0]!;
    rows = vc.start[outH - 1]! + vc.count[outH - 1]! - rowFirst;
  }
  if (needH) {
    const hc = coefficients(inW, outW, antialias);
    const tmp = new Float32Array(outW * rows);
    for (let y = 0; y < rows; y++) {
      const rowOff = (y + rowFirst) * inW;
      for (let xx = 0; xx < outW; xx++) {
        const s0 = hc.start[xx]!;
        const n = hc.count[xx]!;
        const ko = xx * hc.ksize;
        let ss = 0;
        for (let x = 0; x < n; x++) ss += data[rowOff + s0 + x]! * hc.k[ko + x]!;
        tmp[y * outW + xx] = ss;
      }
    }
    cur = tmp;
    curW = outW;
  } else if (vc) {
    cur = data.subarray(rowFirst * inW, (rowFirst + rows) * inW);
  }
  if (!vc) return { data: cur === data ? data.slice() : cur, width: outW, height: outH };
  const out = new Float32Array(outW * outH);
  // Row-wise accumulation in float64: the same tap order (hence the same sums) as Pillow's per-pixel loop.
  const acc = new Float64Array(outW);
  for (let yy = 0; yy < outH; yy++) {
    const s0 = vc.start[yy]! - rowFirst;
    const n = vc.count[yy]!;
    const ko = yy * vc.ksize;
    acc.fill(0);
    for (let y = 0; y < n; y++) {
      const w = vc.k[ko + y]!;
      const r = (s0 + y) * curW;
      for (let xx = 0; xx < outW; xx++) acc[xx] = acc[xx]! + cur[r + xx]! * w;
    }
    out.set(acc, yy * outW);
  }
  return { data: out, width: outW, height: outH };
}
