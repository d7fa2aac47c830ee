// What train() derives from the training targets before the first step: class weights, the output
// bias, and the standardised units a regression trains in. The targets are read once (a source
// without `target(i)` loads every sample for it).
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { fail } from '../errors.js';
import { targetOf } from './data.js';
import type { TrainerState } from './state.js';
import type { SampleSource, TrainOptions, TrainTask } from './types.js';

/** The targets of every sample of `set`, in order. */
async function readTargets(set: SampleSource): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < set.size; i++) out.push(await targetOf(set, i));
  return out;
}

/**
 * Sets the output Dense layer's bias to the mean of the training `targets` (regression) or the log-odds
 * of the positive share (binary), and its kernel to zero.
 */
function initOutputBias(model: tfl.LayersModel, task: TrainTask, targets: readonly number[]): void {
  const layer = model.outputLayers[0] as unknown as {
    bias?: tfl.LayerVariable;
    getClassName(): string;
    useBias?: boolean;
  };
  if (layer?.getClassName() !== 'Dense' || !layer.bias)
    fail(
      'TRAIN_OPTION_INVALID',
      'initOutputBias needs a Dense output layer with a bias',
      layer?.getClassName(),
      'drop initOutputBias',
    );
  let sum = 0;
  for (const t of targets) sum += t;
  const mean = sum / targets.length;
  const value =
    task === 'regression'
      ? mean
      : Math.log(Math.min(Math.max(mean, 1e-4), 1 - 1e-4) / (1 - Math.min(Math.max(mean, 1e-4), 1 - 1e-4)));
  const bias = layer.bias!;
  const kernel = (layer as unknown as { kernel?: tfl.LayerVariable }).kernel;
  tf.tidy(() => {
    bias.write(tf.fill(bias.shape as number[], value));
    // A zero kernel makes the untrained model predict exactly that prior instead of a random offset of
    // several standard deviations; the kernel's own gradient is non-zero, so it leaves zero at once.
    if (kernel) kernel.write(tf.zeros(kernel.shape as number[]));
  });
}

/** The output layer when it is a linear Dense with a bias (what standardizeTargets can reparametrise). */
function standardizableOutput(
  model: tfl.LayersModel,
): { kernel: tfl.LayerVariable; bias: tfl.LayerVariable } | undefined {
  const layer = model.outputLayers[0] as unknown as {
    kernel?: tfl.LayerVariable;
    bias?: tfl.LayerVariable;
    activation?: { getClassName(): string };
    getClassName(): string;
  };
  if (
    layer?.getClassName() !== 'Dense' ||
    !layer.kernel ||
    !layer.bias ||
    layer.activation?.getClassName().toLowerCase() !== 'linear'
  )
    return undefined;
  return { kernel: layer.kernel, bias: layer.bias };
}

/** Output layer y = xW + b becomes y·a + c: W ← a·W, b ← a·b + c. */
function scaleOutput(out: { kernel: tfl.LayerVariable; bias: tfl.LayerVariable }, a: number, c: number): void {
  tf.tidy(() => {
    out.kernel.write(tf.mul(out.kernel.read(), a));
    out.bias.write(tf.add(tf.mul(out.bias.read(), a), c));
  });
}

/** What the step needs from the targets, and the undo of the standardisation. */
export interface TargetPlan {
  /** Binary: loss weight per class. */
  classWeight?: { 0: number; 1: number };
  /** Regression in standardised units: the training targets' mean and sd. */
  scale?: { mean: number; sd: number };
  /** Folds mean and sd back into the output layer (the model predicts original units again); idempotent. */
  fold(): void;
}

/**
 * Class weights (binary; 'balanced' as scikit-learn), `initOutputBias` and `standardizeTargets`
 * (regression: the output layer is unfolded into (y − mean) / sd units now; `fold` undoes it). A
 * resumed run (`resumed`) takes its scale from the checkpoint state and leaves the weights alone.
 */
export async function prepareTargets(
  model: tfl.LayersModel,
  task: TrainTask,
  trainSet: SampleSource,
  options: TrainOptions,
  st: TrainerState,
  resumed: boolean,
): Promise<TargetPlan> {
  let targetsRead: Promise<number[]> | undefined;
  const trainTargets = () => (targetsRead ??= readTargets(trainSet));
  let classWeight: { 0: number; 1: number } | undefined;
  if (task === 'binary' && options.classWeight !== undefined) {
    if (options.classWeight === 'balanced') {
      let pos = 0;
      for (const t of await trainTargets()) pos += t >= 0.5 ? 1 : 0;
      const n = trainSet.size;
      if (pos === 0 || pos === n)
        fail(
          'TRAIN_DATA_INVALID',
          "classWeight 'balanced' needs both classes in the training set",
          { positives: pos, n },
          'check the labels',
        );
      classWeight = { 0: n / (2 * (n - pos)), 1: n / (2 * pos) };
    } else classWeight = options.classWeight;
  }
  if (options.initOutputBias && !resumed) initOutputBias(model, task, await trainTargets());
  const outDense = standardizableOutput(model);
  if (task === 'regression' && (options.standardizeTargets ?? true) && !resumed) {
    if (!outDense) {
      if (options.standardizeTargets)
        fail(
          'TRAIN_OPTION_INVALID',
          'standardizeTargets needs a linear Dense output layer with a bias',
          model.outputLayers[0]?.getClassName(),
          'pass standardizeTargets: false',
        );
    } else {
      let sum = 0;
      let sq = 0;
      for (const t of await trainTargets()) {
        sum += t;
        sq += t * t;
      }
      const mean = sum / trainSet.size;
      const sd = Math.sqrt(Math.max(0, sq / trainSet.size - mean * mean)) || 1;
      st.targetScale = { mean, sd };
      scaleOutput(outDense, 1 / sd, -mean / sd);
    }
  }
  let unfolded = st.targetScale !== undefined;
  const scale = st.targetScale;
  return {
    ...(classWeight ? { classWeight } : {}),
    ...(scale ? { scale } : {}),
    fold: () => {
      if (unfolded && outDense && scale) scaleOutput(outDense, scale.sd, scale.mean);
      unfolded = false;
    },
  };
}
