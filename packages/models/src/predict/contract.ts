/**
 * `@cxrkit/models/predictor` — the predictor contract every cxrkit engine satisfies (tfjs here,
 * onnxruntime in `@cxrkit/onnx/runtime`) and the array-batch helpers engines share: named float32
 * batches in, named float32 batches out. Loads no `@tensorflow/*` package.
 */
export { orderInputs, sliceRows, concatChunks, resolveBatchSize, isArrayBatch } from './normalize-inputs.js';
export type { ArrayBatch, PredictInputs, PredictOutputs, Predictor, PredictorOptions } from './types.js';
