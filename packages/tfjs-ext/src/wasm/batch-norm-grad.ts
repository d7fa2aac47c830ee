// Gradient of FusedBatchNorm (tf.batchNorm) without Tile. tfjs-core's gradient tiles rsqrt(var+ε) to
// the full activation shape (Tile is a slow scalar loop on wasm) and keeps two activation-sized
// temporaries alive until the end of the backward pass. This one broadcasts a [C] vector instead and
// reduces eagerly to [C]-sized sums. Gradient registrations are global in tfjs-core, so the wrapper
// delegates to the original gradient on every backend but wasm.
import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, NamedAttrMap, Tensor } from '@tensorflow/tfjs-core';

/**
 * The BN gradient in closed form (x, mean, variance, scale, offset as in tfjs-core):
 *   dx = dy·γ·r, dmean = −Σdy·γ·r, dvar = −½·γ·r³·Σdy(x−μ), dγ = r·Σdy(x−μ), dβ = Σdy,
 * with r = 1/√(var+ε) and Σ over every axis where mean is broadcast.
 */
export function batchNormGradFast(dy: Tensor, saved: Tensor[], attrs: NamedAttrMap): Record<string, () => Tensor> {
  const [x, mean, variance, scale] = saved as [Tensor, Tensor, Tensor, Tensor | undefined];
  const eps = attrs.varianceEpsilon as number;
  const axes = tf.backend_util.getReductionAxes(mean.shape, x.shape);
  const reduce = (t: Tensor) => (axes.length > 0 ? tf.sum(t, axes) : t);
  // [C]-sized results only; activation-sized temporaries die inside the tidy.
  const [r, sumDy, sumDyXm] = tf.tidy(() => {
    const rr = tf.rsqrt(tf.add(variance, eps));
    return [rr, reduce(dy), reduce(tf.mul(dy, tf.sub(x, mean)))];
  });
  const gamma = scale ?? tf.scalar(1);
  return {
    x: () => tf.reshape(tf.mul(dy, tf.mul(r, gamma)), x.shape),
    mean: () => tf.reshape(tf.neg(tf.mul(sumDy, tf.mul(r, gamma))), mean.shape),
    variance: () => tf.reshape(tf.mul(sumDyXm, tf.mul(gamma, tf.mul(tf.pow(r, 3), -0.5))), mean.shape),
    scale: () => tf.reshape(tf.mul(sumDyXm, r), mean.shape),
    offset: () => tf.reshape(sumDy, mean.shape),
  };
}

/** Wraps tfjs-core's FusedBatchNorm gradient: the fast one on `backendName`, the original elsewhere. */
export function fusedBatchNormGradConfig(original: GradConfig, backendName = 'wasm'): GradConfig {
  return {
    kernelName: 'FusedBatchNorm',
    inputsToSave: ['x', 'mean', 'variance', 'scale'],
    gradFunc: (dy, saved, attrs) =>
      tf.getBackend() === backendName
        ? batchNormGradFast(dy as Tensor, saved, attrs)
        : original.gradFunc(dy, saved, attrs),
  };
}
