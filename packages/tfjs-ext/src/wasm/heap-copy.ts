// Slicing straight on the wasm heap. tfjs 4.22's wasm Slice/SplitV first copy the WHOLE input out of
// the heap (readSync) for every call — for the per-tap slices of a filter gradient or the split in a
// concat gradient that dominates. Here rows are moved with TypedArray.copyWithin inside the heap.
import { util, type TensorInfo } from '@tensorflow/tfjs-core';
import type { WasmBackendLike } from './kernel-calls.js';

/** The heap-level members of tfjs's BackendWasm used here (public methods of that class). */
export interface WasmHeapBackend extends WasmBackendLike {
  makeOutput(shape: number[], dtype: string, memoryOffset?: number, values?: Float32Array): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
  dataIdMap: { get(dataId: object): { id: number; memoryOffset: number } | undefined; delete(dataId: object): boolean };
  wasm: { tfjs: { disposeData(id: number): void } };
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

/**
 * A float32 tensor that aliases `size(shape)` elements of `base` starting `offset` elements in (no
 * copy). It must be released with {@link releaseHeapView}, never with disposeData (which would free
 * memory the view does not own).
 */
export function heapView(backend: WasmHeapBackend, base: TensorInfo, offset: number, shape: number[]): TensorInfo {
  const entry = backend.dataIdMap.get(base.dataId);
  if (!entry) throw new Error('[cxrkit/tfjs-ext] heapView: the base tensor is not on the wasm heap');
  if (offset < 0 || offset + util.sizeFromShape(shape) > util.sizeFromShape(base.shape)) {
    throw new Error(
      `[cxrkit/tfjs-ext] heapView: [${offset}, +${util.sizeFromShape(shape)}) lies outside a tensor of ${util.sizeFromShape(base.shape)} elements`,
    );
  }
  return backend.makeOutput(shape.slice(), 'float32', entry.memoryOffset + 4 * offset);
}

/** Unregisters a view made by {@link heapView}; its memory stays with the base tensor. */
export function releaseHeapView(backend: WasmHeapBackend, view: TensorInfo): void {
  const entry = backend.dataIdMap.get(view.dataId);
  if (!entry) return;
  backend.wasm.tfjs.disposeData(entry.id);
  backend.dataIdMap.delete(view.dataId);
}

/** Copies all of `src` into `dst` starting `offset` elements in (both float32 heap tensors). */
export function heapCopyInto(backend: WasmHeapBackend, src: TensorInfo, dst: TensorInfo, offset: number): void {
  const s = backend.typedArrayFromHeap(src) as Float32Array;
  const d = backend.typedArrayFromHeap(dst) as Float32Array;
  d.set(s, offset);
}

/**
 * Zero-pads x [n, h, w, c] to [n, hp, wp, c] (padTop rows above, padLeft columns left; rows/columns
 * beyond hp, wp are cropped), phase-splits rows by sH and columns by sW, and writes it channel-major:
 * out[ph, pw, ch, b, a, q] = xpad[b, a·sH + ph, q·sW + pw, ch] with shape [sH, sW, c + extraC, n, hp/sH, wp/sW]
 * (the extraC trailing channels are zero). One pass over x plus one fill (tfjs's wasm Transpose of the
 * equivalent 6-D permutation is a generic scalar loop, ~20× slower).
 */
export function heapPadPhaseTranspose(
  backend: WasmHeapBackend,
  x: TensorInfo,
  p: { hp: number; wp: number; padTop: number; padLeft: number; sH: number; sW: number; extraC: number },
): TensorInfo {
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const { hp, wp, padTop, padLeft, sH, sW, extraC } = p;
  const hq = hp / sH;
  const wq = wp / sW;
  const cp = c + extraC;
  const rowLen = n * hq * wq;
  const out = backend.makeOutput([sH, sW, cp, n, hq, wq], 'float32');
  const src = backend.typedArrayFromHeap(x) as Float32Array;
  const dst = backend.typedArrayFromHeap(out) as Float32Array;
  dst.fill(0);
  const q0 = Math.max(0, padLeft);
  const q1 = Math.min(wp, w + padLeft);
  for (let b = 0; b < n; b++) {
    for (let r = Math.max(0, padTop); r < Math.min(hp, h + padTop); r++) {
      const srcRow = ((b * h + (r - padTop)) * w - padLeft) * c;
      const ph = r % sH;
      const dstRow = b * hq * wq + ((r - ph) / sH) * wq;
      for (let pw = 0; pw < sW; pw++) {
        // columns q ≡ pw (mod sW) in [q0, q1)
        const qStart = q0 + ((pw - (q0 % sW) + sW) % sW);
        if (qStart >= q1) continue;
        const dstPhase = (ph * sW + pw) * cp * rowLen + dstRow + (qStart - pw) / sW;
        const count = Math.floor((q1 - 1 - qStart) / sW) + 1;
        const srcStep = sW * c;
        for (let ch = 0; ch < c; ch++) {
          let s = srcRow + qStart * c + ch;
          let d = dstPhase + ch * rowLen;
          for (let i = 0; i < count; i++, s += srcStep, d++) dst[d] = src[s]!;
        }
      }
    }
  }
  return out;
}

/** Byte address of a tensor's data on the wasm heap. */
export function heapPointer(backend: WasmHeapBackend, t: TensorInfo): number {
  const entry = backend.dataIdMap.get(t.dataId);
  if (!entry) throw new Error('[cxrkit/tfjs-ext] heapPointer: the tensor is not on the wasm heap');
  return entry.memoryOffset;
}
