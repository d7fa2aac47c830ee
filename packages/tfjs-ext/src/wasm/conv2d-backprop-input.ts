// Conv2DBackpropInput for the wasm backend. tfjs 4.22's wasm kernel is a scalar loop (~240 ms for a
// 35×35×96 3×3 layer at batch 2); this one runs XNNPACK Conv2Ds. Stride s is handled by polyphase
// decomposition, so no zeros are multiplied: for input position t = i + pad = q·s + r, only kernel taps
// k = r + s·m contribute, so
//   dx[q·s + r − pad] = Σ_m dy[q − m] · W[r + s·m]
// is, per phase r (per axis), a stride-1 correlation of dy with the phase's flipped sub-kernel, its
// in/out channels swapped. The s² phase results are interleaved with one Concat + Transpose.
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { KernelCalls } from './kernel-calls.js';
import { convGeometry } from './conv-geometry.js';

type Attrs = {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | [[number, number], [number, number], [number, number], [number, number]];
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape: [number, number, number, number];
};

export const conv2DBackpropInputWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const a = attrs as unknown as Attrs;
  return KernelCalls.scoped(backend, (k) => inputGrad(k, dy, filter, a));
};

/** One axis of the polyphase plan. */
interface AxisPlan {
  /** First and one-past-last phase index q computed. */
  q0: number;
  q1: number;
  /** Offset of dx[0] in the interleaved result. */
  off: number;
}

function axisPlan(inLen: number, pad: number, s: number): AxisPlan {
  const q0 = Math.floor(pad / s);
  return { q0, q1: Math.ceil((inLen + pad) / s), off: pad - q0 * s };
}

/** Number of kernel taps k < kLen with k ≡ r (mod s). */
const tapsOf = (kLen: number, r: number, s: number) => (r < kLen ? Math.floor((kLen - 1 - r) / s) + 1 : 0);

function inputGrad(k: KernelCalls, dy: TensorInfo, filter: TensorInfo, a: Attrs): TensorInfo {
  const g = convGeometry(
    a.inputShape,
    filter.shape as [number, number, number, number],
    a.strides,
    a.pad,
    a.dimRoundingMode,
    a.dataFormat,
  );
  const { batch: n, inH, inW, inC: ci, outH, outW, outC: co, kH, kW, sH, sW, padTop, padLeft } = g;
  const ph = axisPlan(inH, padTop, sH);
  const pw = axisPlan(inW, padLeft, sW);
  const lenH = ph.q1 - ph.q0;
  const lenW = pw.q1 - pw.q0;

  // flip(W)ᵀ: [kH, kW, ci, co] -> [kH, kW, co, ci] reversed along kH, kW (flipped[a] = W[kH-1-a]).
  const wT = k.transpose(filter, [0, 1, 3, 2]);
  const flipped = kH === 1 && kW === 1 ? wT : k.flipTaps(wT);

  const phases: TensorInfo[] = [];
  for (let rh = 0; rh < sH; rh++) {
    for (let rw = 0; rw < sW; rw++) {
      const mh = tapsOf(kH, rh, sH);
      const mw = tapsOf(kW, rw, sW);
      if (mh === 0 || mw === 0) {
        phases.push(k.run('Fill', {}, { shape: [n, lenH, lenW, ci], value: 0, dtype: 'float32' }));
        continue;
      }
      // Sub-kernel V[jh, jw] = flipped[a0 + s·jh, b0 + s·jw].
      const a0 = kH - 1 - rh - sH * (mh - 1);
      const b0 = kW - 1 - rw - sW * (mw - 1);
      let sub = flipped;
      if (sH > 1 || sW > 1) {
        const taps: TensorInfo[] = [];
        for (let jh = 0; jh < mh; jh++)
          for (let jw = 0; jw < mw; jw++)
            taps.push(k.slice(flipped, [a0 + sH * jh, b0 + sW * jw, 0, 0], [1, 1, co, ci]));
        sub = k.reshape(k.concat(taps, 0), [mh, mw, co, ci]);
        k.free(...taps);
      }
      // Correlation output u = q − q0 reads dy from u + q0 − (m − 1): pad top m − 1 − q0 (crop if < 0).
      const top = mh - 1 - ph.q0;
      const left = mw - 1 - pw.q0;
      const bottom = lenH + mh - 1 - outH - top;
      const right = lenW + mw - 1 - outW - left;
      const src = cropNegative(k, dy, top, bottom, left, right);
      phases.push(
        k.run(
          'Conv2D',
          { x: src, filter: sub },
          {
            strides: [1, 1],
            pad: [
              [0, 0],
              [Math.max(0, top), Math.max(0, bottom)],
              [Math.max(0, left), Math.max(0, right)],
              [0, 0],
            ],
            dilations: [1, 1],
            dataFormat: 'NHWC',
          },
        ),
      );
      if (src !== dy) k.free(src);
      if (sub !== flipped) k.free(sub);
    }
  }
  if (phases.length === 1 && ph.off === 0 && pw.off === 0 && lenH === inH && lenW === inW) return phases[0]!;
  // Interleave: [n, lenH, lenW, sH·sW·ci] -> [n, lenH, sH, lenW, sW, ci] -> [n, lenH·sH, lenW·sW, ci].
  const cat = k.reshape(k.concat(phases, 3), [n, lenH, lenW, sH, sW, ci]);
  const full = k.reshape(k.transpose(cat, [0, 1, 3, 2, 4, 5]), [n, lenH * sH, lenW * sW, ci]);
  if (ph.off === 0 && pw.off === 0 && lenH * sH === inH && lenW * sW === inW) return full;
  return k.slice(full, [0, ph.off, pw.off, 0], [n, inH, inW, ci]);
}

/** Crops dy where a correlation pad is negative (rows/cols that cannot reach the wanted outputs). */
function cropNegative(
  k: KernelCalls,
  dy: TensorInfo,
  top: number,
  bottom: number,
  left: number,
  right: number,
): TensorInfo {
  if (top >= 0 && bottom >= 0 && left >= 0 && right >= 0) return dy;
  const [n, h, w, c] = dy.shape as [number, number, number, number];
  const h0 = Math.max(0, -top);
  const w0 = Math.max(0, -left);
  return k.slice(dy, [0, h0, w0, 0], [n, h - h0 - Math.max(0, -bottom), w - w0 - Math.max(0, -right), c]);
}

/** Kernel config: Conv2DBackpropInput on the wasm backend (replaces tfjs's scalar-loop kernel). */
export const conv2DBackpropInputWasmConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropInput',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInputWasm,
};
