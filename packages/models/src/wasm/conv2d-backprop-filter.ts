// Conv2DBackpropFilter for the wasm backend (tfjs 4.22 has none; the cpu fallback costs ~85 s per
// 3×3 layer of InceptionV3). Built from wasm's XNNPACK kernels:
//   dW[kh, kw, ci, co] = Σ_{n,oh,ow} xpad[n, oh·s+kh, ow·s+kw, ci] · dy[n, oh, ow, co]
// i.e. per tap one GEMM  dyᵀ [co, K] · X_tap [K, ci]  with K = N·OH·OW. dy is transposed once; X_tap
// is a contiguous-row Slice of the padded input (stride > 1: of a phase-split copy of it).
import { backend_util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { KernelCalls, type WasmBackendLike } from './kernel-calls.js';
import { convGeometry } from './conv-geometry.js';
import { guardBackendMemory } from './memory.js';

type Attrs = {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
};

export const conv2DBackpropFilterWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const a = attrs as unknown as Attrs;
  const g = convGeometry(x.shape as [number, number, number, number], a.filterShape, a.strides, a.pad, a.dimRoundingMode, a.dataFormat);
  guardBackendMemory(backend);
  const k = new KernelCalls(backend as WasmBackendLike);
  try {
    return k.done(filterGrad(k, x, dy, g));
  } catch (e) {
    k.release();
    throw e;
  }
};

function filterGrad(k: KernelCalls, x: TensorInfo, dy: TensorInfo, g: ReturnType<typeof convGeometry>): TensorInfo {
  const { batch: n, inH, inW, inC: ci, outH, outW, outC: co, kH, kW, sH, sW, padTop, padLeft } = g;
  const rows = n * outH * outW;
  const dy2 = k.reshape(dy, [rows, co]);

  // 1×1, stride 1, no padding: one GEMM, transposing whichever operand is smaller.
  if (kH === 1 && kW === 1 && sH === 1 && sW === 1 && padTop === 0 && padLeft === 0 && outH === inH && outW === inW) {
    const x2 = k.reshape(x, [rows, ci]);
    if (ci <= co) return k.reshape(k.matMul(k.transpose(x2, [1, 0]), dy2), [1, 1, ci, co]);
    return k.reshape(k.transpose(k.matMul(k.transpose(dy2, [1, 0]), x2), [1, 0]), [1, 1, ci, co]);
  }

  // Pad/crop x so that every tap's window exists and the padded size is a multiple of the stride.
  const hp = Math.ceil(((outH - 1) * sH + kH) / sH) * sH;
  const wp = Math.ceil(((outW - 1) * sW + kW) / sW) * sW;
  const keepH = Math.min(inH, hp - padTop);
  const keepW = Math.min(inW, wp - padLeft);
  const xc = keepH < inH || keepW < inW ? k.slice(x, [0, 0, 0, 0], [n, keepH, keepW, ci]) : x;
  const xp = k.pad(xc, [[0, 0], [padTop, hp - padTop - keepH], [padLeft, wp - padLeft - keepW], [0, 0]]);
  if (xc !== x) k.free(xc);

  // Phase split for strides: [n, hp/s, s, wp/s, s, ci] -> [s, s, n, hp/s, wp/s, ci] (a no-op for s = 1),
  // so tap (kh, kw) is the 4-D slice of phase (kh mod s, kw mod s) at offset (kh div s, kw div s).
  const hq = hp / sH;
  const wq = wp / sW;
  let phases = xp;
  if (sH > 1 || sW > 1) {
    const x6 = k.reshape(xp, [n, hq, sH, wq, sW, ci]);
    phases = k.reshape(k.transpose(x6, [2, 4, 0, 1, 3, 5]), [sH * sW * n, hq, wq, ci]);
    k.free(x6, xp);
  }

  const dyT = k.transpose(dy2, [1, 0]); // [co, rows]
  k.free(dy2);
  const perTap: TensorInfo[] = [];
  for (let kh = 0; kh < kH; kh++) {
    for (let kw = 0; kw < kW; kw++) {
      const phase = (kh % sH) * sW + (kw % sW);
      const tap = k.slice(phases, [phase * n, Math.floor(kh / sH), Math.floor(kw / sW), 0], [n, outH, outW, ci]);
      const tap2 = k.reshape(tap, [rows, ci]);
      perTap.push(k.matMul(dyT, tap2)); // [co, ci]
      k.free(tap, tap2);
    }
  }
  k.free(phases, dyT);
  // [kH·kW] × [co, ci] -> [kH·kW, co, ci] -> [kH, kW, ci, co]
  const stacked = k.concat(perTap, 0);
  const s3 = k.reshape(stacked, [kH * kW, co, ci]);
  return k.reshape(k.transpose(s3, [0, 2, 1]), [kH, kW, ci, co]);
}

/** Kernel config: Conv2DBackpropFilter on the wasm backend. */
export const conv2DBackpropFilterWasmConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilterWasm,
};
