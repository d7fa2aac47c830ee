// The two losses of the thesis's tasks, as Keras computes them.
import * as tf from '@tensorflow/tfjs-core';
import type { TrainTask } from './types.js';

/**
 * Mean (optionally weighted) loss of a [n, 1] prediction: MSE for regression, binary cross-entropy
 * (Keras's clipping) for binary.
 */
export function lossOf(task: TrainTask, pred: tf.Tensor, y: tf.Tensor, w: tf.Tensor | null): tf.Scalar {
  return tf.tidy(() => {
    let per: tf.Tensor;
    if (task === 'regression') per = tf.square(tf.sub(pred, y));
    else {
      const eps = tf.backend().epsilon();
      const p = tf.clipByValue(pred, eps, 1 - eps);
      per = tf.neg(tf.add(tf.mul(y, tf.log(p)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, p)))));
    }
    return tf.mean(w ? tf.mul(per, w) : per) as tf.Scalar;
  });
}
