// Stage 1 of train(): the arguments, validated first (with the received value and the fix in every
// error), and the options resolved into the settings the other stages read.
import * as tfl from '@tensorflow/tfjs-layers';
import { assertKnownKeys, didYouMean } from '@cxrkit/core';
import { fail } from '../errors.js';
import { asSource } from './data.js';
import type { MonitorMetric, SampleInput, SampleSource, TrainOptions, TrainTask } from './types.js';

/** Default learning rate: THESIS.md (Parts 1 and 2) trained every model with "Adam, lr 0.001". */
export const DEFAULT_LEARNING_RATE = 1e-3;

const OPTION_KEYS = [
  'task',
  'epochs',
  'batchSize',
  'accumulationSteps',
  'learningRate',
  'adam',
  'classWeight',
  'augment',
  'seed',
  'monitor',
  'earlyStopping',
  'reduceLrOnPlateau',
  'restoreBestWeights',
  'batchNorm',
  'preciseBatchNorm',
  'standardizeTargets',
  'initOutputBias',
  'checkpointDir',
  'checkpointEverySteps',
  'checkpointEverySeconds',
  'resumeFrom',
  'logFile',
  'progress',
  'progressStream',
  'evalBatchSize',
  'callbacks',
];

/** Whether a larger or a smaller value of each monitored metric is better. */
export const MONITORS: Record<MonitorMetric, 'max' | 'min'> = {
  auc: 'max',
  r2: 'max',
  loss: 'min',
  mae: 'min',
  rmse: 'min',
};

/** What the stages of a run read: the options validated, defaults filled in, task and monitor resolved. */
export interface TrainSettings {
  task: TrainTask;
  monitor: MonitorMetric;
  /** 'max' when a larger monitored value is better. */
  mode: 'max' | 'min';
  epochs: number;
  batchSize: number;
  accumulationSteps: number;
  evalBatchSize: number;
  /** Samples for the precise-BN re-estimation before each evaluation (0 = off). */
  preciseBatchNorm: number;
  checkpointEverySteps: number;
  checkpointEverySeconds: number;
  restoreBest: boolean;
  checkpointDir?: string;
  logFile?: string;
  learningRate: number;
  adam: { beta1: number; beta2: number; epsilon?: number };
}

function checkInt(name: string, v: number, min: number): number {
  if (!Number.isInteger(v) || v < min)
    fail('TRAIN_OPTION_INVALID', `${name} must be an integer ≥ ${min}`, v, `pass e.g. ${name}: ${Math.max(min, 1)}`);
  return v;
}

/** Checks the option names and the values that need no model ("did you mean" for a mistyped name). */
export function validateOptions(options: TrainOptions): void {
  if (options == null || typeof options !== 'object')
    fail('TRAIN_OPTION_INVALID', 'train options must be an object', options, 'pass e.g. { epochs: 10, batchSize: 32 }');
  assertKnownKeys(options, OPTION_KEYS, { code: 'TRAIN_OPTION_UNKNOWN', pkg: 'models', what: 'train option' });
  if (options.task !== undefined && options.task !== 'binary' && options.task !== 'regression') {
    const guess = typeof options.task === 'string' ? didYouMean(options.task, ['binary', 'regression']) : undefined;
    fail(
      'TRAIN_OPTION_INVALID',
      `unknown task${guess ? ` — did you mean '${guess}'?` : ''}`,
      options.task,
      "use 'binary' or 'regression'",
    );
  }
  if (options.monitor !== undefined && !(options.monitor in MONITORS)) {
    const guess = typeof options.monitor === 'string' ? didYouMean(options.monitor, Object.keys(MONITORS)) : undefined;
    fail(
      'TRAIN_OPTION_INVALID',
      `unknown monitor${guess ? ` — did you mean '${guess}'?` : ''}`,
      options.monitor,
      `use one of ${Object.keys(MONITORS).join(', ')}`,
    );
  }
  const lr = options.learningRate;
  if (lr !== undefined && !(Number.isFinite(lr) && lr > 0))
    fail('TRAIN_OPTION_INVALID', 'learningRate must be a positive number', lr, 'pass e.g. learningRate: 1e-3');
  if (options.batchNorm !== undefined && options.batchNorm !== 'train' && options.batchNorm !== 'frozen')
    fail(
      'TRAIN_OPTION_INVALID',
      "batchNorm must be 'train' or 'frozen'",
      options.batchNorm,
      "pass batchNorm: 'frozen' for batches of 1–2",
    );
  if (options.progress !== undefined && !['auto', 'bar', 'lines', 'none'].includes(options.progress))
    fail(
      'TRAIN_OPTION_INVALID',
      "progress must be 'auto', 'bar', 'lines' or 'none'",
      options.progress,
      "pass progress: 'none' to silence it",
    );
  if (options.seed !== undefined && !(Number.isInteger(options.seed) && options.seed >= 0))
    fail('TRAIN_OPTION_INVALID', 'seed must be a non-negative integer', options.seed, 'pass e.g. seed: 42');
  const es = options.earlyStopping;
  if (es && !(Number.isInteger(es.patience) && es.patience >= 1))
    fail(
      'TRAIN_OPTION_INVALID',
      'earlyStopping.patience must be an integer ≥ 1',
      es.patience,
      'pass e.g. earlyStopping: { patience: 5 }',
    );
  const rp = options.reduceLrOnPlateau;
  if (rp && !(Number.isInteger(rp.patience) && rp.patience >= 1))
    fail(
      'TRAIN_OPTION_INVALID',
      'reduceLrOnPlateau.patience must be an integer ≥ 1',
      rp.patience,
      'pass e.g. reduceLrOnPlateau: { patience: 3, factor: 0.1 }',
    );
  if (rp && rp.factor !== undefined && !(rp.factor > 0 && rp.factor < 1))
    fail('TRAIN_OPTION_INVALID', 'reduceLrOnPlateau.factor must be in (0, 1)', rp.factor, 'pass e.g. factor: 0.1');
  const cw = options.classWeight;
  if (
    cw !== undefined &&
    cw !== 'balanced' &&
    !(cw && Number.isFinite(cw[0]) && Number.isFinite(cw[1]) && cw[0] >= 0 && cw[1] >= 0)
  ) {
    fail(
      'TRAIN_OPTION_INVALID',
      "classWeight must be { 0: w0, 1: w1 } with non-negative weights, or 'balanced'",
      cw,
      "pass e.g. classWeight: 'balanced'",
    );
  }
}

/** Checks the model (one output) and the data, and wraps the sample inputs as random-access sources. */
export function checkModelAndData(
  model: tfl.LayersModel,
  data: { train: SampleInput; tune?: SampleInput },
): { trainSet: SampleSource; tuneSet?: SampleSource } {
  if (!(model instanceof tfl.LayersModel))
    fail(
      'TRAIN_MODEL_INVALID',
      'train needs a tf.LayersModel',
      model,
      'pass a model from createModel / buildScreeningModel / loadModel',
    );
  if (model.outputs.length !== 1)
    fail(
      'TRAIN_MODEL_INVALID',
      'train supports models with one output',
      model.outputNames,
      'train each output with its own model',
    );
  if (data == null || typeof data !== 'object' || data.train == null)
    fail(
      'TRAIN_DATA_INVALID',
      'train needs { train, tune }',
      data,
      'pass train(model, { train: samples, tune: samples }, options)',
    );
  const trainSet = asSource(data.train, 'train');
  const tuneSet = data.tune != null ? asSource(data.tune, 'tune') : undefined;
  if (trainSet.size < 1)
    fail('TRAIN_DATA_INVALID', 'the training set is empty', trainSet.size, 'pass at least one training sample');
  if (tuneSet && tuneSet.size < 1)
    fail('TRAIN_DATA_INVALID', 'the tuning set is empty', tuneSet.size, 'pass tuning samples or leave tune out');
  return { trainSet, tuneSet };
}

function inferTask(model: tfl.LayersModel): TrainTask {
  const out = model.outputLayers[model.outputLayers.length - 1] as unknown as {
    activation?: { getClassName(): string };
    units?: number;
  };
  const act = out?.activation?.getClassName?.();
  const units = model.outputs[0]?.shape[model.outputs[0]!.shape.length - 1];
  if (model.outputs.length === 1 && units === 1 && act?.toLowerCase() === 'sigmoid') return 'binary';
  if (model.outputs.length === 1 && units === 1 && act?.toLowerCase() === 'linear') return 'regression';
  return fail(
    'TRAIN_TASK_UNKNOWN',
    'cannot tell the task from the model output (expected one unit with sigmoid or linear activation)',
    { activation: act, units },
    "pass task: 'binary' or 'regression'",
  );
}

/** The settings of a run: task (inferred from the output unless given), monitor, sizes and defaults. */
export function resolveSettings(model: tfl.LayersModel, options: TrainOptions, hasTuneSet: boolean): TrainSettings {
  const task = options.task ?? inferTask(model);
  const monitor: MonitorMetric = options.monitor ?? (hasTuneSet ? (task === 'binary' ? 'auc' : 'mae') : 'loss');
  if (!hasTuneSet && monitor !== 'loss')
    fail(
      'TRAIN_OPTION_INVALID',
      `monitor '${monitor}' needs a tuning set`,
      monitor,
      "pass tune data, or monitor: 'loss'",
    );
  if (task === 'binary' && (monitor === 'mae' || monitor === 'r2' || monitor === 'rmse'))
    fail(
      'TRAIN_OPTION_INVALID',
      `monitor '${monitor}' is a regression metric; the task is binary`,
      monitor,
      "use monitor: 'auc' or 'loss'",
    );
  if (task === 'regression' && monitor === 'auc')
    fail(
      'TRAIN_OPTION_INVALID',
      "monitor 'auc' needs a binary task",
      monitor,
      "use monitor: 'mae', 'r2', 'rmse' or 'loss'",
    );
  const epochs = checkInt('epochs', options.epochs ?? 10, 1);
  const batchSize = checkInt('batchSize', options.batchSize ?? 32, 1);
  const accumulationSteps = checkInt('accumulationSteps', options.accumulationSteps ?? 1, 1);
  const preciseBatchNorm = checkInt('preciseBatchNorm', options.preciseBatchNorm ?? 0, 0);
  const evalBatchSize = checkInt(
    'evalBatchSize',
    options.evalBatchSize ?? Math.min(64, batchSize * accumulationSteps),
    1,
  );
  const checkpointEverySteps = checkInt('checkpointEverySteps', options.checkpointEverySteps ?? 0, 0);
  const dir = options.checkpointDir;
  const adam = options.adam ?? {};
  return {
    task,
    monitor,
    mode: MONITORS[monitor],
    epochs,
    batchSize,
    accumulationSteps,
    evalBatchSize,
    preciseBatchNorm,
    checkpointEverySteps,
    checkpointEverySeconds: options.checkpointEverySeconds ?? 600,
    restoreBest: options.restoreBestWeights ?? true,
    checkpointDir: dir,
    logFile: options.logFile ?? (dir ? `${dir.replace(/\/+$/, '')}/train-log.jsonl` : undefined),
    learningRate: options.learningRate ?? DEFAULT_LEARNING_RATE,
    adam: {
      beta1: adam.beta1 ?? 0.9,
      beta2: adam.beta2 ?? 0.999,
      ...(adam.epsilon !== undefined ? { epsilon: adam.epsilon } : {}),
    },
  };
}
