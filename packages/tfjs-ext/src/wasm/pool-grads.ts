// MaxPoolGrad and AvgPoolGrad for the wasm backend, each one pass over the heap (WASM SIMD over
// channels, simd/kernels.wat; the same loops in JavaScript where SIMD is unavailable) (tfjs 4.22's
// wasm kernels revisit every window for every input pixel: ~60 ms per InceptionV3 max-pool layer and
// ~13 ms per average-pool layer at batch 2).
// MaxPoolGrad: for each output window,
// channels innermost (contiguous in NHWC), find the first maximum in row-major window order (strict >,
// exactly tfjs-cpu's maxPoolPositions) and add dy there.
// AvgPoolGrad: add dy/(fH·fW) to every in-bounds pixel of each window — tfjs's kernel semantics on every
// backend (the border correction for 'same' padding is in avg-pool-grad.ts, as a gradient).
import { backend_util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { heapPointer, isWasmHeapBackend } from './heap-copy.js';
import { simdKernels } from './simd/index.js';

/** Pool attributes as tfjs passes them to MaxPoolGrad / AvgPoolGrad. */
interface PoolAttrs {
  filterSize: [number, number] | number;
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** NHWC pooling geometry (tfjs-core's computePool2DInfo), in the order the SIMD kernels take it. */
function poolGeometry(input: TensorInfo, a: PoolAttrs) {
  const info = backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    a.filterSize,
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
  );
  const {
    batchSize: n,
    inHeight: ih,
    inWidth: iw,
    inChannels: ch,
    outHeight: oh,
    outWidth: ow,
    strideHeight: sh,
    strideWidth: sw,
  } = info;
  return {
    n,
    ih,
    iw,
    ch,
    oh,
    ow,
    sh,
    sw,
    fh: info.effectiveFilterHeight,
    fw: info.effectiveFilterWidth,
    top: info.padInfo.top,
    left: info.padInfo.left,
  };
}

export const maxPoolGradWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
  if (!isWasmHeapBackend(backend)) throw new Error('[cxrkit/tfjs-ext] MaxPoolGrad: not a tfjs wasm backend');
  const { n, ih, iw, ch, oh, ow, sh, sw, fh, fw, top, left } = poolGeometry(input, attrs as unknown as PoolAttrs);
  const dx = backend.makeOutput(input.shape.slice(), 'float32');
  // Views after the allocation (it may replace the heap buffer).
  const x = backend.typedArrayFromHeap(input) as Float32Array;
  const g = backend.typedArrayFromHeap(dy) as Float32Array;
  const out = backend.typedArrayFromHeap(dx) as Float32Array;
  out.fill(0);
  const simd = simdKernels(backend);
  if (simd) {
    const p = (t: TensorInfo) => heapPointer(backend, t);
    simd.kernels.maxPoolGrad(p(input), p(dy), p(dx), n, ih, iw, ch, oh, ow, sh, sw, fh, fw, top, left);
    return dx;
  }
  const best = new Float32Array(ch);
  const at = new Int32Array(ch);
  const rowStride = iw * ch;
  for (let b = 0; b < n; b++) {
    const xb = b * ih * rowStride;
    for (let r = 0; r < oh; r++) {
      const r0 = r * sh - top;
      const rMin = Math.max(0, r0);
      const rMax = Math.min(ih, r0 + fh);
      for (let c = 0; c < ow; c++) {
        const c0 = c * sw - left;
        const cMin = Math.max(0, c0);
        const cMax = Math.min(iw, c0 + fw);
        best.fill(-Infinity);
        at.fill(-1);
        for (let xr = rMin; xr < rMax; xr++) {
          for (let xc = cMin; xc < cMax; xc++) {
            const base = xb + xr * rowStride + xc * ch;
            for (let d = 0; d < ch; d++) {
              const v = x[base + d]!;
              if (v > best[d]!) {
                best[d] = v;
                at[d] = base + d;
              }
            }
          }
        }
        const gBase = ((b * oh + r) * ow + c) * ch;
        for (let d = 0; d < ch; d++) {
          const p = at[d]!;
          if (p >= 0) out[p] = out[p]! + g[gBase + d]!;
        }
      }
    }
  }
  return dx;
};

/** Kernel config: MaxPoolGrad on the wasm backend. */
export const maxPoolGradWasmConfig: KernelConfig = {
  kernelName: 'MaxPoolGrad',
  backendName: 'wasm',
  kernelFunc: maxPoolGradWasm,
};

export const avgPoolGradWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
  if (!isWasmHeapBackend(backend)) throw new Error('[cxrkit/tfjs-ext] AvgPoolGrad: not a tfjs wasm backend');
  const { n, ih, iw, ch, oh, ow, sh, sw, fh, fw, top, left } = poolGeometry(input, attrs as unknown as PoolAttrs);
  const mult = 1 / (fh * fw);
  const dx = backend.makeOutput(input.shape.slice(), 'float32');
  const g = backend.typedArrayFromHeap(dy) as Float32Array;
  const out = backend.typedArrayFromHeap(dx) as Float32Array;
  out.fill(0);
  const simd = simdKernels(backend);
  if (simd) {
    simd.kernels.avgPoolGrad(
      heapPointer(backend, dy),
      heapPointer(backend, dx),
      n,
      ih,
      iw,
      ch,
      oh,
      ow,
      sh,
      sw,
      fh,
      fw,
      top,
      left,
      mult,
    );
    return dx;
  }
  const w = new Float32Array(ch);
  const rowStride = iw * ch;
  for (let b = 0; b < n; b++) {
    const xb = b * ih * rowStride;
    for (let r = 0; r < oh; r++) {
      const r0 = r * sh - top;
      const rMin = Math.max(0, r0);
      const rMax = Math.min(ih, r0 + fh);
      for (let c = 0; c < ow; c++) {
        const c0 = c * sw - left;
        const cMin = Math.max(0, c0);
        const cMax = Math.min(iw, c0 + fw);
        const gBase = ((b * oh + r) * ow + c) * ch;
        for (let d = 0; d < ch; d++) w[d] = g[gBase + d]! * mult;
        for (let xr = rMin; xr < rMax; xr++) {
          for (let xc = cMin; xc < cMax; xc++) {
            const base = xb + xr * rowStride + xc * ch;
            for (let d = 0; d < ch; d++) out[base + d] = out[base + d]! + w[d]!;
          }
        }
      }
    }
  }
  return dx;
};

/** Kernel config: AvgPoolGrad on the wasm backend. */
export const avgPoolGradWasmConfig: KernelConfig = {
  kernelName: 'AvgPoolGrad',
  backendName: 'wasm',
  kernelFunc: avgPoolGradWasm,
};
