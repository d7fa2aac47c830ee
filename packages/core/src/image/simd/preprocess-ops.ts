/**
 * The WASM SIMD preprocessing steps on a SimdHeap: the radix-select counts of the percentile clip, the
 * clip + min-max map, and the two resampling passes. Each has a JavaScript twin that computes the same
 * numbers (percentiles.ts jsRadixCounter, normalize.ts, resample-js.ts).
 */
import type { RadixCounter } from '../percentiles.js';
import type { ResampleCoefficients } from '../resample-coefficients.js';
import type { SimdHeap } from './preprocess-simd.js';

const TOP = 1 << 16;

/** Radix-select counts over the `n` float32 values at `ptr` on the heap. */
export function simdRadixCounter(heap: SimdHeap, ptr: number, n: number): RadixCounter {
  const zeroed = (count: number) => {
    const p = heap.alloc(count * 4);
    heap.i32(p, count).fill(0);
    return p;
  };
  const slotTable = (slotOfBin: Int8Array) => {
    const p = heap.alloc(TOP);
    heap.i8(p, TOP).set(slotOfBin);
    return p;
  };
  return {
    high(step) {
      const h = zeroed(TOP);
      heap.kernels.histHigh(ptr, n, step, h);
      return heap.i32(h, TOP).slice();
    },
    low(slotOfBin, slots) {
      const s = slotTable(slotOfBin);
      const l = zeroed(slots * TOP);
      heap.kernels.histLow(ptr, n, s, l);
      return heap.i32(l, slots * TOP).slice();
    },
    both(slotOfBin, slots) {
      const s = slotTable(slotOfBin);
      const h = zeroed(TOP);
      const l = zeroed(slots * TOP);
      heap.kernels.histBoth(ptr, n, h, s, l);
      return { high: heap.i32(h, TOP).slice(), low: heap.i32(l, slots * TOP).slice() };
    },
    hasNaN() {
      const v = heap.f32(ptr, n);
      for (let i = 0; i < n; i++) if (Number.isNaN(v[i])) return true;
      return false;
    },
  };
}

/** (start, count) pairs of a filter table, starts shifted by −`shift`. */
function bounds(c: ResampleCoefficients, shift: number): Int32Array {
  const out = new Int32Array(2 * c.start.length);
  for (let i = 0; i < c.start.length; i++) {
    out[2 * i] = c.start[i]! - shift;
    out[2 * i + 1] = c.count[i]!;
  }
  return out;
}

/**
 * Separable resampling of the `inW × inH` float32 image at `ptr` on the heap: horizontal pass with `hc`
 * (if given) over the rows the vertical pass needs, then vertical pass with `vc` (if given) — Pillow's
 * order and arithmetic. @returns the byte address of the output (`ptr` itself when neither is given).
 */
export function simdResample(
  heap: SimdHeap,
  ptr: number,
  inW: number,
  inH: number,
  hc?: ResampleCoefficients,
  vc?: ResampleCoefficients,
): number {
  let rowFirst = 0;
  let rows = inH;
  if (vc) {
    const last = vc.start.length - 1;
    rowFirst = vc.start[0]!;
    rows = vc.start[last]! + vc.count[last]! - rowFirst;
  }
  let cur = ptr + rowFirst * inW * 4;
  let curW = inW;
  if (hc) {
    const outW = hc.start.length;
    const b = heap.put(bounds(hc, 0));
    const k = heap.put(hc.k);
    const scratch = heap.alloc(inW * 64);
    const tmp = heap.alloc(outW * rows * 4);
    heap.kernels.resampleH(cur, inW, rows, tmp, outW, b, k, hc.ksize, scratch);
    cur = tmp;
    curW = outW;
  }
  if (vc) {
    const outH = vc.start.length;
    const b = heap.put(bounds(vc, rowFirst));
    const k = heap.put(vc.k);
    const out = heap.alloc(curW * outH * 4);
    heap.kernels.resampleV(cur, curW, out, outH, b, k, vc.ksize);
    cur = out;
  }
  return cur;
}
