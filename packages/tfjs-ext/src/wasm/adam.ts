// Adam as one kernel per variable on the wasm backend. tfjs's AdamOptimizer runs ~12 element-wise ops
// per variable (each a pass over the variable, each a kernel call with its bookkeeping): for InceptionV3
// (190 trainable tensors, 21.8 M parameters) ~2,300 calls per step. `CxrkitAdam` does the same update
// in one SIMD pass (simd/kernels.wat "adam"), operation by operation in float32 as tfjs computes it:
//   m' = m·β1 + g·(1−β1),  v' = v·β2 + g²·(1−β2),  w' = w − lr·((m'/(1−β1ᵗ)) / (√(v'/(1−β2ᵗ)) + ε))
// into NEW buffers (the old ones may be shared: clones, and the slots setWeights creates share data).
// `FusedAdamOptimizer` is tfjs's AdamOptimizer (same class name, config, weights and serialisation) with
// applyGradients using that kernel where it is registered (wasm after registerWasmTrainingKernels), and
// tfjs's own code everywhere else.
import * as tf from '@tensorflow/tfjs-core';
import { getKernel, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';

/** applyGradients' argument: { [variable name]: gradient } or [{ name, tensor }]. */
type VariableGradients = Parameters<tf.AdamOptimizer['applyGradients']>[0];
import { heapPointer, isWasmHeapBackend } from './heap-copy.js';
import { simdKernels } from './simd/index.js';

export const ADAM_KERNEL = 'CxrkitAdam';

interface AdamAttrs {
  lr: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** 1 − β1ᵗ and 1 − β2ᵗ as float32 (tfjs computes them as float32 tensors). */
  d1: number;
  d2: number;
}

const f = Math.fround;

const adamWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const { w, g, m, v } = inputs as Record<'w' | 'g' | 'm' | 'v', TensorInfo>;
  const a = attrs as unknown as AdamAttrs;
  if (!isWasmHeapBackend(backend)) throw new Error(`[cxrkit/tfjs-ext] ${ADAM_KERNEL}: not a tfjs wasm backend`);
  const n = tf.util.sizeFromShape(w.shape);
  const wOut = backend.makeOutput(w.shape.slice(), 'float32');
  const mOut = backend.makeOutput(w.shape.slice(), 'float32');
  const vOut = backend.makeOutput(w.shape.slice(), 'float32');
  const ob1 = f(1 - a.beta1); // tfjs: mul(g, 1 − β1) with 1 − β1 computed in float64, then a float32 scalar
  const ob2 = f(1 - a.beta2);
  const simd = simdKernels(backend);
  if (simd) {
    const p = (t: TensorInfo) => heapPointer(backend, t);
    simd.kernels.adam(
      p(w),
      p(g),
      p(m),
      p(v),
      p(wOut),
      p(mOut),
      p(vOut),
      n,
      a.lr,
      a.beta1,
      a.beta2,
      ob1,
      ob2,
      a.epsilon,
      a.d1,
      a.d2,
    );
  } else {
    const [ws, gs, ms, vs] = [w, g, m, v].map((t) => backend.typedArrayFromHeap(t) as Float32Array) as [
      Float32Array,
      Float32Array,
      Float32Array,
      Float32Array,
    ];
    const [wo, mo, vo] = [wOut, mOut, vOut].map((t) => backend.typedArrayFromHeap(t) as Float32Array) as [
      Float32Array,
      Float32Array,
      Float32Array,
    ];
    const [lr, b1, b2, eps, d1, d2] = [a.lr, a.beta1, a.beta2, a.epsilon, a.d1, a.d2].map(f) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    for (let i = 0; i < n; i++) {
      const gi = gs[i]!;
      const mi = f(f(ms[i]! * b1) + f(gi * ob1));
      const vi = f(f(vs[i]! * b2) + f(f(gi * gi) * ob2));
      mo[i] = mi;
      vo[i] = vi;
      wo[i] = f(ws[i]! - f(lr * f(f(mi / d1) / f(f(Math.sqrt(f(vi / d2))) + eps))));
    }
  }
  return [wOut, mOut, vOut];
};

export const adamWasmConfig: KernelConfig = { kernelName: ADAM_KERNEL, backendName: 'wasm', kernelFunc: adamWasm };

/** The private state of tfjs's AdamOptimizer that the fused step reads and updates. */
interface AdamState {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: Array<{ originalName: string; variable: tf.Variable } | undefined>;
  accumulatedSecondMoment: Array<{ originalName: string; variable: tf.Variable } | undefined>;
  incrementIterations(): void;
}

/**
 * tfjs's AdamOptimizer with a fused update on backends that register `CxrkitAdam` (wasm, after
 * `registerWasmTrainingKernels()`): same class name ('Adam'), config, slot variables, `getWeights` /
 * `setWeights` and results (float32 operation by operation). Elsewhere it is tfjs's AdamOptimizer.
 */
export class FusedAdamOptimizer extends tf.AdamOptimizer {
  override applyGradients(variableGradients: VariableGradients): void {
    if (!getKernel(ADAM_KERNEL, tf.getBackend())) {
      super.applyGradients(variableGradients);
      return;
    }
    const self = this as unknown as AdamState;
    const names = Array.isArray(variableGradients)
      ? variableGradients.map((v) => v.name)
      : Object.keys(variableGradients);
    tf.tidy(() => {
      const d1 = tf.sub(1, self.accBeta1).dataSync()[0]!;
      const d2 = tf.sub(1, self.accBeta2).dataSync()[0]!;
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name]!;
        self.accumulatedFirstMoment[i] ??= {
          originalName: `${name}/m`,
          variable: tf.tidy(() => tf.variable(tf.zerosLike(value), false)),
        };
        self.accumulatedSecondMoment[i] ??= {
          originalName: `${name}/v`,
          variable: tf.tidy(() => tf.variable(tf.zerosLike(value), false)),
        };
        const gradient = Array.isArray(variableGradients)
          ? variableGradients[i]!.tensor
          : (variableGradients as Record<string, tf.Tensor>)[name];
        if (gradient == null) return;
        const m = self.accumulatedFirstMoment[i]!.variable;
        const v = self.accumulatedSecondMoment[i]!.variable;
        const attrs: AdamAttrs = {
          lr: self.learningRate,
          beta1: self.beta1,
          beta2: self.beta2,
          epsilon: self.epsilon,
          d1,
          d2,
        };
        const [w2, m2, v2] = tf
          .engine()
          .runKernel(ADAM_KERNEL, { w: value, g: gradient, m, v }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
        m.assign(m2!);
        v.assign(v2!);
        value.assign(w2!);
      });
      self.accBeta1.assign(tf.mul(self.accBeta1, self.beta1));
      self.accBeta2.assign(tf.mul(self.accBeta2, self.beta2));
    });
    self.incrementIterations();
  }
}

/** `tf.train.adam` with the fused wasm update (see {@link FusedAdamOptimizer}); same arguments. */
export function fusedAdam(learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon?: number): FusedAdamOptimizer {
  return new FusedAdamOptimizer(learningRate, beta1, beta2, epsilon as number);
}
