// Conv2DBackpropFilter for the wasm backend (tfjs 4.22 has none; the cpu fallback costs ~85 s per
// 3×3 layer of InceptionV3). Built from wasm's XNNPACK Conv2D, run as a GEMM with dy as its filter:
//   dW[kh, kw, ci, co] = Σ_{n,oh,ow} xpad[n, oh·s+kh, ow·s+kw, ci] · dy[n, oh, ow, co]
// x is padded and transposed once to channel-major rows XT[phase, ci, n, hq, wq] (stride s: phase-split,
// so tap (kh, kw) reads phase (kh mod s, kw mod s) at grid offset (kh div s, kw div s)); dy is
// zero-padded once to the same [n, hq, wq] grid. On that grid, tap t's operand is XT shifted by
// off_t = (kh div s)·wq + (kw div s) elements: a no-copy view [ci, L] (L = n·hq·wq), because every
// position where the padded dy is non-zero reads inside its own row (positions where it wraps into the
// next row multiply zeros). Each tap is then one 1×1 Conv2D of that view ([1, 1, ci, L]) with the
// padded dy as the filter ([1, 1, L, co]): XNNPACK packs that filter once per layer (its operator cache
// is keyed by the filter tensor) and runs on the wasm thread pool. (A BatchMatMul form re-packs its
// right operand for every tap — ~2× the GEMM itself — and tfjs's wasm BatchMatMul.)
import type { backend_util, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { KernelCalls } from './kernel-calls.js';
import { convGeometry } from './conv-geometry.js';
import { heapCopyInto } from './heap-copy.js';

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
  const g = convGeometry(
    x.shape as [number, number, number, number],
    a.filterShape,
    a.strides,
    a.pad,
    a.dimRoundingMode,
    a.dataFormat,
  );
  return KernelCalls.scoped(backend, (k) => filterGrad(k, x, dy, g));
};

function filterGrad(k: KernelCalls, x: TensorInfo, dy: TensorInfo, g: ReturnType<typeof convGeometry>): TensorInfo {
  const { batch: n, inC: ci, outH, outW, outC: co, kH, kW, sH, sW, padTop, padLeft } = g;
  // Padded extents: every tap's window exists, and a multiple of the stride.
  const hp = Math.ceil(((outH - 1) * sH + kH) / sH) * sH;
  const wp = Math.ceil(((outW - 1) * sW + kW) / sW) * sW;
  const hq = hp / sH;
  const wq = wp / sW;
  const rowLen = n * hq * wq; // L
  const maxOff = Math.floor((kH - 1) / sH) * wq + Math.floor((kW - 1) / sW);
  // The last row's view may read maxOff elements past the end: one extra zero channel covers it.
  const extraC = maxOff > 0 ? 1 : 0;

  const xt = k.padPhaseTranspose(x, { hp, wp, padTop, padLeft, sH, sW, extraC });
  const cp = ci + extraC;

  const dyp = k.pad(dy, [
    [0, 0],
    [0, hq - outH],
    [0, wq - outW],
    [0, 0],
  ]);
  const filter = k.reshape(dyp, [1, 1, rowLen, co]);
  k.free(dyp);

  const out = k.output([kH, kW, ci, co]);
  for (let kh = 0; kh < kH; kh++) {
    for (let kw = 0; kw < kW; kw++) {
      const phase = (kh % sH) * sW + (kw % sW);
      const off = phase * cp * rowLen + Math.floor(kh / sH) * wq + Math.floor(kw / sW);
      const view = k.view(xt, off, [1, 1, ci, rowLen]);
      const tap = k.run(
        'Conv2D',
        { x: view, filter },
        { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1] },
      );
      k.freeView(view);
      heapCopyInto(k.heapBackend(), tap, out, (kh * kW + kw) * ci * co);
      k.free(tap);
    }
  }
  k.free(xt, filter);
  return out;
}

/** Kernel config: Conv2DBackpropFilter on the wasm backend. */
export const conv2DBackpropFilterWasmConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilterWasm,
};
