// Stage 3 of train(): one optimizer step — forward and backward over its micro-batches (gradient
// accumulation), a non-finite loss stopped before it is applied, then Adam.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { deriveSeed, type SampleBatch } from '@cxrkit/core';
import { fail } from '../errors.js';
import { batchTensors, type InputLayout } from './data.js';
import { lossOf } from './loss.js';
import { withSeededRandom } from './seeded-random.js';
import type { TargetPlan } from './targets.js';
import type { TrainTask, TrainingSample } from './types.js';

/** What a step reads besides its batches. */
export interface StepContext {
  model: tfl.LayersModel;
  layout: InputLayout;
  task: TrainTask;
  seed: number;
  /** The trainable weights, as the variables the gradients are taken for. */
  vars: tf.Variable[];
  optimizer: tf.Optimizer;
  targets: TargetPlan;
  /** BatchNormalization moving statistics: restored when a step fails. */
  movingStats: readonly tfl.LayerVariable[];
  /** For the non-finite-loss message: the last checkpoint that stays good. */
  checkpointDir?: string;
}

/** Where a step is (for seeding and messages). */
export interface StepPosition {
  /** 0-based epoch and step within it; global step over the run. */
  epoch: number;
  step: number;
  globalStep: number;
}

/**
 * One optimizer step over `micro` micro-batches read with `next()`, holding `total` samples: each
 * micro-batch's gradient, weighted by its share of the samples, is summed, and Adam applies the sum —
 * the gradient of the whole effective batch. Dropout and other random ops are seeded by
 * (seed, global step, micro-batch). Returns the summed per-sample loss (in target units) and the count.
 * @throws CxrkitError TRAIN_NON_FINITE_LOSS before anything is applied (BN statistics rolled back).
 */
export async function trainStep(
  ctx: StepContext,
  at: StepPosition,
  micro: number,
  total: number,
  next: () => Promise<SampleBatch<TrainingSample>>,
): Promise<{ lossSum: number; count: number }> {
  const { model, layout, task, vars, targets } = ctx;
  const { classWeight, scale } = targets;
  let acc: tf.Tensor[] | undefined;
  let stepLoss = 0;
  // BN moving statistics change during the forward pass; keep a copy to undo a step that fails.
  const statsBefore = ctx.movingStats.map((v) => tf.clone(v.read()));
  try {
    for (let m = 0; m < micro; m++) {
      const { samples, indices: idx } = await next();
      const { inputs, y } = batchTensors(layout, samples, idx);
      const w = classWeight ? tf.tidy(() => tf.add(tf.mul(y, classWeight[1] - classWeight[0]), classWeight[0])) : null;
      const frac = idx.length / total;
      const yFit = scale ? tf.tidy(() => tf.div(tf.sub(y, scale.mean), scale.sd)) : y;
      const { value, grads } = withSeededRandom(deriveSeed(ctx.seed, 'random', at.globalStep, m), () =>
        tf.variableGrads(
          () =>
            lossOf(
              task,
              model.apply(layout.names.length === 1 ? inputs[0]! : inputs, { training: true }) as tf.Tensor,
              yFit,
              w,
            ),
          vars,
        ),
      );
      tf.dispose([...inputs, y, yFit, ...(w ? [w] : [])]);
      // reported in the original units (MSE in years², not in sd²)
      const lossValue = (await value.data())[0]! * (scale ? scale.sd * scale.sd : 1);
      value.dispose();
      if (!Number.isFinite(lossValue)) {
        tf.dispose(Object.values(grads));
        tf.tidy(() => ctx.movingStats.forEach((v, i) => v.write(statsBefore[i]!)));
        const dir = ctx.checkpointDir;
        fail(
          'TRAIN_NON_FINITE_LOSS',
          `the loss became ${lossValue} at epoch ${at.epoch + 1}, step ${at.step + 1} ` +
            `(global step ${at.globalStep + 1}, micro-batch ${m + 1}); training stopped before applying it — ` +
            `the model holds the weights before that step${dir ? ` and ${dir} keeps the last good checkpoint` : ''}`,
          { epoch: at.epoch + 1, step: at.step + 1, globalStep: at.globalStep + 1, samples: idx },
          'lower the learning rate, check the inputs of those samples for NaN/Inf, or resume from the last checkpoint',
        );
      }
      stepLoss += lossValue * idx.length;
      // A trainable weight the loss does not reach gets a zero gradient (keeps Adam's slots aligned).
      const g = vars.map((v) => grads[v.name] ?? tf.zerosLike(v));
      if (!acc) {
        acc = frac === 1 ? g : g.map((t) => tf.mul(t, frac));
        if (frac !== 1) tf.dispose(g);
      } else {
        const prev = acc;
        acc = acc.map((a, i) => tf.tidy(() => tf.add(a, tf.mul(g[i]!, frac))));
        tf.dispose([...prev, ...g]);
      }
    }
    ctx.optimizer.applyGradients(vars.map((v, i) => ({ name: v.name, tensor: acc![i]! })));
  } finally {
    if (acc) tf.dispose(acc);
    tf.dispose(statsBefore);
  }
  return { lossSum: stepLoss, count: total };
}
