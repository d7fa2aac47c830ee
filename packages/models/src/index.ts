/**
 * @cxrkit/models — Keras-exact builders (registry), the screening head with demographic fusion,
 * freezing, weight transfer, Keras .h5 weights (loadKerasWeights) and Node file-system save/load. Models are ordinary tf.LayersModels.
 * Data flow: tensor batch [batch, h, w, 1|3] (+ age/sex) → model → predictions.
 */
export { createModel, listModels, modelInfo } from './registry.js';
export type { ModelInfo } from './registry.js';
export type { ModelOptions, ClassifierActivation } from './builders/options.js';
export { inceptionV3 } from './builders/inception-v3.js';
export { densenet121, densenet169, densenet201, denseNet } from './builders/densenet.js';
export { resnet50 } from './builders/resnet.js';
export {
  KerasBatchNormalization,
  batchNormalization,
  registerKerasBatchNormalization,
  upgradeBatchNormalization,
} from './layers/batch-norm.js';
export { buildScreeningModel, lossForTask, screeningInputs, DEFAULT_SCREENING_HEAD, SCREENING_HEAD_LAYERS } from './screening.js';
export type { ScreeningModelOptions, ScreeningTask, ScreeningHead, FusionInput } from './screening.js';
export * from './predict/index.js';
export { applyFreezePolicy } from './freeze.js';
export type { FreezePolicy, FreezeReport } from './freeze.js';
export { transferWeights } from './transfer.js';
export type { TransferOptions, TransferReport, TransferSkip } from './transfer.js';
export * from './weights/index.js';
export { saveModel, loadModel, loadModelWithCard, SHARD_BYTES } from './save-load.js';
export type { SaveModelOptions, SaveModelResult } from './save-load.js';
export * from './card/index.js';
// What cxrkit adds to tfjs 4.22 lives in @cxrkit/tfjs-ext; importing @cxrkit/models imports its
// registering entry (gradient fixes for every backend, wasm training kernels when wasm becomes active) and
// re-exports the names users already import from here.
export {
  registerWasmTrainingKernels,
  unregisterWasmTrainingKernels,
  autoRegisterWasmTrainingKernels,
  wasmTrainingKernelsRegistered,
  ensureTrainingKernels,
  registerGradientFixes,
  unregisterGradientFixes,
  wasmTrainingKernelNames,
  FusedAdamOptimizer,
  fusedAdam,
  batchNormTraining,
  prepareWasmThreads,
  getWasmThreadsCount,
  WASM_HEAP_LIMIT_BYTES,
  WASM_TRAIN_BYTES_PER_ACTIVATION,
  estimateWasmTrainingMemory,
  assertWasmTrainingFits,
  installWasmMemoryGuard,
  isWasmOutOfMemoryError,
  registerWebGpuTrainingKernels,
  unregisterWebGpuTrainingKernels,
  webGpuTrainingKernelNames,
  choosesSplitK,
} from '@cxrkit/tfjs-ext';
export type {
  WasmTrainingKernelOptions,
  WasmBackendModule,
  WasmThreadsOptions,
  WasmThreadsPlan,
  WasmTrainingMemoryEstimate,
  WebGpuTrainingKernelOptions,
  FilterGradientMode,
} from '@cxrkit/tfjs-ext';
export * from './train/index.js';
