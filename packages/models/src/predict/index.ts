// Inference with one contract for every engine: the tfjs predictor here, the onnxruntime one in @cxrkit/onnx.
export { createTfjsPredictor } from './tfjs-predictor.js';
export { orderInputs, sliceRows, concatChunks, resolveBatchSize, isArrayBatch } from './normalize-inputs.js';
export type { ArrayBatch, PredictInputs, PredictOutputs, Predictor, PredictorOptions } from './types.js';
