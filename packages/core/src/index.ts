/**
 * @cxrkit/core — backend injection, DICOM reading, preprocessing, augmentation, datasets, labels and
 * synthetic radiographs. Data flows: DICOM/PNG file → image record → transforms → tensor batch.
 * Code that must not load TensorFlow.js imports `@cxrkit/core/tfjs-free` instead (same exports minus
 * the tfjs edge below).
 */
export * from './tfjs-free.js';
// The TensorFlow.js edge: backend injection, images → tensors, the tensor batch loader.
export { initBackend, backendKindFromEnv, BACKEND_KINDS, BACKEND_PACKAGES } from './backend.js';
export type { BackendKind, InitBackendOptions } from './backend.js';
export { imagesToTensor, imageToTensor } from './image/tensor.js';
export { createBatchLoader } from './data/loader.js';
export type { BatchLoader, BatchLoaderOptions, Batch } from './data/loader.js';
