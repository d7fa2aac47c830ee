/**
 * Separable resampling of a float image, Pillow's ImagingResample on 'F' images: filter tables computed
 * once per axis, a horizontal pass over only the rows the vertical pass reads (into a float32
 * intermediate), then a vertical pass. Runs on the WASM SIMD kernels where they load, else in plain
 * JavaScript; both give the same float32 results.
 */
import type { GrayImage } from './types.js';
import { resampleCoefficients, type ResampleCoefficients, type ResampleFilter } from './resample-coefficients.js';
import { resampleHorizontalJs, resampleVerticalJs } from './resample-js.js';
import { preprocessSimd, type SimdHeap } from './simd/preprocess-simd.js';
import { simdResample } from './simd/preprocess-ops.js';

/** The filter tables of a resize: horizontal and vertical, each only when that size changes (as Pillow). */
export interface ResamplePlan {
  hc?: ResampleCoefficients;
  vc?: ResampleCoefficients;
}

/** Plans `inW × inH → outW × outH` with `filter` (antialiased when shrinking if `antialias`). */
export function planResample(
  inW: number,
  inH: number,
  outW: number,
  outH: number,
  filter: ResampleFilter,
  antialias: boolean,
): ResamplePlan {
  return {
    hc: outW !== inW ? resampleCoefficients(inW, outW, filter, antialias) : undefined,
    vc: outH !== inH ? resampleCoefficients(inH, outH, filter, antialias) : undefined,
  };
}

/** The plain JavaScript resample of `data` (`inW × inH`). @returns a new array of outW × outH. */
export function resampleJs(data: Float32Array, inW: number, inH: number, { hc, vc }: ResamplePlan): Float32Array {
  let rowFirst = 0;
  let rows = inH;
  if (vc) {
    const last = vc.start.length - 1;
    rowFirst = vc.start[0]!;
    rows = vc.start[last]! + vc.count[last]! - rowFirst;
  }
  let cur = data;
  let offset = rowFirst * inW;
  let curW = inW;
  if (hc) {
    const tmp = new Float32Array(hc.start.length * rows);
    resampleHorizontalJs(data, offset, inW, rows, tmp, hc);
    cur = tmp;
    offset = 0;
    curW = hc.start.length;
  }
  if (!vc) return cur === data ? data.slice() : cur;
  const out = new Float32Array(curW * vc.start.length);
  // the intermediate starts at row rowFirst: shift the vertical taps' first rows by it
  resampleVerticalJs(cur, offset - rowFirst * curW, curW, out, vc);
  return out;
}

/** Resamples the image at `ptr` on the SIMD heap. @returns the byte address of the output there. */
export function resampleOnHeap(heap: SimdHeap, ptr: number, inW: number, inH: number, plan: ResamplePlan): number {
  return simdResample(heap, ptr, inW, inH, plan.hc, plan.vc);
}

/** Resamples `image` to `outW × outH` (SIMD when available, else JavaScript). @returns a new image. */
export function resampleImage(
  image: GrayImage,
  outW: number,
  outH: number,
  filter: ResampleFilter,
  antialias: boolean,
): GrayImage {
  const plan = planResample(image.width, image.height, outW, outH, filter, antialias);
  const heap = plan.hc || plan.vc ? preprocessSimd() : undefined;
  if (!heap) return { data: resampleJs(image.data, image.width, image.height, plan), width: outW, height: outH };
  const out = resampleOnHeap(heap, heap.put(image.data), image.width, image.height, plan);
  return { data: heap.f32(out, outW * outH).slice(), width: outW, height: outH };
}
