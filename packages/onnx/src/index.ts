/**
 * @cxrkit/onnx — export any cxrkit (tfjs-layers) model to ONNX and run it on onnxruntime, in Node
 * (`onnxruntime-node`) or in the browser (`onnxruntime-web`, wasm). Data flow: trained model →
 * `exportOnnx` → .onnx bytes → `createOnnxPredictor` → predictions (same contract as the tfjs predictor).
 * Running and reading exported files needs no TensorFlow.js: import those from `@cxrkit/onnx/runtime`.
 */
export { exportOnnx, SUPPORTED_OPSETS } from './export-onnx.js';
export type { ExportOnnxOptions } from './export-onnx.js';
export { SUPPORTED_LAYERS } from './convert-layers.js';
export * from './runtime.js';
