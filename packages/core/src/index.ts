/**
 * @cxrkit/core — backend injection, DICOM reading, preprocessing, augmentation, datasets, labels and
 * synthetic radiographs. Data flows: DICOM/PNG file → image record → transforms → tensor batch.
 */
export { CxrkitError, isCxrkitError, describeValue, didYouMean } from './errors.js';
export type { CxrkitErrorOptions } from './errors.js';
export { initBackend, backendKindFromEnv, BACKEND_KINDS, BACKEND_PACKAGES } from './backend.js';
export type { BackendKind, InitBackendOptions } from './backend.js';
export * from './dicom/index.js';
export * from './image/index.js';
export * from './augment/index.js';
export * from './data/index.js';
export * from './synthetic/index.js';
