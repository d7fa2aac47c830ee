/**
 * `@cxrkit/core/tfjs-free` — everything in @cxrkit/core that works on plain typed arrays and loads no
 * `@tensorflow/*` package: typed errors, the DICOM reader, image preprocessing, augmentation, manifests,
 * labels, splits, samplers, synthetic radiographs and the durable (fsync + rename) file writes. For services
 * on onnxruntime, browsers and workers.
 * The package root (`@cxrkit/core`) re-exports all of it plus the TensorFlow.js edge (backend injection,
 * `imagesToTensor`, `createBatchLoader`).
 */
export { CxrkitError, isCxrkitError, describeValue, didYouMean, assertKnownKeys } from './errors.js';
export type { CxrkitErrorOptions, KnownKeysOptions } from './errors.js';
export { writeFileSynced, syncDir, writeFileAtomic, writeDirAtomic } from './io/durable-write.js';
export * from './dicom/index.js';
export * from './image/index.js';
export * from './augment/index.js';
export * from './data/index.js';
export * from './synthetic/index.js';
