// What the stages of one train() call share: the model, the data, the settings, the state and the
// helpers built from them. Built once by train(); each stage reads what it needs.
import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { BatchNormSet } from './batch-norm-mode.js';
import type { Checkpointer } from './checkpointing.js';
import type { InputLayout } from './data.js';
import type { TrainSettings } from './options.js';
import type { AdamInternals, TrainerState } from './state.js';
import type { StepContext } from './step.js';
import type { TargetPlan } from './targets.js';
import type { SampleSource, TrainCallbacks, TrainControl, TrainOptions } from './types.js';

export interface TrainRun {
  model: tfl.LayersModel;
  options: TrainOptions;
  settings: TrainSettings;
  /** The state a checkpoint holds (mutated as the run goes). */
  st: TrainerState;
  seed: number;
  trainSet: SampleSource;
  tuneSet?: SampleSource;
  layout: InputLayout;
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
