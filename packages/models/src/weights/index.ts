// Pretrained weights from outside tfjs: Keras .h5 files (whole-model or weights-only, Keras 2 and 3 names).
export { loadKerasWeights } from './load-keras-weights.js';
export type { KerasWeightsOptions, KerasWeightsReport, KerasWeightsSource } from './load-keras-weights.js';
export { readKerasH5 } from './read-keras-h5.js';
export type { KerasH5Layer, KerasH5Weight, KerasH5Weights, ReadKerasH5Options } from './read-keras-h5.js';
