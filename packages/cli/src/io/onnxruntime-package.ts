/** The npm package that runs ONNX models in Node (an optional peer of @cxrkit/cli). Loaded by name only. */
export const ONNXRUNTIME_PACKAGE = 'onnxruntime-node';
