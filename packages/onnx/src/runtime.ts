/**
 * `@cxrkit/onnx/runtime` — run exported cxrkit models on onnxruntime (Node or browser) and read what an
 * exported file says about itself (metadata, model card), without TensorFlow.js: this entry loads no
 * `@tensorflow/*` package, so a screening service on onnxruntime installs none. Exporting (`exportOnnx`)
 * needs the tfjs model and lives in the package root, `@cxrkit/onnx`.
 */
export { createOnnxPredictor } from './onnx-predictor.js';
export type { OnnxPredictor, OnnxPredictorOptions, OrtModule, OrtSession } from './onnx-predictor.js';
export type { ArrayBatch, PredictInputs, PredictOutputs, Predictor } from '@cxrkit/models/predictor';
export { readOnnxInfo, readOnnxMetadata, readOnnxCard } from './metadata.js';
export type { OnnxModelInfo } from './metadata.js';
export { CXRKIT_VERSION } from './version.js';
