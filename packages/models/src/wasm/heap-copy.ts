// Slicing straight on the wasm heap. tfjs 4.22's wasm Slice/SplitV first copy the WHOLE input out of
// the heap (readSync) for every call — for the per-tap slices of a filter gradient or the split in a
// concat gradient that dominates. Here rows are moved with TypedArray.copyWithin inside the heap.
import { util, type TensorInfo } from '@tensorflow/tfjs-core';
import type { WasmBackendLike } from './kernel-calls.js';

/** The heap-level members of tfjs's BackendWasm used here (public methods of that class). */
export interface WasmHeapBackend extends WasmBackendLike {
  makeOutput(shape: number[], dtype: string): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/** True when `backend` exposes the heap methods (a tfjs wasm backend). */
export function isWasmHeapBackend(backend: unknown): backend is WasmHeapBackend {
  const b = backend as Partial<WasmHeapBackend> | null;
  return typeof b?.makeOutput === 'function' && typeof b.typedArrayFromHeap === 'function';
}

/**
 * out = x[begin : begin+size] (any rank, numeric dtypes) as a new heap tensor. Copies contiguous runs
 * (the trailing dims the slice spans fully, times the last partial one) with copyWithin.
 */
export function heapSlice(backend: WasmHeapBackend, x: TensorInfo, begin: number[], size: number[]): TensorInfo {
  const rank = x.shape.length;
  const out = backend.makeOutput(size.slice(), x.dtype);
  if (util.sizeFromShape(size) === 0) return out;
  // Views only after makeOutput: an allocation may grow (and replace) the heap buffer.
  const src = backend.typedArrayFromHeap(x);
  const dst = backend.typedArrayFromHeap(out);
  const heap = new (src.constructor as Float32ArrayConstructor)(src.buffer);
  const srcBase = src.byteOffset / src.BYTES_PER_ELEMENT;
  const dstBase = dst.byteOffset / dst.BYTES_PER_ELEMENT;
  const strides = util.computeStrides(x.shape);
  // Innermost contiguous run: trailing fully-spanned dims plus one partial dim.
  let j = rank - 1;
  let run = size[j] ?? 1;
  while (j > 0 && size[j] === x.shape[j]) {
    j--;
    run *= size[j]!;
  }
  const outer = rank === 0 ? [] : size.slice(0, j);
  let srcOff = srcBase;
  for (let d = 0; d < rank; d++) srcOff += begin[d]! * (d < rank - 1 ? strides[d]! : 1);
  const nOuter = util.sizeFromShape(outer);
  if (nOuter === 1) {
    heap.copyWithin(dstBase, srcOff, srcOff + run);
    return out;
  }
  const idx = new Array<number>(outer.length).fill(0);
  let dstOff = dstBase;
  for (let i = 0; i < nOuter; i++) {
    let off = srcOff;
    for (let d = 0; d < outer.length; d++) off += idx[d]! * strides[d]!;
    heap.copyWithin(dstOff, off, off + run);
    dstOff += run;
    for (let d = outer.length - 1; d >= 0; d--) {
      if (++idx[d]! < outer[d]!) break;
      idx[d] = 0;
    }
  }
  return out;
}

/**
 * Spatially flipped filter: out[a, b] = w[kH−1−a, kW−1−b] for w [kH, kW, m, n] (each tap's [m, n]
 * block is contiguous, so this is kH·kW block copies — tfjs's wasm Reverse is ~10× slower).
 */
export function heapFlipTaps(backend: WasmHeapBackend, w: TensorInfo): TensorInfo {
  const [kH, kW, m, n] = w.shape as [number, number, number, number];
  const out = backend.makeOutput(w.shape.slice(), w.dtype);
  const src = backend.typedArrayFromHeap(w);
  const dst = backend.typedArrayFromHeap(out);
  const heap = new (src.constructor as Float32ArrayConstructor)(src.buffer);
  const srcBase = src.byteOffset / src.BYTES_PER_ELEMENT;
  const dstBase = dst.byteOffset / dst.BYTES_PER_ELEMENT;
  const block = m * n;
  for (let a = 0; a < kH; a++) {
    for (let b = 0; b < kW; b++) {
      const from = srcBase + ((kH - 1 - a) * kW + (kW - 1 - b)) * block;
      heap.copyWithin(dstBase + (a * kW + b) * block, from, from + block);
    }
  }
  return out;
}
