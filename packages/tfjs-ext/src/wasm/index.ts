// Training on tfjs's `wasm` backend: the missing/slow gradient kernels, threads in Node, heap limits.
export {
  registerWasmTrainingKernels,
  unregisterWasmTrainingKernels,
  autoRegisterWasmTrainingKernels,
  wasmTrainingKernelsRegistered,
  wasmTrainingKernelNames,
} from './register.js';
export { registerGradientFixes, unregisterGradientFixes } from '../gradients/register-gradient-fixes.js';
export type { WasmTrainingKernelOptions } from './register.js';
export { FusedAdamOptimizer, fusedAdam } from './adam.js';
export { batchNormTraining } from './batch-norm-training.js';
export { prepareWasmThreads, getWasmThreadsCount } from './threads.js';
export type { WasmBackendModule, WasmThreadsOptions, WasmThreadsPlan } from './threads.js';
export {
  WASM_HEAP_LIMIT_BYTES,
  WASM_TRAIN_BYTES_PER_ACTIVATION,
  estimateWasmTrainingMemory,
  assertWasmTrainingFits,
  installWasmMemoryGuard,
  isWasmOutOfMemoryError,
} from './memory.js';
export type { WasmTrainingMemoryEstimate } from './memory.js';
