// onnxFeatureEngine: train()'s frozen prefix exported to ONNX and run on onnxruntime-node fills the feature
// cache; training from it ends with the weights of the same train() call on the whole tfjs graph (the
// reference), up to the float rounding onnxruntime's kernels differ by.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as tfl from '@tensorflow/tfjs-layers';
import { createRng } from '@cxrkit/core';
import {
  applyFreezePolicy,
  buildScreeningModel,
  train,
  withSeededRandom,
  type FeatureCacheInfo,
  type TrainingSample,
} from '@cxrkit/models';
import { onnxFeatureEngine } from './feature-engine.js';

const root = mkdtempSync(join(tmpdir(), 'cxrkit-onnx-engine-'));
after(() => rmSync(root, { recursive: true, force: true }));

function model(): tfl.LayersModel {
  const m = withSeededRandom(5, () =>
    buildScreeningModel({
      backbone: 'inception_v3',
      inputShape: [75, 75, 1],
      backboneOptions: { widthMultiplier: 1 / 16 },
      head: { units: [16, 8], dropout: [0, 0] },
      task: 'binary',
    }),
  );
  applyFreezePolicy(m, 'last-block');
  return m;
}

test('train() with featureCache on onnxruntime ends where the whole tfjs graph does', async () => {
  const rng = createRng(9);
  const samples: TrainingSample[] = Array.from({ length: 8 }, (_, i) => ({
    image: {
      width: 75,
      height: 75,
      data: Float32Array.from({ length: 75 * 75 }, () => rng.uniform(-1, 1) + 0.3 * (i % 2)),
    },
    target: i % 2,
  }));
  const options = { epochs: 2, batchSize: 4, seed: 3, learningRate: 3e-3, progress: 'none' as const };
  const plain = model();
  await train(plain, { train: samples }, options);
  const cached = model();
  let info: FeatureCacheInfo | undefined;
  await train(
    cached,
    { train: samples },
    {
      ...options,
      featureCache: { dir: root, engine: onnxFeatureEngine({ load: () => import('onnxruntime-node'), threads: 1 }) },
      callbacks: {
        onFeatureCache: (i) => {
          info = i;
        },
      },
    },
  );
  assert.match(info?.engine ?? '', /onnxruntime/);
  assert.equal(info?.computed, 8);
  let d = 0;
  plain.weights.forEach((w, i) => {
    const a = w.read().dataSync();
    const b = cached.weights[i]!.read().dataSync();
    for (let k = 0; k < a.length; k++) d = Math.max(d, Math.abs(a[k]! - b[k]!));
  });
  console.log(`[onnx-feature-engine] ${info?.engine}: max |Δw| ${d} after 2 epochs (4 Adam steps of lr 3e-3)`);
  // onnxruntime's convolutions round differently from tfjs's (1e-6 relative); after 4 Adam steps the weights
  // stay within a tenth of one step's size
  assert.ok(d < 3e-4, `weights differ by ${d}`);
  plain.dispose();
  cached.dispose();
});
