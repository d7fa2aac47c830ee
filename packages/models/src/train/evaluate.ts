// The evaluation after each epoch: the tuning set predicted in batches, its loss and the task's metrics.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { sampleBatches } from '@cxrkit/core';
import { meanAbsoluteError, r2Score, rocAuc, rootMeanSquaredError } from '@cxrkit/metrics';
import { batchTensors, type InputLayout } from './data.js';
import { lossOf } from './loss.js';
import type { SampleSource, TrainTask, TuneMetrics } from './types.js';

/**
 * Predicts `set` in batches of `batchSize` (inference mode, in order) and computes its loss and metrics:
 * AUC for binary; MAE, R² and RMSE for regression. `scale` maps standardised outputs back to target units.
 */
export async function evaluate(
  model: tfl.LayersModel,
  task: TrainTask,
  set: SampleSource,
  layout: InputLayout,
  batchSize: number,
  scale?: { mean: number; sd: number },
): Promise<TuneMetrics> {
  const yTrue = new Float64Array(set.size);
  const yPred = new Float64Array(set.size);
  let lossSum = 0;
  const order = Array.from({ length: set.size }, (_, i) => i);
  for await (const { samples, indices: idx } of sampleBatches(order, { batchSize, read: (i) => set.get(i) })) {
    const { inputs, y } = batchTensors(layout, samples, idx);
    const [pred, loss] = tf.tidy(() => {
      const raw = model.apply(layout.names.length === 1 ? inputs[0]! : inputs, { training: false }) as tf.Tensor;
      const p = scale ? tf.add(tf.mul(raw, scale.sd), scale.mean) : raw;
      return [p, lossOf(task, p, y, null)];
    });
    const pv = await pred.data();
    lossSum += (await loss.data())[0]! * idx.length;
    idx.forEach((i, k) => {
      yTrue[i] = samples[k]!.target;
      yPred[i] = pv[k]!;
    });
    tf.dispose([pred, loss, y, ...inputs]);
  }
  const out: TuneMetrics = { loss: lossSum / set.size };
  if (task === 'binary') {
    const labels = Array.from(yTrue, (v) => (v >= 0.5 ? 1 : 0));
    out.auc = labels.includes(0) && labels.includes(1) ? rocAuc(labels, yPred) : NaN;
  } else {
    out.mae = meanAbsoluteError(yTrue, yPred);
    out.r2 = set.size > 1 ? r2Score(yTrue, yPred) : NaN;
    out.rmse = rootMeanSquaredError(yTrue, yPred);
  }
  return out;
}
