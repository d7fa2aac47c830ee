// Batch normalisation in training mode as two kernels over the wasm heap, for the `wasm` backend.
// tfjs-layers composes it from tf.moments (Mean → Transpose + reduce, SquaredDifference, Mean again) and
// tf.batchNorm; its gradient then runs back through all of those (each activation-sized, each saving a
// clone of its inputs for the tape). Here:
//   forward  (CxrkitBatchNormTraining):     pass 1 per-channel Σ(x−k), Σ(x−k)² in float64 (k = the
//            channel's first value, against cancellation), pass 2 y = x·a + b with a = γ/√(σ²+ε),
//            b = β − μ·a. Outputs y, μ, σ² (biased, as tfjs).
//   backward (CxrkitBatchNormTrainingGrad): pass 1 Σdy, Σdy·(x−μ); pass 2
//            dx = γ·r·(dy − Σdy/N − (x−μ)·r²·Σdy(x−μ)/N), dγ = r·Σdy(x−μ), dβ = Σdy   (r = 1/√(σ²+ε))
// — the full gradient of y = γ·(x−μ(x))·r(x) + β through the batch statistics.
// `batchNormTraining()` uses them when the current backend has them registered (wasm after
// registerWasmTrainingKernels) and returns undefined otherwise, so callers keep tfjs's own path there.
import * as tf from '@tensorflow/tfjs-core';
import { getKernel, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { heapPointer, isWasmHeapBackend, type WasmHeapBackend } from './heap-copy.js';
import { simdKernels, withScratch } from './simd/index.js';

export const BN_TRAINING = 'CxrkitBatchNormTraining';
export const BN_TRAINING_GRAD = 'CxrkitBatchNormTrainingGrad';

/**
 * Per-channel sums over the rows of [rows, c] tensors, in float64: mode 'moments' gives Σ(x−k), Σ(x−k)²
 * (k = shift); mode 'grad' gives Σdy, Σdy·(x−k) (k = the batch mean). Then `apply` maps every element
 * through per-channel coefficients. SIMD kernels (simd/kernels.wat) when available, else JavaScript.
 */
interface ChannelPass {
  sums(
    mode: 'moments' | 'grad',
    a: TensorInfo,
    b: TensorInfo | undefined,
    shift: Float32Array,
  ): [Float64Array, Float64Array];
  /** out = a·A + B (b undefined) or a·A + b·B + C */
  apply(a: TensorInfo, b: TensorInfo | undefined, out: TensorInfo, coef: Float32Array[]): void;
}

function channelPass(backend: WasmHeapBackend, rows: number, c: number): ChannelPass {
  const simd = simdKernels(backend);
  const view = (t: TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array;
  if (simd) {
    const { kernels, memory, module } = simd;
    return {
      sums: (mode, a, b, shift) =>
        withScratch(module, 28 * c, (p) => {
          const [tot1, tot2, k, acc1, acc2] = [p, p + 8 * c, p + 16 * c, p + 20 * c, p + 24 * c];
          new Float64Array(memory.buffer, tot1, 2 * c).fill(0);
          new Float32Array(memory.buffer, k, c).set(shift);
          if (mode === 'moments') kernels.moments(heapPointer(backend, a), rows, c, k, acc1, acc2, tot1, tot2);
          else
            kernels.gradMoments(heapPointer(backend, a), heapPointer(backend, b!), rows, c, k, acc1, acc2, tot1, tot2);
          return [new Float64Array(memory.buffer, tot1, c).slice(), new Float64Array(memory.buffer, tot2, c).slice()];
        }),
      apply: (a, b, out, coef) =>
        withScratch(module, 4 * c * coef.length, (p) => {
          coef.forEach((v, i) => new Float32Array(memory.buffer, p + 4 * c * i, c).set(v));
          if (b === undefined)
            kernels.affine(heapPointer(backend, a), heapPointer(backend, out), rows, c, p, p + 4 * c);
          else
            kernels.affine2(
              heapPointer(backend, a),
              heapPointer(backend, b),
              heapPointer(backend, out),
              rows,
              c,
              p,
              p + 4 * c,
              p + 8 * c,
            );
        }),
    };
  }
  return {
    sums: (mode, a, b, shift) => {
      const as = view(a);
      const bs = b ? view(b) : as;
      const s1 = new Float64Array(c);
      const s2 = new Float64Array(c);
      const k = Float64Array.from(shift);
      const size = rows * c;
      if (mode === 'moments') {
        for (let i = 0; i < size; i += c) {
          for (let j = 0; j < c; j++) {
            const v = as[i + j]! - k[j]!;
            s1[j] += v;
            s2[j] += v * v;
          }
        }
      } else {
        for (let i = 0; i < size; i += c) {
          for (let j = 0; j < c; j++) {
            const d = as[i + j]!;
            s1[j] += d;
            s2[j] += d * (bs[i + j]! - k[j]!);
          }
        }
      }
      return [s1, s2];
    },
    apply: (a, b, out, coef) => {
      const as = view(a);
      const os = view(out);
      const size = rows * c;
      const [A, B, C] = coef as [Float32Array, Float32Array, Float32Array | undefined];
      if (b === undefined) {
        for (let i = 0; i < size; i += c) for (let j = 0; j < c; j++) os[i + j] = as[i + j]! * A[j]! + B[j]!;
      } else {
        const bs = view(b);
        for (let i = 0; i < size; i += c)
          for (let j = 0; j < c; j++) os[i + j] = as[i + j]! * A[j]! + bs[i + j]! * B[j]! + C![j]!;
      }
    },
  };
}

const bnTrainingWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, scale, offset } = inputs as { x: TensorInfo; scale: TensorInfo; offset: TensorInfo };
  const eps = (attrs as unknown as { varianceEpsilon: number }).varianceEpsilon;
  if (!isWasmHeapBackend(backend)) throw new Error(`[cxrkit/tfjs-ext] ${BN_TRAINING}: not a tfjs wasm backend`);
  const c = x.shape[x.shape.length - 1]!;
  const rows = tf.util.sizeFromShape(x.shape) / c;
  const yInfo = backend.makeOutput(x.shape.slice(), 'float32');
  const pass = channelPass(backend, rows, c);
  // Shift by each channel's first value: Σ(x−k)² then has no catastrophic cancellation.
  const shift = (backend.typedArrayFromHeap(x) as Float32Array).slice(0, c);
  const [s1, s2] = pass.sums('moments', x, undefined, shift);
  const gamma = (backend.typedArrayFromHeap(scale) as Float32Array).slice();
  const beta = (backend.typedArrayFromHeap(offset) as Float32Array).slice();
  const meanOut = new Float32Array(c);
  const varOut = new Float32Array(c);
  const A = new Float32Array(c);
  const B = new Float32Array(c);
  for (let j = 0; j < c; j++) {
    const m1 = s1[j]! / rows;
    const variance = Math.max(0, s2[j]! / rows - m1 * m1);
    const mean = shift[j]! + m1;
    meanOut[j] = mean;
    varOut[j] = variance;
    A[j] = gamma[j]! / Math.sqrt(variance + eps);
    B[j] = beta[j]! - mean * A[j]!;
  }
  pass.apply(x, undefined, yInfo, [A, B]);
  return [
    yInfo,
    backend.makeOutput([c], 'float32', undefined, meanOut),
    backend.makeOutput([c], 'float32', undefined, varOut),
  ];
};

const bnTrainingGradWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, x, scale, mean, variance } = inputs as Record<'dy' | 'x' | 'scale' | 'mean' | 'variance', TensorInfo>;
  const eps = (attrs as unknown as { varianceEpsilon: number }).varianceEpsilon;
  if (!isWasmHeapBackend(backend)) throw new Error(`[cxrkit/tfjs-ext] ${BN_TRAINING_GRAD}: not a tfjs wasm backend`);
  const c = x.shape[x.shape.length - 1]!;
  const rows = tf.util.sizeFromShape(x.shape) / c;
  const dxInfo = backend.makeOutput(x.shape.slice(), 'float32');
  const gamma = (backend.typedArrayFromHeap(scale) as Float32Array).slice();
  const mu = (backend.typedArrayFromHeap(mean) as Float32Array).slice();
  const v = (backend.typedArrayFromHeap(variance) as Float32Array).slice();
  const pass = channelPass(backend, rows, c);
  const [sDy, sDyXm] = pass.sums('grad', dy, x, mu);
  // dx = dy·A + x·B + C
  const A = new Float32Array(c);
  const B = new Float32Array(c);
  const C = new Float32Array(c);
  const dScale = new Float32Array(c);
  const dOffset = new Float32Array(c);
  for (let j = 0; j < c; j++) {
    const r = 1 / Math.sqrt(v[j]! + eps);
    const ar = gamma[j]! * r;
    const br = (-ar * r * r * sDyXm[j]!) / rows;
    A[j] = ar;
    B[j] = br;
    C[j] = (-ar * sDy[j]!) / rows - br * mu[j]!;
    dScale[j] = sDyXm[j]! * r;
    dOffset[j] = sDy[j]!;
  }
  pass.apply(dy, x, dxInfo, [A, B, C]);
  return [
    dxInfo,
    backend.makeOutput([c], 'float32', undefined, dScale),
    backend.makeOutput([c], 'float32', undefined, dOffset),
  ];
};

export const bnTrainingWasmConfig: KernelConfig = {
  kernelName: BN_TRAINING,
  backendName: 'wasm',
  kernelFunc: bnTrainingWasm,
};
export const bnTrainingGradWasmConfig: KernelConfig = {
  kernelName: BN_TRAINING_GRAD,
  backendName: 'wasm',
  kernelFunc: bnTrainingGradWasm,
};

/**
 * Batch normalisation in training mode over every axis but the last (channels-last), with its full
 * gradient, as one fused kernel pair — when the current backend has them (wasm after
 * `registerWasmTrainingKernels()`); otherwise `undefined`, and the caller uses tf.moments + tf.batchNorm.
 * x [..., C], gamma and beta [C] → y (x's shape), batch mean and biased variance [C] (no gradient flows
 * through these two: they feed moving averages). The caller owns all three.
 */
export function batchNormTraining(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  epsilon: number,
): { y: tf.Tensor; mean: tf.Tensor; variance: tf.Tensor } | undefined {
  const backendName = tf.getBackend();
  if (!getKernel(BN_TRAINING, backendName) || !getKernel(BN_TRAINING_GRAD, backendName)) return undefined;
  if (x.dtype !== 'float32' || x.rank < 2) return undefined;
  let stats: tf.Tensor[] = [];
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xx, g, bb, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const [y, mean, variance] = tf
      .engine()
      .runKernel(BN_TRAINING, { x: xx, scale: g, offset: bb }, { varianceEpsilon: epsilon }) as tf.Tensor[];
    stats = [tf.keep(mean!), tf.keep(variance!)];
    save([xx, g, mean!, variance!]);
    return {
      value: y!,
      gradFunc: (dy, saved) => {
        const [sx, sg, sm, sv] = saved as tf.Tensor[];
        return tf
          .engine()
          .runKernel(
            BN_TRAINING_GRAD,
            { dy: dy as tf.Tensor, x: sx!, scale: sg!, mean: sm!, variance: sv! },
            { varianceEpsilon: epsilon },
          ) as tf.Tensor[];
      },
    };
  });
  const y = (op as (...t: tf.Tensor[]) => tf.Tensor)(x, gamma, beta);
  return { y, mean: stats[0]!, variance: stats[1]! };
}
