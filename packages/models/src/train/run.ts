// What the stages of one train() call share: the model, the data, the settings, the state and the
// helpers built from them. Built once by train(); each stage reads what it needs.
import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { BatchNormSet } from './batch-norm-mode.js';
import type { Checkpointer } from './checkpointing.js';
import type { BatchFeed, Source, TargetSample } from './data.js';
import type { TrainSettings } from './options.js';
import type { AdamInternals, TrainerState } from './state.js';
import type { StepContext } from './step.js';
import type { TargetPlan } from './targets.js';
import type { TrainCallbacks, TrainControl, TrainOptions } from './types.js';

export interface TrainRun {
  /** The model being trained (its weights are checkpointed and returned). */
  model: tfl.LayersModel;
  /**
   * What the steps, the evaluation and precise BN run: the model itself, or — training from the feature
   * cache — its trainable suffix, which shares the model's layers and weights.
   */
  net: tfl.LayersModel;
  options: TrainOptions;
  settings: TrainSettings;
  /** The state a checkpoint holds (mutated as the run goes). */
  st: TrainerState;
  seed: number;
  /** The training and tuning samples as the steps read them (images, or rows of the feature cache). */
  trainSet: Source;
  tuneSet?: Source;
  /** Samples → input tensors of `net`. */
  feed: BatchFeed;
  /** Training sample `index` as epoch `epoch` sees it (augmented, or one of its cached augmented copies). */
  readTrain(index: number, epoch: number): Promise<TargetSample>;
  bn: BatchNormSet;
  targets: TargetPlan;
  optimizer: tf.Optimizer;
  adam: AdamInternals;
  stepContext: StepContext;
  checkpoints: Checkpointer;
  callbacks: Required<TrainCallbacks>;
  control: TrainControl;
  /** True once a callback called `control.stop()`. */
  stopRequested(): boolean;
  /** Micro-batches and optimizer steps per epoch. */
  microBatches: number;
  stepsPerEpoch: number;
}
