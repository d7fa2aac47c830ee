/**
 * Keras-compatible BatchNormalization for tfjs-layers 4.22 — what it fixes and how.
 *
 * Two defects of the stock `tf.layers.batchNormalization` matter for cxrkit's builders:
 *
 * 1. With `scale: false` (every InceptionV3 BN, as in Keras) or `center: false`, `call()` in training
 *    mode reads `this.gamma.read()` / `this.beta.read()` of weights that were never created and throws;
 *    the fused batch-norm gradient also expects a scale tensor.
 * 2. A frozen layer (`trainable = false`) still normalises with batch statistics in `fit` and still
 *    updates its moving mean/variance. Keras ≥ 2.1.3 runs a frozen BN in inference mode; users fine-tuning
 *    a pretrained backbone expect that.
 *
 * The fix is a subclass, `KerasBatchNormalization`, that
 * - adds NO weights and NO parameters: a missing gamma/beta is replaced inside `call()` by a constant
 *   ones/zeros tensor of shape [channels] (so the gradient kernels get the scale they expect);
 * - normalises with batch statistics and updates the moving averages only when `training` is true AND
 *   the layer is trainable; otherwise it uses the moving statistics (inference mode), untouched;
 * - keeps the Keras class name `BatchNormalization` and the stock config, so a saved `model.json` is a
 *   plain Keras/tfjs BatchNormalization that any `tf.loadLayersModel` (or Keras, or an ONNX exporter:
 *   `scale: false` ⇒ gamma = 1) reads.
 *
 * `registerKerasBatchNormalization()` registers the subclass under that same class name in tfjs's
 * serialization registry (replacing the stock entry), so that models deserialised afterwards — by
 * `loadModel`, or by `tf.loadLayersModel` in the same process — get the fixed layer too. Builders and
 * `loadModel` call it; it is idempotent. Numerics are the stock ones: training-mode variance is the
 * biased batch variance (as tfjs computes it) and moving averages use `moving -= (moving - batch) * (1 - momentum)`.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { batchNormTraining } from '@cxrkit/tfjs-ext/base';

type StockBatchNorm = ReturnType<typeof tfl.layers.batchNormalization>;
type BatchNormArgs = NonNullable<Parameters<typeof tfl.layers.batchNormalization>[0]>;
type Kwargs = Record<string, unknown>;

/** Internal fields of tfjs's BatchNormalization that the subclass reads (present after `build`). */
interface BatchNormInternals {
  axis: number;
  momentum: number;
  epsilon: number;
  center: boolean;
  scale: boolean;
  gamma?: tfl.LayerVariable;
  beta?: tfl.LayerVariable;
  movingMean: tfl.LayerVariable;
  movingVariance: tfl.LayerVariable;
}

// The stock class is not exported by tfjs-layers' public API; take it from an instance so the ESM and
// CJS builds of tfjs-layers each get their own matching base class.
const StockBatchNormalization = Object.getPrototypeOf(tfl.layers.batchNormalization({})).constructor as new (
  args?: BatchNormArgs,
) => StockBatchNorm;

/** BatchNormalization with Keras semantics (see the file header). Serialises as `BatchNormalization`. */
export class KerasBatchNormalization extends StockBatchNormalization {
  /** Same Keras class name as the stock layer: saved models stay plain Keras/tfjs. */
  static className = 'BatchNormalization';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    const self = this as unknown as BatchNormInternals;
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      const ndim = x.rank;
      const axis = self.axis >= 0 ? self.axis : self.axis + ndim;
      const channels = x.shape[axis]!;
      const broadcast = x.shape.map((_, i) => (i === axis ? channels : 1));
      const reductionAxes = x.shape.map((_, i) => i).filter((i) => i !== axis);
      const view = (t: tf.Tensor): tf.Tensor => (axis === ndim - 1 ? t : tf.reshape(t, broadcast));
      const gamma = self.scale && self.gamma ? self.gamma.read() : tf.ones([channels]);
      const beta = self.center && self.beta ? self.beta.read() : tf.zeros([channels]);

      const training = kwargs['training'] === true && this.trainable;
      if (!training) {
        return tf.batchNorm(
          x,
          view(self.movingMean.read()),
          view(self.movingVariance.read()),
          view(beta),
          view(gamma),
          self.epsilon,
        );
      }
      // The fused kernel pair where the backend has it (wasm, see wasm/batch-norm-training.ts).
      const fused = axis === ndim - 1 ? batchNormTraining(x, gamma, beta, self.epsilon) : undefined;
      const { mean, variance } = fused ?? tf.moments(x, reductionAxes, false);
      const y = fused?.y ?? tf.batchNorm(x, view(mean), view(variance), view(beta), view(gamma), self.epsilon);
      const decay = 1 - self.momentum;
      for (const [v, batchValue] of [
        [self.movingMean, mean],
        [self.movingVariance, variance],
      ] as const) {
        tf.tidy(() => {
          const old = v.read();
          v.write(tf.sub(old, tf.mul(tf.sub(old, batchValue), decay)));
        });
      }
      if (fused) tf.dispose([fused.mean, fused.variance]); // kept by the op, not by this tidy
      return y;
    });
  }
}

let registered = false;

/**
 * Registers `KerasBatchNormalization` as the deserialiser for Keras `BatchNormalization` layers in
 * tfjs's serialization registry (idempotent). Called by every builder and by `loadModel`.
 */
export function registerKerasBatchNormalization(): void {
  if (registered) return;
  tf.serialization.registerClass(
    KerasBatchNormalization as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>,
  );
  registered = true;
}

/** `tf.layers.batchNormalization` with the Keras fixes above (same arguments). */
export function batchNormalization(args: BatchNormArgs): KerasBatchNormalization {
  registerKerasBatchNormalization();
  return new KerasBatchNormalization(args);
}

/** True when `layer` is a BatchNormalization layer (the stock tfjs class or ours). */
export function isBatchNormalization(layer: tfl.layers.Layer): boolean {
  return layer.getClassName() === 'BatchNormalization';
}

/**
 * Gives an already-built stock tfjs BatchNormalization layer (e.g. from a model deserialised before
 * `registerKerasBatchNormalization` ran) the Keras behaviour, in place. No-op for our own layers.
 * Safe because the subclass adds no fields, only overrides `call`.
 */
export function upgradeBatchNormalization(layer: tfl.layers.Layer): void {
  if (!isBatchNormalization(layer) || layer instanceof KerasBatchNormalization) return;
  Object.setPrototypeOf(layer, KerasBatchNormalization.prototype);
}
