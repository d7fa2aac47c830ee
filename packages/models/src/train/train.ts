// The training loop: Adam on a custom step (tf.variableGrads) so that gradients can be accumulated over
// micro-batches, BatchNormalization can be held in inference mode, and every piece of state — weights,
// Adam moments, counters, data position, schedule — can be checkpointed and resumed bit-for-bit.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { createRng, deriveSeed, assertKnownKeys, didYouMean, writeFileAtomic, type GrayImage } from '@cxrkit/core';
import { meanAbsoluteError, r2Score, rocAuc, rootMeanSquaredError } from '@cxrkit/metrics';
import { fail } from '../errors.js';
import { isBatchNormalization, upgradeBatchNormalization } from '../layers/batch-norm.js';
import { assertWasmTrainingFits } from '../wasm/memory.js';
import { registerGradientFixes } from '../wasm/register.js';
import { fusedAdam } from '../wasm/adam.js';
import { readCheckpoint, writeCheckpoint, type StoredTensor } from './checkpoint.js';
import { asSource, batchTensors, inputLayout, targetOf, type InputLayout } from './data.js';
import { ProgressReporter } from './progress.js';
import type { EpochRecord, MonitorMetric, SampleInput, SampleSource, TrainControl, TrainOptions, TrainResult, TrainTask, TrainingSample, TuneMetrics } from './types.js';

/** Default learning rate: THESIS.md (Parts 1 and 2) trained every model with "Adam, lr 0.001". */
export const DEFAULT_LEARNING_RATE = 1e-3;

const OPTION_KEYS = [
  'task', 'epochs', 'batchSize', 'accumulationSteps', 'learningRate', 'adam', 'classWeight', 'augment', 'seed', 'monitor',
  'earlyStopping', 'reduceLrOnPlateau', 'restoreBestWeights', 'batchNorm', 'preciseBatchNorm', 'standardizeTargets', 'initOutputBias', 'checkpointDir',
  'checkpointEverySteps', 'checkpointEverySeconds', 'resumeFrom', 'logFile', 'progress', 'progressStream', 'evalBatchSize', 'callbacks',
];
const MONITORS: Record<MonitorMetric, 'max' | 'min'> = { auc: 'max', r2: 'max', loss: 'min', mae: 'min', rmse: 'min' };

/** The trainer's JSON state inside a checkpoint. */
interface TrainerState {
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
  /** Regression with standardizeTargets: the model trains in (y − mean) / sd units (see foldOutput). */
  targetScale?: { mean: number; sd: number };
}

interface AdamInternals {
  learningRate: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
}

function checkInt(name: string, v: number, min: number): number {
  if (!Number.isInteger(v) || v < min) fail('TRAIN_OPTION_INVALID', `${name} must be an integer ≥ ${min}`, v, `pass e.g. ${name}: ${Math.max(min, 1)}`);
  return v;
}

function validateOptions(options: TrainOptions): void {
  if (options == null || typeof options !== 'object') fail('TRAIN_OPTION_INVALID', 'train options must be an object', options, 'pass e.g. { epochs: 10, batchSize: 32 }');
  assertKnownKeys(options, OPTION_KEYS, { code: 'TRAIN_OPTION_UNKNOWN', pkg: 'models', what: 'train option' });
  if (options.task !== undefined && options.task !== 'binary' && options.task !== 'regression') {
    const guess = typeof options.task === 'string' ? didYouMean(options.task, ['binary', 'regression']) : undefined;
    fail('TRAIN_OPTION_INVALID', `unknown task${guess ? ` — did you mean '${guess}'?` : ''}`, options.task, "use 'binary' or 'regression'");
  }
  if (options.monitor !== undefined && !(options.monitor in MONITORS)) {
    const guess = typeof options.monitor === 'string' ? didYouMean(options.monitor, Object.keys(MONITORS)) : undefined;
    fail('TRAIN_OPTION_INVALID', `unknown monitor${guess ? ` — did you mean '${guess}'?` : ''}`, options.monitor, `use one of ${Object.keys(MONITORS).join(', ')}`);
  }
  const lr = options.learningRate;
  if (lr !== undefined && !(Number.isFinite(lr) && lr > 0)) fail('TRAIN_OPTION_INVALID', 'learningRate must be a positive number', lr, 'pass e.g. learningRate: 1e-3');
  if (options.batchNorm !== undefined && options.batchNorm !== 'train' && options.batchNorm !== 'frozen') fail('TRAIN_OPTION_INVALID', "batchNorm must be 'train' or 'frozen'", options.batchNorm, "pass batchNorm: 'frozen' for batches of 1–2");
  if (options.progress !== undefined && !['auto', 'bar', 'lines', 'none'].includes(options.progress)) fail('TRAIN_OPTION_INVALID', "progress must be 'auto', 'bar', 'lines' or 'none'", options.progress, "pass progress: 'none' to silence it");
  if (options.seed !== undefined && !(Number.isInteger(options.seed) && options.seed >= 0)) fail('TRAIN_OPTION_INVALID', 'seed must be a non-negative integer', options.seed, 'pass e.g. seed: 42');
  const es = options.earlyStopping;
  if (es && !(Number.isInteger(es.patience) && es.patience >= 1)) fail('TRAIN_OPTION_INVALID', 'earlyStopping.patience must be an integer ≥ 1', es.patience, 'pass e.g. earlyStopping: { patience: 5 }');
  const rp = options.reduceLrOnPlateau;
  if (rp && !(Number.isInteger(rp.patience) && rp.patience >= 1)) fail('TRAIN_OPTION_INVALID', 'reduceLrOnPlateau.patience must be an integer ≥ 1', rp.patience, 'pass e.g. reduceLrOnPlateau: { patience: 3, factor: 0.1 }');
  if (rp && rp.factor !== undefined && !(rp.factor > 0 && rp.factor < 1)) fail('TRAIN_OPTION_INVALID', 'reduceLrOnPlateau.factor must be in (0, 1)', rp.factor, 'pass e.g. factor: 0.1');
  const cw = options.classWeight;
  if (cw !== undefined && cw !== 'balanced' && !(cw && Number.isFinite(cw[0]) && Number.isFinite(cw[1]) && cw[0] >= 0 && cw[1] >= 0)) {
    fail('TRAIN_OPTION_INVALID', "classWeight must be { 0: w0, 1: w1 } with non-negative weights, or 'balanced'", cw, "pass e.g. classWeight: 'balanced'");
  }
}

/** Every layer, including those inside nested models. */
function allLayers(model: tfl.LayersModel): tfl.layers.Layer[] {
  const out: tfl.layers.Layer[] = [];
  const visit = (l: tfl.layers.Layer) => {
    out.push(l);
    const inner = (l as unknown as { layers?: tfl.layers.Layer[] }).layers;
    if (Array.isArray(inner)) inner.forEach(visit);
  };
  model.layers.forEach(visit);
  return out;
}

function inferTask(model: tfl.LayersModel): TrainTask {
  const out = model.outputLayers[model.outputLayers.length - 1] as unknown as { activation?: { getClassName(): string }; units?: number };
  const act = out?.activation?.getClassName?.();
  const units = model.outputs[0]?.shape[model.outputs[0]!.shape.length - 1];
  if (model.outputs.length === 1 && units === 1 && act?.toLowerCase() === 'sigmoid') return 'binary';
  if (model.outputs.length === 1 && units === 1 && act?.toLowerCase() === 'linear') return 'regression';
  return fail('TRAIN_TASK_UNKNOWN', 'cannot tell the task from the model output (expected one unit with sigmoid or linear activation)', { activation: act, units }, "pass task: 'binary' or 'regression'");
}

/** Mean (optionally weighted) loss of a [n, 1] prediction: MSE for regression, binary cross-entropy (Keras's clipping) for binary. */
function lossOf(task: TrainTask, pred: tf.Tensor, y: tf.Tensor, w: tf.Tensor | null): tf.Scalar {
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

/**
 * Runs the synchronous `fn` with `Math.random` replaced by a seeded generator (`createRng(seed)` from
 * @cxrkit/core). tfjs's random ops (dropout masks, Gaussian noise) and layer initialisers draw their seed
 * from `Math.random` when none is given; `train` scopes this around every forward/backward pass so they
 * are a function of (seed, step) and thus repeatable and resumable, and wrapping a model builder in it
 * gives repeatable initial weights. Nothing else can run during the synchronous call, and the original
 * is always restored.
 */
export function withSeededRandom<T>(seed: number, fn: () => T): T {
  const rng = createRng(seed);
  const original = Math.random;
  Math.random = () => rng.next();
  try {
    return fn();
  } finally {
    Math.random = original;
  }
}

// Reads are asynchronous (data(), not dataSync()): the webgpu backend cannot read synchronously in Node.
async function readVariables(vars: readonly tfl.LayerVariable[], prefix: string): Promise<StoredTensor[]> {
  return Promise.all(
    vars.map(async (v, i) => {
      const t = v.read();
      const data = (await t.data()) as Float32Array;
      return { name: `${prefix}/${i}/${v.originalName ?? v.name}`, shape: [...t.shape], dtype: 'float32', data };
    }),
  );
}

function writeVariables(vars: readonly tfl.LayerVariable[], tensors: readonly StoredTensor[], where: string): void {
  if (tensors.length !== vars.length) {
    fail('CHECKPOINT_MISMATCH', `${where} holds ${tensors.length} model weights, the model has ${vars.length}`, tensors.length, 'resume with the same architecture and options that wrote the checkpoint');
  }
  vars.forEach((v, i) => {
    const t = tensors[i]!;
    if (t.shape.join(',') !== v.shape.join(',')) {
      fail('CHECKPOINT_MISMATCH', `weight ${i} (${v.originalName ?? v.name}) has shape [${v.shape}] in the model but [${t.shape}] in ${where}`, t.name, 'resume with the same architecture and input size that wrote the checkpoint');
    }
  });
  tf.tidy(() => vars.forEach((v, i) => v.write(tf.tensor(tensors[i]!.data, tensors[i]!.shape, 'float32'))));
}

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
 *
 * Images are one-channel `GrayImage`s at the model's input size (stacked to 3 channels for RGB
 * backbones); targets are numbers (0/1, or e.g. age in years).
 *
 * @throws CxrkitError TRAIN_NON_FINITE_LOSS when a loss is NaN/±Inf (names epoch and step; the weights
 *   and the last checkpoint are those before that step), TRAIN_OPTION_* for bad options,
 *   TRAIN_SAMPLE_* for samples that do not fit the model, CHECKPOINT_* for unreadable checkpoints.
 */
export async function train(model: tfl.LayersModel, data: { train: SampleInput; tune?: SampleInput }, options: TrainOptions = {}): Promise<TrainResult> {
  validateOptions(options);
  if (!(model instanceof tfl.LayersModel)) fail('TRAIN_MODEL_INVALID', 'train needs a tf.LayersModel', model, 'pass a model from createModel / buildScreeningModel / loadModel');
  if (model.outputs.length !== 1) fail('TRAIN_MODEL_INVALID', 'train supports models with one output', model.outputNames, 'train each output with its own model');
  if (data == null || typeof data !== 'object' || data.train == null) fail('TRAIN_DATA_INVALID', 'train needs { train, tune }', data, 'pass train(model, { train: samples, tune: samples }, options)');
  const trainSet = asSource(data.train, 'train');
  const tuneSet = data.tune != null ? asSource(data.tune, 'tune') : undefined;
  if (trainSet.size < 1) fail('TRAIN_DATA_INVALID', 'the training set is empty', trainSet.size, 'pass at least one training sample');
  if (tuneSet && tuneSet.size < 1) fail('TRAIN_DATA_INVALID', 'the tuning set is empty', tuneSet.size, 'pass tuning samples or leave tune out');

  // tfjs 4.22's AvgPool gradient is wrong at the borders with 'same' padding (every InceptionV3 mixed
  // block has such a pool): fix it on every backend before the first gradient (idempotent).
  registerGradientFixes();
  const task = options.task ?? inferTask(model);
  const monitor: MonitorMetric = options.monitor ?? (tuneSet ? (task === 'binary' ? 'auc' : 'mae') : 'loss');
  if (!tuneSet && monitor !== 'loss') fail('TRAIN_OPTION_INVALID', `monitor '${monitor}' needs a tuning set`, monitor, "pass tune data, or monitor: 'loss'");
  if (task === 'binary' && (monitor === 'mae' || monitor === 'r2' || monitor === 'rmse')) fail('TRAIN_OPTION_INVALID', `monitor '${monitor}' is a regression metric; the task is binary`, monitor, "use monitor: 'auc' or 'loss'");
  if (task === 'regression' && monitor === 'auc') fail('TRAIN_OPTION_INVALID', "monitor 'auc' needs a binary task", monitor, "use monitor: 'mae', 'r2', 'rmse' or 'loss'");
  const mode = MONITORS[monitor];
  const epochs = checkInt('epochs', options.epochs ?? 10, 1);
  const batchSize = checkInt('batchSize', options.batchSize ?? 32, 1);
  const accumulationSteps = checkInt('accumulationSteps', options.accumulationSteps ?? 1, 1);
  checkInt('preciseBatchNorm', options.preciseBatchNorm ?? 0, 0);
  const evalBatchSize = checkInt('evalBatchSize', options.evalBatchSize ?? Math.min(64, batchSize * accumulationSteps), 1);
  const checkpointEverySteps = checkInt('checkpointEverySteps', options.checkpointEverySteps ?? 0, 0);
  const checkpointEverySeconds = options.checkpointEverySeconds ?? 600;
  const restoreBest = options.restoreBestWeights ?? true;
  const layout = inputLayout(model);
  // On wasm (4 GiB heap), refuse a batch that will not fit with WASM_OUT_OF_MEMORY naming the batch size
  // and accumulation steps that keep the effective batch — before any work, not as an abort mid-epoch.
  assertWasmTrainingFits(model, batchSize);
  const dir = options.checkpointDir;
  const logFile = options.logFile ?? (dir ? `${dir.replace(/\/+$/, '')}/train-log.jsonl` : undefined);
  const progress = new ProgressReporter(options.progress ?? 'auto', options.progressStream ?? (globalThis.process?.stderr as never), epochs);
  const callbacks = options.callbacks ?? {};
  let stopRequested = false;
  const control: TrainControl = { stop: () => void (stopRequested = true) };

  // Keras semantics for every BatchNormalization: frozen layers (trainable = false) run in inference mode.
  const layers = allLayers(model);
  const bnLayers = layers.filter((l) => isBatchNormalization(l));
  bnLayers.forEach((l) => upgradeBatchNormalization(l));
  const trainable = model.trainableWeights;
  if (trainable.length === 0) fail('TRAIN_NOTHING_TRAINABLE', 'the model has no trainable weights', model.name, "loosen the freeze policy (applyFreezePolicy(model, 'all-trainable'))");
  const allWeights = model.weights;
  const movingStats = model.nonTrainableWeights.filter((w) => /moving_(mean|variance)/.test(w.originalName ?? w.name));
  if (bnLayers.length > 0 && (options.batchNorm ?? 'train') === 'train' && batchSize < 8) {
    progress.note(`batch size ${batchSize} gives noisy BatchNormalization statistics; consider batchNorm: 'frozen' with gradient accumulation`);
  }

  // ---- state: fresh or from a checkpoint --------------------------------------------------------------
  const adamCfg = options.adam ?? {};
  const lr0 = options.learningRate ?? DEFAULT_LEARNING_RATE;
  let resumed: Awaited<ReturnType<typeof readCheckpoint<TrainerState>>> | undefined;
  if (options.resumeFrom) resumed = await readCheckpoint<TrainerState>(options.resumeFrom);
  const seed = resumed?.trainer.seed ?? options.seed ?? Math.floor(Math.random() * 2 ** 31);
  let st: TrainerState;
  // tfjs's Adam; on wasm (after registerWasmTrainingKernels) one fused kernel per variable, same numbers.
  const optimizer = fusedAdam(lr0, adamCfg.beta1 ?? 0.9, adamCfg.beta2 ?? 0.999, adamCfg.epsilon);
  const adam = optimizer as unknown as AdamInternals;
  if (resumed) {
    st = resumed.trainer;
    const mism: Array<[string, unknown, unknown]> = [
      ['seed', options.seed ?? st.seed, st.seed],
      ['batchSize', batchSize, st.batchSize],
      ['accumulationSteps', accumulationSteps, st.accumulationSteps],
      ['task', task, st.task],
      ['monitor', monitor, st.monitor],
      ['training set size', trainSet.size, st.trainSize],
    ];
    for (const [what, now, then] of mism) {
      if (now !== then) fail('TRAIN_RESUME_MISMATCH', `${what} is ${String(now)} but the checkpoint was written with ${String(then)}`, now, `resume with the same ${what} (the data order and step count depend on it)`);
    }
    const modelT = resumed.tensors.slice(0, st.modelWeights);
    writeVariables(allWeights, modelT, resumed.path);
    const optT = resumed.tensors.slice(st.modelWeights);
    const optWeights = optT.map((t) => ({ name: t.name, tensor: tf.tensor(t.data, t.shape, t.dtype) }));
    await optimizer.setWeights(optWeights); // Adam's slots become variables sharing these tensors' data
    tf.dispose(optWeights.map((w) => w.tensor));
    // setWeights recomputes β^t with pow(); the uninterrupted run multiplied step by step — restore the
    // exact float32 values, or the first resumed step differs in the last bits.
    tf.tidy(() => {
      adam.accBeta1.assign(tf.scalar(st.adam.accBeta1));
      adam.accBeta2.assign(tf.scalar(st.adam.accBeta2));
    });
    adam.learningRate = st.learningRate;
    if (st.backend !== tf.getBackend()) progress.note(`checkpoint written on backend '${st.backend}', resuming on '${tf.getBackend()}': results will not be bit-identical to an uninterrupted run`);
    progress.note(`resuming from ${resumed.path} at epoch ${st.epoch + 1}, step ${st.step} (global step ${st.globalStep})`);
  } else {
    st = {
      seed, task, monitor, batchSize, accumulationSteps, trainSize: trainSet.size, backend: tf.getBackend(),
      epoch: 0, step: 0, globalStep: 0, lossSum: 0, lossCount: 0, epochSeconds: 0, learningRate: lr0,
      best: null, bestEpoch: 0, wait: 0, plateauWait: 0, cooldown: 0, stoppedEarly: false, history: [],
      adam: { beta1: adamCfg.beta1 ?? 0.9, beta2: adamCfg.beta2 ?? 0.999, epsilon: adamCfg.epsilon ?? tf.backend().epsilon(), accBeta1: 0, accBeta2: 0 },
      modelWeights: allWeights.length,
    };
  }

  // Class weights, bias initialisation and target standardisation read the training targets, once (a
  // source without `target(i)` loads every sample for it).
  let targetsRead: Promise<number[]> | undefined;
  const trainTargets = () => (targetsRead ??= readTargets(trainSet));
  let classWeight: { 0: number; 1: number } | undefined;
  if (task === 'binary' && options.classWeight !== undefined) {
    if (options.classWeight === 'balanced') {
      let pos = 0;
      for (const t of await trainTargets()) pos += t >= 0.5 ? 1 : 0;
      const n = trainSet.size;
      if (pos === 0 || pos === n) fail('TRAIN_DATA_INVALID', "classWeight 'balanced' needs both classes in the training set", { positives: pos, n }, 'check the labels');
      classWeight = { 0: n / (2 * (n - pos)), 1: n / (2 * pos) };
    } else classWeight = options.classWeight;
  }
  if (options.initOutputBias && !resumed) initOutputBias(model, task, await trainTargets());
  // Regression in standardised units: unfold mean/sd out of the output layer now, fold back in `finally`.
  const outDense = standardizableOutput(model);
  if (task === 'regression' && (options.standardizeTargets ?? true) && !resumed) {
    if (!outDense) {
      if (options.standardizeTargets) fail('TRAIN_OPTION_INVALID', 'standardizeTargets needs a linear Dense output layer with a bias', model.outputLayers[0]?.getClassName(), 'pass standardizeTargets: false');
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
  const fold = () => {
    if (unfolded && outDense && scale) scaleOutput(outDense, scale.sd, scale.mean);
    unfolded = false;
  };

  // ---- log ------------------------------------------------------------------------------------------
  if (logFile) {
    const { mkdir } = await import('node:fs/promises');
    const { dirname } = await import('node:path');
    await mkdir(dirname(logFile), { recursive: true });
    // A resumed run rewrites the log from the checkpoint's history, so it matches the weights exactly.
    await writeFileAtomic(logFile, st.history.map((r) => `${JSON.stringify(r)}\n`).join(''));
  }

  const numMicro = Math.ceil(trainSet.size / batchSize);
  const stepsPerEpoch = Math.ceil(numMicro / accumulationSteps);
  const vars = trainable.map((w) => w.read() as tf.Variable);

  // Frozen-BN mode: inference-mode BN for this run only (restored in `finally`).
  const patched: tfl.layers.Layer[] = [];
  if (options.batchNorm === 'frozen') {
    for (const l of bnLayers) {
      const proto = Object.getPrototypeOf(l) as { call: (i: unknown, k: Record<string, unknown>) => unknown };
      (l as unknown as { call: unknown }).call = (inputs: unknown, kwargs: Record<string, unknown>) => proto.call.call(l, inputs, { ...kwargs, training: false });
      patched.push(l);
    }
  }

  let bestWeights: tf.Tensor[] | undefined;
  let bestCheckpoint: string | undefined;
  let lastCheckpointAt = Date.now();

  const snapshot = async (): Promise<StoredTensor[]> => {
    st.adam.accBeta1 = (await adam.accBeta1.data())[0]!;
    st.adam.accBeta2 = (await adam.accBeta2.data())[0]!;
    st.learningRate = adam.learningRate;
    return readVariables(allWeights, 'model');
  };
  const optimizerTensors = async (): Promise<StoredTensor[]> => {
    const ws = await optimizer.getWeights();
    const out = await Promise.all(
      ws.map(async (w): Promise<StoredTensor> => {
        const dtype = w.tensor.dtype === 'int32' ? 'int32' : 'float32';
        const data = (await w.tensor.data()) as Float32Array | Int32Array;
        return { name: w.name, shape: [...w.tensor.shape], dtype, data };
      }),
    );
    ws[0]?.tensor.dispose(); // the iteration count is a fresh scalar; the rest are Adam's live slots
    return out;
  };
  const saveLatest = async (): Promise<void> => {
    if (!dir) return;
    const tensors = [...(await snapshot()), ...(await optimizerTensors())];
    const tag = `s${String(st.globalStep).padStart(7, '0')}`;
    const path = await writeCheckpoint(dir, 'latest', tag, st, tensors);
    lastCheckpointAt = Date.now();
    await callbacks.onCheckpoint?.({ path, kind: 'latest', epoch: st.epoch, step: st.step, globalStep: st.globalStep });
  };

  const loadBatch = async (indices: number[], epoch: number): Promise<TrainingSample[]> =>
    Promise.all(
      indices.map(async (i) => {
        const s = await trainSet.get(i);
        if (!options.augment) return s;
        const image: GrayImage = await options.augment(s.image, createRng(deriveSeed(seed, 'augment', epoch, i)));
        return { ...s, image };
      }),
    );

  /** Re-estimates BN moving statistics as the average over `preciseBatchNorm` training samples (see the option). */
  const preciseBn = async (epoch: number): Promise<void> => {
    const n = Math.min(options.preciseBatchNorm ?? 0, trainSet.size);
    const targets = options.batchNorm === 'frozen' ? [] : bnLayers.filter((l) => l.trainable);
    if (n <= 0 || targets.length === 0) return;
    const layersWithMomentum = targets as unknown as Array<{ momentum: number }>;
    const saved = layersWithMomentum.map((l) => l.momentum);
    const order = createRng(deriveSeed(seed, 'precise-bn', epoch)).shuffle(Array.from({ length: trainSet.size }, (_, i) => i)).slice(0, n);
    try {
      for (let b = 0, k = 1; b < n; b += batchSize, k++) {
        // momentum 1 − 1/k makes the k-th update a running mean of the k batch statistics
        layersWithMomentum.forEach((l) => (l.momentum = 1 - 1 / k));
        const idx = order.slice(b, b + batchSize);
        const samples = await Promise.all(idx.map((i) => trainSet.get(i)));
        const { inputs, y } = batchTensors(layout, samples, idx);
        withSeededRandom(deriveSeed(seed, 'precise-bn-random', epoch, k), () =>
          tf.tidy(() => {
            model.apply(layout.names.length === 1 ? inputs[0]! : inputs, { training: true });
          }),
        );
        tf.dispose([...inputs, y]);
      }
    } finally {
      layersWithMomentum.forEach((l, i) => (l.momentum = saved[i]!));
    }
  };

  const startEpoch = st.epoch;
  const startStep = st.step;
  try {
    await callbacks.onTrainBegin?.({ epochs, stepsPerEpoch, resumedFrom: resumed?.path, startEpoch, startStep }, control);
    while (st.epoch < epochs && !st.stoppedEarly && !stopRequested) {
      const epoch = st.epoch;
      const order = createRng(deriveSeed(seed, 'order', epoch)).shuffle(Array.from({ length: trainSet.size }, (_, i) => i));
      progress.epochBegin();
      const epochT0 = Date.now() - st.epochSeconds * 1000;
      adam.learningRate = st.learningRate;
      let next: Promise<TrainingSample[]> | undefined;
      const microIndices = (m: number) => order.slice(m * batchSize, Math.min(trainSet.size, (m + 1) * batchSize));
      while (st.step < stepsPerEpoch && !stopRequested) {
        const m0 = st.step * accumulationSteps;
        const m1 = Math.min(numMicro, m0 + accumulationSteps);
        let total = 0;
        for (let m = m0; m < m1; m++) total += microIndices(m).length;
        let acc: tf.Tensor[] | undefined;
        let stepLoss = 0;
        // BN moving statistics change during the forward pass; keep a copy to undo a step that fails.
        const statsBefore = movingStats.map((v) => tf.clone(v.read()));
        try {
          for (let m = m0; m < m1; m++) {
            const idx = microIndices(m);
            const samples = await (next ?? loadBatch(idx, epoch));
            // Prefetch the next micro-batch (async sources read from disk while this one computes).
            const nextM = m + 1 < numMicro ? m + 1 : -1;
            next = nextM >= 0 ? loadBatch(microIndices(nextM), epoch) : undefined;
            const { inputs, y } = batchTensors(layout, samples, idx);
            const w = classWeight ? tf.tidy(() => tf.add(tf.mul(y, classWeight!['1'] - classWeight!['0']), classWeight!['0'])) : null;
            const frac = idx.length / total;
            const yFit = scale ? tf.tidy(() => tf.div(tf.sub(y, scale.mean), scale.sd)) : y;
            const { value, grads } = withSeededRandom(deriveSeed(seed, 'random', st.globalStep, m - m0), () =>
              tf.variableGrads(() => lossOf(task, model.apply(layout.names.length === 1 ? inputs[0]! : inputs, { training: true }) as tf.Tensor, yFit, w), vars),
            );
            tf.dispose([...inputs, y, yFit, ...(w ? [w] : [])]);
            // reported in the original units (MSE in years², not in sd²)
            const lossValue = (await value.data())[0]! * (scale ? scale.sd * scale.sd : 1);
            value.dispose();
            if (!Number.isFinite(lossValue)) {
              tf.dispose(Object.values(grads));
              tf.tidy(() => movingStats.forEach((v, i) => v.write(statsBefore[i]!)));
              fail(
                'TRAIN_NON_FINITE_LOSS',
                `the loss became ${lossValue} at epoch ${epoch + 1}, step ${st.step + 1} (global step ${st.globalStep + 1}, micro-batch ${m - m0 + 1}); training stopped before applying it — the model holds the weights before that step${dir ? ` and ${dir} keeps the last good checkpoint` : ''}`,
                { epoch: epoch + 1, step: st.step + 1, globalStep: st.globalStep + 1, samples: idx },
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
          optimizer.applyGradients(vars.map((v, i) => ({ name: v.name, tensor: acc![i]! })));
        } finally {
          if (acc) tf.dispose(acc);
          tf.dispose(statsBefore);
        }
        st.step++;
        st.globalStep++;
        st.lossSum += stepLoss;
        st.lossCount += total;
        const done = Math.min(trainSet.size, st.step * accumulationSteps * batchSize);
        progress.step(epoch + 1, done, trainSet.size, st.lossSum / st.lossCount);
        await callbacks.onBatchEnd?.({ epoch: epoch + 1, step: st.step, stepsPerEpoch, globalStep: st.globalStep, loss: stepLoss / total, runningLoss: st.lossSum / st.lossCount }, control);
        const due = (checkpointEverySteps > 0 && st.step % checkpointEverySteps === 0) || Date.now() - lastCheckpointAt >= checkpointEverySeconds * 1000;
        if (st.step < stepsPerEpoch && (due || stopRequested)) {
          st.epochSeconds = (Date.now() - epochT0) / 1000;
          await saveLatest();
        }
      }
      if (next) await next.catch(() => undefined);
      if (st.step < stepsPerEpoch) break; // stopped by a callback mid-epoch (checkpoint written above)

      // ---- end of epoch: evaluate, schedule, checkpoint, log --------------------------------------------
      await preciseBn(epoch);
      const tune = tuneSet ? await evaluate(model, task, tuneSet, layout, evalBatchSize, scale) : undefined;
      const loss = st.lossSum / st.lossCount;
      const value = monitor === 'loss' ? (tune ? tune.loss : loss) : (tune![monitor] as number);
      const minDelta = (options.earlyStopping && options.earlyStopping.minDelta) || 0;
      const improved = Number.isFinite(value) && (st.best === null || (mode === 'max' ? value > st.best + minDelta : value < st.best - minDelta));
      const record: EpochRecord = {
        epoch: epoch + 1, loss, learningRate: adam.learningRate, ...(tune ? { tune } : {}), monitorValue: value, improved,
        globalStep: st.globalStep, seconds: (Date.now() - epochT0) / 1000,
      };
      st.history.push(record);
      if (improved) {
        st.best = value;
        st.bestEpoch = epoch + 1;
        st.wait = 0;
        st.plateauWait = 0;
        if (restoreBest) {
          tf.dispose(bestWeights ?? []);
          bestWeights = allWeights.map((w) => tf.clone(w.read()));
        }
      } else {
        st.wait++;
        if (st.cooldown > 0) st.cooldown--;
        else st.plateauWait++;
      }
      const notes: string[] = [];
      const rp = options.reduceLrOnPlateau;
      if (rp && !improved && st.plateauWait >= rp.patience) {
        const lr = Math.max(rp.minLr ?? 0, adam.learningRate * (rp.factor ?? 0.1));
        if (lr < adam.learningRate) {
          notes.push(`no improvement of ${monitor} for ${st.plateauWait} epochs: learning rate ${adam.learningRate.toExponential(2)} → ${lr.toExponential(2)} from epoch ${epoch + 2}`);
          adam.learningRate = lr;
          st.learningRate = lr;
        }
        st.plateauWait = 0;
        st.cooldown = rp.cooldown ?? 0;
      }
      if (options.earlyStopping && st.wait >= options.earlyStopping.patience) st.stoppedEarly = true;
      st.epoch++;
      st.step = 0;
      st.lossSum = 0;
      st.lossCount = 0;
      st.epochSeconds = 0;
      if (improved && dir) {
        const tensors = [...(await snapshot()), ...(await optimizerTensors())];
        bestCheckpoint = await writeCheckpoint(dir, 'best', `e${String(epoch + 1).padStart(4, '0')}`, st, tensors);
        await callbacks.onCheckpoint?.({ path: bestCheckpoint, kind: 'best', epoch: st.epoch, step: 0, globalStep: st.globalStep });
      }
      await saveLatest();
      if (logFile) {
        const { appendFile } = await import('node:fs/promises');
        await appendFile(logFile, `${JSON.stringify(record)}\n`);
      }
      progress.epochEnd(record);
      notes.forEach((n) => progress.note(n));
      await callbacks.onEpochEnd?.(record, control);
      if (st.stoppedEarly) progress.note(`early stopping: ${monitor} did not improve for ${st.wait} epochs (best ${st.best} at epoch ${st.bestEpoch})`);
    }

    // ---- end: best weights back into the model ---------------------------------------------------------
    if (restoreBest && st.bestEpoch > 0) {
      if (bestWeights) tf.tidy(() => allWeights.forEach((w, i) => w.write(bestWeights![i]!)));
      else if (dir) {
        const best = await readCheckpoint<TrainerState>(dir, 'best');
        writeVariables(allWeights, best.tensors.slice(0, best.trainer.modelWeights), best.path);
        bestCheckpoint = best.path;
      }
    }
    fold();
    const result: TrainResult = {
      history: st.history, bestEpoch: st.bestEpoch, bestValue: st.best ?? NaN, monitor, seed, globalSteps: st.globalStep,
      stoppedEarly: st.stoppedEarly, ...(resumed ? { resumedFrom: resumed.path } : {}), ...(bestCheckpoint ? { bestCheckpoint } : {}),
    };
    await callbacks.onTrainEnd?.(result);
    return result;
  } finally {
    fold();
    for (const l of patched) delete (l as unknown as { call?: unknown }).call;
    tf.dispose(bestWeights ?? []);
    optimizer.dispose();
  }
}

/** Predicts the tuning set in batches and computes its loss and the task's metrics. */
async function evaluate(model: tfl.LayersModel, task: TrainTask, set: SampleSource, layout: InputLayout, batchSize: number, scale?: { mean: number; sd: number }): Promise<TuneMetrics> {
  const yTrue = new Float64Array(set.size);
  const yPred = new Float64Array(set.size);
  let lossSum = 0;
  for (let b0 = 0; b0 < set.size; b0 += batchSize) {
    const idx = Array.from({ length: Math.min(batchSize, set.size - b0) }, (_, k) => b0 + k);
    const samples = await Promise.all(idx.map((i) => set.get(i)));
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

/** The targets of every sample of `set`, in order. */
async function readTargets(set: SampleSource): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < set.size; i++) out.push(await targetOf(set, i));
  return out;
}

/** Sets the output Dense layer's bias to the mean of the training `targets` (regression) or the log-odds of the positive share (binary), and its kernel to zero. */
function initOutputBias(model: tfl.LayersModel, task: TrainTask, targets: readonly number[]): void {
  const layer = model.outputLayers[0] as unknown as { bias?: tfl.LayerVariable; getClassName(): string; useBias?: boolean };
  if (layer?.getClassName() !== 'Dense' || !layer.bias) fail('TRAIN_OPTION_INVALID', 'initOutputBias needs a Dense output layer with a bias', layer?.getClassName(), 'drop initOutputBias');
  let sum = 0;
  for (const t of targets) sum += t;
  const mean = sum / targets.length;
  const value = task === 'regression' ? mean : Math.log(Math.min(Math.max(mean, 1e-4), 1 - 1e-4) / (1 - Math.min(Math.max(mean, 1e-4), 1 - 1e-4)));
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
function standardizableOutput(model: tfl.LayersModel): { kernel: tfl.LayerVariable; bias: tfl.LayerVariable } | undefined {
  const layer = model.outputLayers[0] as unknown as { kernel?: tfl.LayerVariable; bias?: tfl.LayerVariable; activation?: { getClassName(): string }; getClassName(): string };
  if (layer?.getClassName() !== 'Dense' || !layer.kernel || !layer.bias || layer.activation?.getClassName().toLowerCase() !== 'linear') return undefined;
  return { kernel: layer.kernel, bias: layer.bias };
}

/** Output layer y = xW + b becomes y·a + c: W ← a·W, b ← a·b + c. */
function scaleOutput(out: { kernel: tfl.LayerVariable; bias: tfl.LayerVariable }, a: number, c: number): void {
  tf.tidy(() => {
    out.kernel.write(tf.mul(out.kernel.read(), a));
    out.bias.write(tf.add(tf.mul(out.bias.read(), a), c));
  });
}
