/**
 * @cxrkit/onnx — export any cxrkit (tfjs-layers) model to ONNX and run it on onnxruntime, in Node
 * (`onnxruntime-node`) or in the browser (`onnxruntime-web`, wasm). Data flow: trained model →
 * `exportOnnx` → .onnx bytes → `createOnnxPredictor` → predictions (same contract as the tfjs predictor).
 */
export { exportOnnx, SUPPORTED_OPSETS } from './export-onnx.js';
export type { ExportOnnxOptions } from './export-onnx.js';
export { SUPPORTED_LAYERS } from './convert-layers.js';
export { createOnnxPredictor } from './onnx-predictor.js';
export type { OnnxPredictor, OnnxPredictorOptions, OrtModule, OrtSession } from './onnx-predictor.js';
export type { ArrayBatch, PredictInputs, PredictOutputs, Predictor } from '@cxrkit/models';
export { readOnnxInfo, readOnnxMetadata, readOnnxCard } from './metadata.js';
export type { OnnxModelInfo } from './metadata.js';
export { CXRKIT_VERSION } from './version.js';
