// Types of the training loop: what goes in (samples, options) and what comes out (epoch records).
import type { GrayImage, Rng } from '@cxrkit/core';

/** The training tasks of the thesis: age regression (MSE) and binary screening (binary cross-entropy). */
export type TrainTask = 'binary' | 'regression';

/** One training or tuning example. */
export interface TrainingSample {
  /** One-channel image at the model's input size (h × w); stacked to the model's channel count. */
  image: GrayImage;
  /** 0 or 1 for a binary task; the value to regress (e.g. age in years) for regression. */
  target: number;
  /** Extra scalar inputs of a fusion model, by input name (e.g. `{ age: 0.62, sex: 1 }`). */
  inputs?: Record<string, number>;
}

/**
 * A random-access dataset: the trainer picks the order (seeded) and reads samples by index, so a run
 * can resume at any position. `get` may be async (e.g. reading PNG/DICOM from disk).
 */
export interface SampleSource {
  readonly size: number;
  get(index: number): TrainingSample | Promise<TrainingSample>;
  /** Optional cheap access to a target without loading the image (used for class weights / bias init). */
  target?(index: number): number;
}

/** Either a random-access source or a plain array of samples. */
export type SampleInput = SampleSource | readonly TrainingSample[];

/** Metrics the trainer can monitor on the tuning set. */
export type MonitorMetric = 'auc' | 'loss' | 'mae' | 'r2' | 'rmse';

/** Metrics computed on the tuning set after an epoch. */
export interface TuneMetrics {
  loss: number;
  /** Binary: ROC AUC (Mann–Whitney, from @cxrkit/metrics). */
  auc?: number;
  /** Regression: mean absolute error, in target units (years for age). */
  mae?: number;
  /** Regression: coefficient of determination. */
  r2?: number;
  /** Regression: root mean squared error. */
  rmse?: number;
}

/** One line of the training log (one per epoch; `epoch` counts from 1). */
export interface EpochRecord {
  epoch: number;
  /** Mean training loss over the epoch's samples (class-weighted as optimised). */
  loss: number;
  /** Learning rate used during the epoch. */
  learningRate: number;
  /** Metrics on the tuning set, when one was given. */
  tune?: TuneMetrics;
  /** Value of the monitored metric (tune metric, or the training loss without a tuning set). */
  monitorValue: number;
  /** True when this epoch set a new best value of the monitored metric. */
  improved: boolean;
  /** Optimizer steps taken so far (over all epochs). */
  globalStep: number;
  /** Wall time of the epoch in seconds (including evaluation; a resumed epoch counts only its rest). */
  seconds: number;
}

/** Passed to callbacks; `stop()` ends training after the current step/epoch. */
export interface TrainControl {
  stop(): void;
}

/** Information given to `onBatchEnd` after each optimizer step. */
export interface BatchInfo {
  epoch: number;
  /** Optimizer steps done in this epoch. */
  step: number;
  stepsPerEpoch: number;
  globalStep: number;
  /** Mean loss of this optimizer step (over all its micro-batches). */
  loss: number;
  /** Running mean loss over the epoch so far. */
  runningLoss: number;
  /** Training samples of this epoch done so far (what a progress bar shows), out of `samplesPerEpoch`. */
  samplesSeen: number;
  samplesPerEpoch: number;
}

/** Information given to `onTrainBegin`. */
export interface TrainBeginInfo {
  epochs: number;
  stepsPerEpoch: number;
  /** Training samples per epoch. */
  samplesPerEpoch: number;
  resumedFrom?: string;
  /** 0-based epoch and step the run starts at (non-zero when resumed). */
  startEpoch: number;
  startStep: number;
}

/** Information given to `onEpochBegin`. */
export interface EpochBeginInfo {
  epoch: number;
  epochs: number;
  /** Optimizer steps and training samples of this epoch already done (a resumed run). */
  step: number;
  samplesSeen: number;
  samplesPerEpoch: number;
}

/**
 * Callbacks: how `train` reports progress (it writes nothing itself unless `progress` asks it to) and
 * how a caller stops it. Each may return a promise; `train` awaits it.
 */
export interface TrainCallbacks {
  onTrainBegin?(info: TrainBeginInfo, control: TrainControl): void | Promise<void>;
  /** Before the first step of an epoch (1-based `epoch`; `step`, `samplesSeen` > 0 when a resumed run starts mid-epoch). */
  onEpochBegin?(info: EpochBeginInfo, control: TrainControl): void | Promise<void>;
  onBatchEnd?(info: BatchInfo, control: TrainControl): void | Promise<void>;
  onEpochEnd?(record: EpochRecord, control: TrainControl): void | Promise<void>;
  onCheckpoint?(info: { path: string; kind: 'latest' | 'best'; epoch: number; step: number; globalStep: number }): void | Promise<void>;
  /** A message for the person watching: a warning (tiny batches with BatchNorm), a resume, a learning-rate reduction, early stopping. */
  onNote?(message: string): void | Promise<void>;
  onTrainEnd?(result: TrainResult): void | Promise<void>;
}

/** Where progress goes: a TTY stream gets a live bar, anything else plain lines. */
export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface EarlyStoppingOptions {
  /** Epochs without improvement of the monitored metric before stopping. */
  patience: number;
  /** Smallest change counted as an improvement. Default 0. */
  minDelta?: number;
}

export interface ReduceLrOnPlateauOptions {
  /** Epochs without improvement before the learning rate is multiplied by `factor`. */
  patience: number;
  /** Multiplier, in (0, 1). Default 0.1 (Keras's ReduceLROnPlateau). */
  factor?: number;
  /** Lower bound of the learning rate. Default 0. */
  minLr?: number;
  /** Epochs to wait after a reduction before counting again. Default 0. */
  cooldown?: number;
}

export interface TrainOptions {
  /** 'binary' or 'regression'; inferred from the output activation (sigmoid → binary, linear → regression) when omitted. */
  task?: TrainTask;
  /** Passes over the training set. Default 10. */
  epochs?: number;
  /** Samples per forward/backward pass (micro-batch). Default 32 (Keras's default). */
  batchSize?: number;
  /**
   * Micro-batches whose gradients are summed before one optimizer step: the effective batch is
   * `batchSize × accumulationSteps`. Use it to reach the thesis's batch sizes (15–100) when memory
   * allows only 1–2 images per pass. Default 1.
   */
  accumulationSteps?: number;
  /** Adam learning rate. Default 1e-3 (THESIS.md, Part 1 and 2: "Adam, lr 0.001"). */
  learningRate?: number;
  /** Adam β1, β2, ε. Default 0.9, 0.999 and the backend's epsilon (1e-7 in float32, as Keras). */
  adam?: { beta1?: number; beta2?: number; epsilon?: number };
  /** Binary only: loss weight per class (`{ 0: w0, 1: w1 }`), or 'balanced' (n / (2 · n_class), as scikit-learn). */
  classWeight?: { 0: number; 1: number } | 'balanced';
  /** Training-time augmentation of each training sample (never applied to the tuning set). Its `rng` is seeded per (seed, epoch, sample). */
  augment?: (image: GrayImage, rng: Rng) => GrayImage | Promise<GrayImage>;
  /** Seed for data order, augmentation and dropout. Same seed + same backend ⇒ the same weights. Default: drawn at random and reported in the result and checkpoints. */
  seed?: number;
  /** Tuning metric that selects the best epoch. Default 'auc' (binary) or 'mae' (regression); 'loss' without a tuning set. */
  monitor?: MonitorMetric;
  /** Stop when the monitored metric stops improving. Default off (the thesis trained fixed epochs). */
  earlyStopping?: EarlyStoppingOptions | false;
  /** Multiply the learning rate by a factor when the monitored metric plateaus. Default off. */
  reduceLrOnPlateau?: ReduceLrOnPlateauOptions | false;
  /** Put the weights of the best epoch back into the model at the end. Default true. */
  restoreBestWeights?: boolean;
  /**
   * 'train' (default): BatchNormalization uses batch statistics and updates its moving averages, as in
   * Keras. 'frozen': every BatchNormalization runs in inference mode (moving statistics, not updated)
   * while its γ/β still train — use it with batches of 1–2, whose statistics are noise. Layers frozen by
   * `applyFreezePolicy` always run in inference mode.
   */
  batchNorm?: 'train' | 'frozen';
  /**
   * Before each evaluation, re-estimate the BatchNormalization moving statistics as the plain average
   * over this many training samples (forward passes in training mode, no augmentation, no weight
   * update) — "precise BN" (fvcore's `update_bn_stats`, torch's `swa_utils.update_bn`). With few
   * optimizer steps, the default moving averages (momentum 0.99) still lean on their initial values and
   * the tuning metrics lag the training; this fixes it. Default 0 (off).
   */
  preciseBatchNorm?: number;
  /**
   * Regression only: optimise in standardised target units — (y − mean) / sd of the training targets —
   * by reparametrising the output Dense layer, then fold mean and sd back into its kernel and bias when
   * training ends (also on error), so the returned model predicts in the original units (years). Without
   * it, a linear output must grow its weights to ±tens of years at Adam's step size of ~lr per step,
   * which takes thousands of steps. Metrics, logs and checkpoints report original units. Default true.
   */
  standardizeTargets?: boolean;
  /**
   * Before the first step, set the output Dense layer's bias to the training mean (regression) or the
   * log-odds of the prevalence (binary) and its kernel to zero, so the untrained model predicts that
   * prior rather than a random value several standard deviations off (which costs the first epochs of a
   * short run). Default false (Keras's initialisation as built).
   */
  initOutputBias?: boolean;
  /** Folder for checkpoints (latest and best), a `manifest.json`, and the JSON-lines log. */
  checkpointDir?: string;
  /** Also checkpoint every this many optimizer steps inside an epoch (0 = epoch ends only). Default 0. */
  checkpointEverySteps?: number;
  /** Also checkpoint inside an epoch when this many seconds passed since the last one. Default 600. */
  checkpointEverySeconds?: number;
  /** A checkpoint folder (or one checkpoint inside it) to continue from. */
  resumeFrom?: string;
  /** JSON-lines log of every epoch. Default `<checkpointDir>/train-log.jsonl` when checkpointing. */
  logFile?: string;
  /**
   * Built-in progress output, written only when asked: 'auto' (a live bar on a TTY, plain lines
   * otherwise), 'bar', 'lines', or 'none' — the default unless a `progressStream` is given (then 'auto').
   * Progress is reported through `callbacks` either way; CLIs can render them with `createProgressBar()`
   * from `@cxrkit/models/progress-bar` (cli-progress).
   */
  progress?: 'auto' | 'bar' | 'lines' | 'none';
  /** Where the built-in progress output goes. Default process.stderr (when `progress` asks for output). */
  progressStream?: ProgressStream;
  /** Batch size for evaluating the tuning set. Default batchSize × accumulationSteps (at most 64). */
  evalBatchSize?: number;
  callbacks?: TrainCallbacks;
}

/** What `train` returns. */
export interface TrainResult {
  history: EpochRecord[];
  /** 1-based epoch whose weights were best on the monitored metric (0 if none finished). */
  bestEpoch: number;
  bestValue: number;
  monitor: MonitorMetric;
  /** The seed actually used (give it back to repeat the run). */
  seed: number;
  /** Optimizer steps taken in total (across resumes). */
  globalSteps: number;
  stoppedEarly: boolean;
  /** Path of the checkpoint the run resumed from, if any. */
  resumedFrom?: string;
  /** Folder of the best checkpoint, when checkpointing. */
  bestCheckpoint?: string;
}
