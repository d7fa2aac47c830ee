// The part of a cxrkit predictor the service uses. `createTfjsPredictor` (@cxrkit/models) and
// `createOnnxPredictor` (@cxrkit/onnx) both satisfy it; it is restated here so that a service on
// onnxruntime does not have to install TensorFlow.js.

/** A dense row-major float32 array with its shape. */
export interface ArrayBatch {
  readonly data: Float32Array;
  readonly shape: readonly number[];
}

/** What the service needs of a predictor. */
export interface ScreeningPredictor {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly engine: string;
  predict(inputs: ArrayBatch | Readonly<Record<string, ArrayBatch>>): Promise<Record<string, ArrayBatch>>;
}
