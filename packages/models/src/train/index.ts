// Barrel for the training module of @cxrkit/models.
export { train, withSeededRandom, DEFAULT_LEARNING_RATE } from './train.js';
export { readCheckpoint, writeCheckpoint, CHECKPOINT_FORMAT, CHECKPOINT_VERSION } from './checkpoint.js';
export type { LoadedCheckpoint, StoredTensor } from './checkpoint.js';
export type {
  TrainTask,
  TrainingSample,
  SampleSource,
  SampleInput,
  MonitorMetric,
  TuneMetrics,
  EpochRecord,
  TrainControl,
  BatchInfo,
  TrainBeginInfo,
  EpochBeginInfo,
  TrainCallbacks,
  ProgressStream,
  EarlyStoppingOptions,
  ReduceLrOnPlateauOptions,
  TrainOptions,
  TrainResult,
} from './types.js';
