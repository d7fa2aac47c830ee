// train(): Adam on a custom step (tf.variableGrads) so that gradients can be accumulated over
// micro-batches, BatchNormalization can be held in inference mode, and every piece of state — weights,
// Adam moments, counters, data position, schedule — can be checkpointed and resumed bit-for-bit.
// The stages, each in its own file: options (validation) → state (fresh or resumed) → per epoch: step
// (forward/backward/accumulate) → evaluate → schedule → checkpointing; progress goes to callbacks.
import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { assertWasmTrainingFits, ensureTrainingKernels, fusedAdam } from '@cxrkit/tfjs-ext/base';
import { fail } from '../errors.js';
import { batchNormSet, freezeBatchNorm } from './batch-norm-mode.js';
import { Checkpointer } from './checkpointing.js';
import { inputLayout } from './data.js';
import { finishEpoch, runEpochSteps } from './epoch.js';
import { checkModelAndData, resolveSettings, validateOptions } from './options.js';
import { combineCallbacks, progressCallbacks } from './progress.js';
import type { TrainRun } from './run.js';
import { freshState, readResumeCheckpoint, resumeState, type AdamInternals, type TrainerState } from './state.js';
import { prepareTargets } from './targets.js';
import { startTrainLog } from './train-log.js';
import type { SampleInput, TrainControl, TrainOptions, TrainResult } from './types.js';

export { DEFAULT_LEARNING_RATE } from './options.js';
export { withSeededRandom } from './seeded-random.js';

/**
 * Trains `model` in place with Adam on the training set, evaluating on the tuning set after every epoch.
 *
 * - Loss: MSE for regression, binary cross-entropy for binary tasks (optional class weights); the task
 *   is inferred from the output (sigmoid → binary, linear → regression) unless given.
 * - Learning rate 1e-3 by default (THESIS.md: "Adam, lr 0.001"); batch size, epochs, gradient
 *   accumulation (effective batch = batchSize × accumulationSteps), augmentation of the training stream
 *   only, keep-best on the tuning metric (AUC for binary, MAE — with R² reported — for age), early
 *   stopping, learning-rate reduction on plateau, BatchNormalization in training or frozen (inference)
 *   mode. Layers frozen with `applyFreezePolicy` stay frozen, their BN in inference mode.
 * - Repeatable: the same `seed` on the same backend gives the same weights (data order, augmentation and
 *   dropout are functions of the seed and the step).
 * - Nothing lost: with `checkpointDir`, checkpoints (weights, Adam state, epoch/step, data position,
 *   schedule, history) are written atomically after every epoch and optionally every N steps;
 *   `resumeFrom` continues a crashed run and ends with the weights an uninterrupted run would have.
 * - Any backend, no set-up call: the gradient fixes of @cxrkit/tfjs-ext are applied, and on `wasm`
 *   cxrkit's training kernels are registered when they are not yet.
 * - Quiet: progress goes to `callbacks` (`createProgressBar()` of `@cxrkit/models/progress-bar` renders
 *   them); nothing is written unless `progress` / `progressStream` ask for it.
 *
 * Images are one-channel `GrayImage`s at the model's input size (stacked to 3 channels for RGB
 * backbones); targets are numbers (0/1, or e.g. age in years).
 *
 * @throws CxrkitError TRAIN_NON_FINITE_LOSS when a loss is NaN/±Inf (names epoch and step; the weights
 *   and the last checkpoint are those before that step), TRAIN_OPTION_* for bad options,
 *   TRAIN_SAMPLE_* for samples that do not fit the model, CHECKPOINT_* for unreadable checkpoints,
 *   WASM_OUT_OF_MEMORY for a batch the wasm heap cannot hold, WASM_TRAINING_KERNELS_MISSING (see
 *   `ensureTrainingKernels` of @cxrkit/tfjs-ext).
 */
export async function train(
  model: tfl.LayersModel,
  data: { train: SampleInput; tune?: SampleInput },
  options: TrainOptions = {},
): Promise<TrainResult> {
  // ---- options, model, data: validated first
  validateOptions(options);
  const { trainSet, tuneSet } = checkModelAndData(model, data);
  ensureTrainingKernels();
  const settings = resolveSettings(model, options, tuneSet !== undefined);
  const layout = inputLayout(model);
  // On wasm (4 GiB heap), refuse a batch that will not fit with WASM_OUT_OF_MEMORY naming the batch size
  // and accumulation steps that keep the effective batch — before any work, not as an abort mid-epoch.
  assertWasmTrainingFits(model, settings.batchSize);
  const callbacks = combineCallbacks(progressCallbacks(options, settings.epochs), options.callbacks ?? {});
  let stopRequested = false;
  const control: TrainControl = { stop: () => void (stopRequested = true) };

  const bn = batchNormSet(model);
  if (model.trainableWeights.length === 0)
    fail(
      'TRAIN_NOTHING_TRAINABLE',
      'the model has no trainable weights',
      model.name,
      "loosen the freeze policy (applyFreezePolicy(model, 'all-trainable'))",
    );
  if (bn.layers.length > 0 && (options.batchNorm ?? 'train') === 'train' && settings.batchSize < 8) {
    await callbacks.onNote(
      `batch size ${settings.batchSize} gives noisy BatchNormalization statistics; ` +
        "consider batchNorm: 'frozen' with gradient accumulation",
    );
  }

  // ---- state: fresh or from a checkpoint
  const weights = model.weights;
  const resumed = await readResumeCheckpoint(options.resumeFrom);
  const seed = resumed?.trainer.seed ?? options.seed ?? Math.floor(Math.random() * 2 ** 31);
  // tfjs's Adam; on wasm (with cxrkit's kernels) one fused kernel per variable, same numbers.
  const optimizer = fusedAdam(settings.learningRate, settings.adam.beta1, settings.adam.beta2, settings.adam.epsilon);
  let st: TrainerState;
  if (resumed) {
    const r = await resumeState(resumed, {
      settings,
      seedOption: options.seed,
      trainSize: trainSet.size,
      weights,
      optimizer,
    });
    st = r.st;
    for (const note of r.notes) await callbacks.onNote(note);
  } else st = freshState(settings, seed, trainSet.size, weights.length);
  const targets = await prepareTargets(model, settings.task, trainSet, options, st, resumed !== undefined);
  if (settings.logFile) await startTrainLog(settings.logFile, st.history);

  const microBatches = Math.ceil(trainSet.size / settings.batchSize);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const unfreezeBatchNorm = options.batchNorm === 'frozen' ? freezeBatchNorm(bn) : () => undefined;
  const checkpoints = new Checkpointer(st, weights, optimizer, callbacks, settings.checkpointDir);
  const run: TrainRun = {
    model,
    options,
    settings,
    st,
    seed,
    trainSet,
    tuneSet,
    layout,
    bn,
    targets,
    optimizer,
    adam: optimizer as unknown as AdamInternals,
    stepContext: {
      model,
      layout,
      task: settings.task,
      seed,
      vars,
      optimizer,
      targets,
      movingStats: bn.movingStats,
      checkpointDir: settings.checkpointDir,
    },
    checkpoints,
    callbacks,
    control,
    stopRequested: () => stopRequested,
    microBatches,
    stepsPerEpoch: Math.ceil(microBatches / settings.accumulationSteps),
  };

  // ---- epochs
  try {
    await callbacks.onTrainBegin(
      {
        epochs: settings.epochs,
        stepsPerEpoch: run.stepsPerEpoch,
        samplesPerEpoch: trainSet.size,
        resumedFrom: resumed?.path,
        startEpoch: st.epoch,
        startStep: st.step,
      },
      control,
    );
    while (st.epoch < settings.epochs && !st.stoppedEarly && !stopRequested) {
      const { finished, startedAt } = await runEpochSteps(run);
      if (!finished) break; // stopped by a callback mid-epoch (checkpoint written)
      await finishEpoch(run, startedAt);
    }
    // ---- end: the best epoch's weights back into the model, in target units
    if (settings.restoreBest && st.bestEpoch > 0) await checkpoints.restoreBest();
    targets.fold();
    const result: TrainResult = {
      history: st.history,
      bestEpoch: st.bestEpoch,
      bestValue: st.best ?? NaN,
      monitor: settings.monitor,
      seed,
      globalSteps: st.globalStep,
      stoppedEarly: st.stoppedEarly,
      ...(resumed ? { resumedFrom: resumed.path } : {}),
      ...(checkpoints.bestCheckpoint ? { bestCheckpoint: checkpoints.bestCheckpoint } : {}),
    };
    await callbacks.onTrainEnd(result);
    return result;
  } finally {
    targets.fold();
    unfreezeBatchNorm();
    checkpoints.dispose();
    optimizer.dispose();
  }
}
