// Training on tfjs's `webgpu` backend (WebGPU in the browser, or Dawn's Node binding on a Vulkan driver).
export {
  registerWebGpuTrainingKernels,
  unregisterWebGpuTrainingKernels,
  webGpuTrainingKernelNames,
} from './register.js';
export type { WebGpuTrainingKernelOptions } from './register.js';
export type { FilterGradientMode } from './conv2d-backprop-filter.js';
export { choosesSplitK } from './deterministic-matmul.js';
