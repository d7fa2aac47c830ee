// How BatchNormalization behaves during a run: Keras semantics (frozen layers in inference mode), the
// whole-run 'frozen' mode, and the precise-BN re-estimation of the moving statistics.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { createRng, deriveSeed, sampleBatches } from '@cxrkit/core';
import { allLayers } from '@cxrkit/tfjs-ext/base';
import { isBatchNormalization, upgradeBatchNormalization } from '../layers/batch-norm.js';
import { batchTensors, type InputLayout } from './data.js';
import { withSeededRandom } from './seeded-random.js';
import type { SampleSource } from './types.js';

/** The BatchNormalization layers of a model (nested models included) and their moving statistics. */
export interface BatchNormSet {
  layers: tfl.layers.Layer[];
  /** moving_mean / moving_variance variables (kept to undo a failed step). */
  movingStats: tfl.LayerVariable[];
}

/** Finds every BatchNormalization (upgraded to Keras semantics: a frozen layer runs in inference mode). */
export function batchNormSet(model: tfl.LayersModel): BatchNormSet {
  const layers = allLayers<tfl.layers.Layer>(model).filter((l) => isBatchNormalization(l));
  layers.forEach((l) => upgradeBatchNormalization(l));
  const movingStats = model.nonTrainableWeights.filter((w) => /moving_(mean|variance)/.test(w.originalName ?? w.name));
  return { layers, movingStats };
}

/**
 * batchNorm 'frozen': every BatchNormalization runs in inference mode for this run (γ/β still train).
 * Returns the undo (call it when the run ends, also on error).
 */
export function freezeBatchNorm(bn: BatchNormSet): () => void {
  const patched: tfl.layers.Layer[] = [];
  for (const l of bn.layers) {
    const proto = Object.getPrototypeOf(l) as { call: (i: unknown, k: Record<string, unknown>) => unknown };
    (l as unknown as { call: unknown }).call = (inputs: unknown, kwargs: Record<string, unknown>) =>
      proto.call.call(l, inputs, { ...kwargs, training: false });
    patched.push(l);
  }
  return () => {
    for (const l of patched) delete (l as unknown as { call?: unknown }).call;
  };
}

/**
 * Re-estimates the moving statistics of the trainable BatchNormalization layers as the plain average of
 * the batch statistics over `samples` training samples (seeded order per epoch; forward passes in
 * training mode, no augmentation, no weight update) — "precise BN" (see the option). Nothing in
 * batchNorm 'frozen' mode (the statistics are not used there).
 */
export async function preciseBatchNorm(
  model: tfl.LayersModel,
  bn: BatchNormSet,
  run: {
    trainSet: SampleSource;
    layout: InputLayout;
    samples: number;
    frozen: boolean;
    batchSize: number;
    seed: number;
    epoch: number;
  },
): Promise<void> {
  const { trainSet, layout, batchSize, seed, epoch } = run;
  const n = Math.min(run.samples, trainSet.size);
  const targets = run.frozen ? [] : bn.layers.filter((l) => l.trainable);
  if (n <= 0 || targets.length === 0) return;
  const layersWithMomentum = targets as unknown as Array<{ momentum: number }>;
  const saved = layersWithMomentum.map((l) => l.momentum);
  const order = createRng(deriveSeed(seed, 'precise-bn', epoch))
    .shuffle(Array.from({ length: trainSet.size }, (_, i) => i))
    .slice(0, n);
  try {
    let k = 0;
    for await (const { samples, indices } of sampleBatches(order, { batchSize, read: (i) => trainSet.get(i) })) {
      k++;
      // momentum 1 − 1/k makes the k-th update a running mean of the k batch statistics
      layersWithMomentum.forEach((l) => (l.momentum = 1 - 1 / k));
      const { inputs, y } = batchTensors(layout, samples, indices);
      withSeededRandom(deriveSeed(seed, 'precise-bn-random', epoch, k), () =>
        tf.tidy(() => {
          model.apply(layout.names.length === 1 ? inputs[0]! : inputs, { training: true });
        }),
      );
      tf.dispose([...inputs, y]);
    }
  } finally {
    layersWithMomentum.forEach((l, i) => (l.momentum = saved[i]!));
  }
}
