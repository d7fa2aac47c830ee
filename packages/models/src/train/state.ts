// Stage 2 of train(): the trainer's state — everything besides the weights that a checkpoint must hold
// for a resumed run to end bit-for-bit where an uninterrupted one would — fresh, or from a checkpoint.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { fail } from '../errors.js';
import { readCheckpoint, type LoadedCheckpoint } from './checkpoint.js';
import type { TrainSettings } from './options.js';
import { writeVariables } from './variables.js';
import type { EpochRecord, MonitorMetric, TrainTask } from './types.js';

/** The trainer's JSON state inside a checkpoint. */
export interface TrainerState {
  seed: number;
  task: TrainTask;
  monitor: MonitorMetric;
  batchSize: number;
  accumulationSteps: number;
  trainSize: number;
  backend: string;
  /** Epoch in progress (0-based) and optimizer steps already done in it. */
  epoch: number;
  step: number;
  globalStep: number;
  /** Sum of per-sample losses and sample count of the epoch so far. */
  lossSum: number;
  lossCount: number;
  epochSeconds: number;
  learningRate: number;
  best: number | null;
  bestEpoch: number;
  wait: number;
  plateauWait: number;
  cooldown: number;
  stoppedEarly: boolean;
  history: EpochRecord[];
  /** Adam's bias-correction accumulators β1^t, β2^t as float32 values (restored exactly, not recomputed). */
  adam: { beta1: number; beta2: number; epsilon: number; accBeta1: number; accBeta2: number };
  modelWeights: number;
  /** Regression with standardizeTargets: the model trains in (y − mean) / sd units (see target-scale.ts). */
  targetScale?: { mean: number; sd: number };
}

/** The parts of tfjs's AdamOptimizer that a checkpoint restores exactly. */
export interface AdamInternals {
  learningRate: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
}

/** A checkpoint read for resuming (`resumeFrom`), or undefined. */
export async function readResumeCheckpoint(
  resumeFrom: string | undefined,
): Promise<LoadedCheckpoint<TrainerState> | undefined> {
  return resumeFrom ? readCheckpoint<TrainerState>(resumeFrom) : undefined;
}

/** The state of a run that starts at epoch 0. */
export function freshState(
  settings: TrainSettings,
  seed: number,
  trainSize: number,
  modelWeights: number,
): TrainerState {
  const { task, monitor, batchSize, accumulationSteps, adam } = settings;
  return {
    seed,
    task,
    monitor,
    batchSize,
    accumulationSteps,
    trainSize,
    backend: tf.getBackend(),
    epoch: 0,
    step: 0,
    globalStep: 0,
    lossSum: 0,
    lossCount: 0,
    epochSeconds: 0,
    learningRate: settings.learningRate,
    best: null,
    bestEpoch: 0,
    wait: 0,
    plateauWait: 0,
    cooldown: 0,
    stoppedEarly: false,
    history: [],
    adam: {
      beta1: adam.beta1,
      beta2: adam.beta2,
      epsilon: adam.epsilon ?? tf.backend().epsilon(),
      accBeta1: 0,
      accBeta2: 0,
    },
    modelWeights,
  };
}

/**
 * Puts a checkpoint back: checks that the run is the same (seed, batch, accumulation, task, monitor,
 * training-set size), writes the model weights and Adam's slots, and restores Adam's β^t accumulators
 * and learning rate exactly. Returns the checkpoint's state and the notes to report.
 * @throws CxrkitError TRAIN_RESUME_MISMATCH, CHECKPOINT_MISMATCH.
 */
export async function resumeState(
  resumed: LoadedCheckpoint<TrainerState>,
  run: {
    settings: TrainSettings;
    seedOption?: number;
    trainSize: number;
    weights: readonly tfl.LayerVariable[];
    optimizer: tf.Optimizer;
  },
): Promise<{ st: TrainerState; notes: string[] }> {
  const st = resumed.trainer;
  const { settings } = run;
  const mism: Array<[string, unknown, unknown]> = [
    ['seed', run.seedOption ?? st.seed, st.seed],
    ['batchSize', settings.batchSize, st.batchSize],
    ['accumulationSteps', settings.accumulationSteps, st.accumulationSteps],
    ['task', settings.task, st.task],
    ['monitor', settings.monitor, st.monitor],
    ['training set size', run.trainSize, st.trainSize],
  ];
  for (const [what, now, then] of mism) {
    if (now !== then)
      fail(
        'TRAIN_RESUME_MISMATCH',
        `${what} is ${String(now)} but the checkpoint was written with ${String(then)}`,
        now,
        `resume with the same ${what} (the data order and step count depend on it)`,
      );
  }
  writeVariables(run.weights, resumed.tensors.slice(0, st.modelWeights), resumed.path);
  const optT = resumed.tensors.slice(st.modelWeights);
  const optWeights = optT.map((t) => ({ name: t.name, tensor: tf.tensor(t.data, t.shape, t.dtype) }));
  await run.optimizer.setWeights(optWeights); // Adam's slots become variables sharing these tensors' data
  tf.dispose(optWeights.map((w) => w.tensor));
  // setWeights recomputes β^t with pow(); the uninterrupted run multiplied step by step — restore the
  // exact float32 values, or the first resumed step differs in the last bits.
  const adam = run.optimizer as unknown as AdamInternals;
  tf.tidy(() => {
    adam.accBeta1.assign(tf.scalar(st.adam.accBeta1));
    adam.accBeta2.assign(tf.scalar(st.adam.accBeta2));
  });
  adam.learningRate = st.learningRate;
  const notes: string[] = [];
  if (st.backend !== tf.getBackend())
    notes.push(
      `checkpoint written on backend '${st.backend}', resuming on '${tf.getBackend()}': ` +
        'results will not be bit-identical to an uninterrupted run',
    );
  notes.push(`resuming from ${resumed.path} at epoch ${st.epoch + 1}, step ${st.step} (global step ${st.globalStep})`);
  return { st, notes };
}
