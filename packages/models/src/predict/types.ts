/**
 * The backend-neutral shape of inference in cxrkit: plain typed arrays in, plain typed arrays out, so
 * the tfjs predictor (`createTfjsPredictor`, this package) and the onnxruntime predictor
 * (`createOnnxPredictor`, `@cxrkit/onnx`) are interchangeable. Data flow: tensor batch → model → predictions.
 */

/** A dense row-major float32 array with its shape, e.g. images `[batch, h, w, channels]` (NHWC, as the model takes them). */
export interface ArrayBatch {
  readonly data: Float32Array;
  readonly shape: readonly number[];
}

/**
 * What `predict` takes: one batch (for a single-input model), or one batch per model input keyed by the
 * input's name (`model.inputNames`, e.g. `{ image, age, sex }` for a fusion model). All inputs share
 * the batch dimension.
 */
export type PredictInputs = ArrayBatch | Readonly<Record<string, ArrayBatch>>;

/** One output batch per model output, keyed by output name (`model.outputNames`). */
export type PredictOutputs = Record<string, ArrayBatch>;

/** Options shared by every predictor. */
export interface PredictorOptions {
  /** Largest batch sent to the model at once; bigger inputs are split and the outputs concatenated. Default 8. */
  batchSize?: number;
}

/** A model ready for inference on one backend (tfjs or onnxruntime); same contract for all. */
export interface Predictor {
  /** Names of the model inputs, in order (the first is the image for cxrkit models). */
  readonly inputNames: readonly string[];
  /** Names of the model outputs, in order. */
  readonly outputNames: readonly string[];
  /** Which engine runs it, e.g. `'tfjs:wasm'` or `'onnxruntime-node 1.30.0'`. */
  readonly engine: string;
  /**
   * Runs the model on a batch. Images are `[batch, h, w, channels]` float32, preprocessed as the model
   * was trained; extra inputs (age in years, sex 0/1) are `[batch, k]`. Resolves to one array per output.
   */
  predict(inputs: PredictInputs): Promise<PredictOutputs>;
  /** Frees what the predictor holds (the session or nothing for tfjs: the model stays the caller's). */
  dispose(): Promise<void>;
}
