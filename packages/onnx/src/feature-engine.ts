// The frozen prefix of train()'s feature cache on onnxruntime: the prefix model is exported to ONNX
// (exportOnnx) and opened on the injected runtime (createOnnxPredictor). onnxruntime's CPU kernels run a
// forward pass faster than tfjs's wasm backend, and the cache is built once per image.
import type * as tfl from '@tensorflow/tfjs-layers';
import type { FeatureEngine } from '@cxrkit/models';
import { exportOnnx } from './export-onnx.js';
import { createOnnxPredictor, type OnnxPredictorOptions } from './onnx-predictor.js';

/**
 * A feature engine for `train(model, data, { featureCache: { dir, engine } })` that runs the frozen
 * prefix on onnxruntime:
 *
 * ```ts
 * import { onnxFeatureEngine } from '@cxrkit/onnx';
 * await train(model, data, {
 *   featureCache: { dir: 'runs/x/cache', engine: onnxFeatureEngine({ load: () => import('onnxruntime-node') }) },
 * });
 * ```
 * The options are those of `createOnnxPredictor` (threads, allowSpinning, batchSize, …).
 * @throws CxrkitError the errors of exportOnnx (a prefix layer with no exact ONNX conversion) and of
 *   createOnnxPredictor (runtime missing, session failed).
 */
export function onnxFeatureEngine(options: OnnxPredictorOptions): FeatureEngine {
  return async (prefix: tfl.LayersModel) =>
    createOnnxPredictor(await exportOnnx(prefix, { modelName: prefix.name }), options);
}
