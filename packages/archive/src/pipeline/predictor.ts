// The part of a cxrkit predictor the archive pipeline uses. `createOnnxPredictor` (@cxrkit/onnx) and
// `createTfjsPredictor` (@cxrkit/models) both satisfy it; it is restated here so that an archive run on
// onnxruntime does not load TensorFlow.js. The pipeline never picks one: the caller injects a factory.
import type { ModelCard } from '@cxrkit/models/card';

/** A dense row-major float32 array with its shape. */
export interface ArrayBatch {
  readonly data: Float32Array;
  readonly shape: readonly number[];
}

/** What the pipeline needs of a predictor: batched `predict` on named inputs. */
export interface ScreeningPredictor {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** Which engine runs the model, e.g. 'onnxruntime-node 1.30.0', 'tfjs:wasm'. */
  readonly engine: string;
  predict(inputs: Readonly<Record<string, ArrayBatch>>): Promise<Record<string, ArrayBatch>>;
  dispose?(): Promise<void>;
}

/** What a predictor factory is given: the model folder and the card read from it. */
export interface PredictorContext {
  /** The model folder (model.onnx and/or model.json + model-card.json). */
  modelDir: string;
  /** The card the run screens with. */
  card: ModelCard;
  /** Largest batch the pipeline will send. */
  batchSize: number;
}

/**
 * Makes the predictor an archive run scores with, e.g.
 * `({ modelDir }) => createOnnxPredictor(join(modelDir, 'model.onnx'), { load: () => import('onnxruntime-node') })`.
 */
export type PredictorFactory = (context: PredictorContext) => Promise<ScreeningPredictor>;
