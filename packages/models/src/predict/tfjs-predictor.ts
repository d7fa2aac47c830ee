import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { concatChunks, orderInputs, resolveBatchSize, sliceRows } from './normalize-inputs.js';
import type { PredictInputs, PredictOutputs, Predictor, PredictorOptions } from './types.js';

/**
 * Wraps a tfjs `LayersModel` in the backend-neutral {@link Predictor} contract, so it can be swapped
 * for `createOnnxPredictor` from `@cxrkit/onnx` without changing the caller:
 *
 * ```ts
 * const p = createTfjsPredictor(model, { batchSize: 8 });
 * const { [p.outputNames[0]]: y } = await p.predict({ data, shape: [n, 512, 512, 3] });
 * ```
 * Runs in inference mode on whatever tfjs backend is active; leaves no tensors behind. `dispose()`
 * does not dispose the model (it stays the caller's).
 */
export function createTfjsPredictor(model: tfl.LayersModel, options: PredictorOptions = {}): Predictor {
  const batchSize = resolveBatchSize(options.batchSize);
  // An unbuilt Sequential has empty inputNames/outputNames: use the Keras rule (source layer names).
  const inputNames =
    model.inputNames.length === model.inputs.length
      ? [...model.inputNames]
      : model.inputs.map((t) => t.sourceLayer.name);
  const outputNames =
    model.outputNames.length === model.outputs.length
      ? [...model.outputNames]
      : model.outputs.map((t) => t.sourceLayer.name);
  return {
    inputNames,
    outputNames,
    get engine() {
      return `tfjs:${tf.getBackend()}`;
    },
    async predict(inputs: PredictInputs): Promise<PredictOutputs> {
      const { batches, batch } = orderInputs(inputs, inputNames);
      const chunks: PredictOutputs[] = [];
      for (let start = 0; start < batch; start += batchSize) {
        const end = Math.min(batch, start + batchSize);
        const ys = tf.tidy(() => {
          const xs = batches.map((b) => {
            const s = sliceRows(b, start, end);
            return tf.tensor(s.data, [...s.shape], 'float32');
          });
          const out = model.predict(xs.length === 1 ? xs[0]! : xs, { batchSize: end - start });
          return Array.isArray(out) ? out : [out];
        });
        const chunk: PredictOutputs = {};
        try {
          for (let i = 0; i < ys.length; i++) {
            const y = ys[i]!;
            chunk[outputNames[i]!] = { data: (await y.data()) as Float32Array, shape: [...y.shape] };
          }
        } finally {
          tf.dispose(ys);
        }
        chunks.push(chunk);
      }
      return concatChunks(chunks, outputNames);
    },
    async dispose() {},
  };
}
