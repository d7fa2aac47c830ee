// @cxrkit-backends: cpu wasm
// Training from the cache is training the model: with the backbone frozen up to its last block
// (applyFreezePolicy 'last-block'), the gradients of the trainable weights and one Adam step computed
// from cached features (prefix run once by the cache's engine, stored as float32 rows, read back and fed
// to the trainable suffix) equal those of the whole graph run in training mode — on InceptionV3,
// DenseNet-169 and ResNet-50 at width 1/16 with age + sex fusion. The reference is tfjs's own gradient of
// the unsplit model.
//
// Tolerance: both paths run the same kernels on the same float32 values; the cache computes the prefix in
// inference mode, which for frozen layers is what training mode computes too (Keras semantics), and stores
// float32 exactly. What may differ is the batching of the prefix's convolutions (the cache runs it in
// batches of its own — 3 + 1 here —, training in the step's batch of 4), which on some backends changes the order of float32
// additions: a relative change of a few ulps (2^-23 ≈ 1.2e-7) per accumulation. We allow 1e-5 of the
// largest gradient (max-norm) and, after Adam's first step (|Δw| = lr = 1e-3 for every weight whose
// gradient is far from 0), 1e-6 absolute on the weights. Measured: identical bits on cpu and on wasm.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { createRng } from '@cxrkit/core';
import { applyFreezePolicy, buildScreeningModel, fusedAdam, withSeededRandom } from '../index.js';
import { inputLayout } from '../train/data.js';
import { lossOf } from '../train/loss.js';
import { buildFeatureCache } from './build-cache.js';
import { cachedFeed, cachedSource } from './cached-samples.js';
import { splitAtFrozenCut } from './split-model.js';

const dir = mkdtempSync(join(tmpdir(), 'cxrkit-suffix-eq-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const CASES = [
  { backbone: 'inception_v3', side: 75 },
  { backbone: 'densenet169', side: 32 },
  { backbone: 'resnet50', side: 32 },
];

function model(backbone: string, side: number): tfl.LayersModel {
  const m = withSeededRandom(23, () =>
    buildScreeningModel({
      backbone,
      inputShape: [side, side, 1],
      backboneOptions: { widthMultiplier: 1 / 16 },
      head: { units: [16, 8], dropout: [0, 0] },
      fusion: ['age', 'sex'],
    }),
  );
  applyFreezePolicy(m, 'last-block');
  return m;
}

const maxAbs = (a: ArrayLike<number>) => Array.from(a).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

for (const { backbone, side } of CASES) {
  test(`${backbone}: gradients and one Adam step from the float32 cache equal the whole graph's`, async () => {
    const rng = createRng(backbone);
    const n = 4;
    const samples = Array.from({ length: n }, (_, i) => ({
      image: { width: side, height: side, data: Float32Array.from({ length: side * side }, () => rng.uniform(-1, 1)) },
      target: i % 2,
      inputs: { age: rng.uniform(0.3, 0.9), sex: i % 2 },
    }));
    const full = model(backbone, side);
    const cached = model(backbone, side);
    const layout = inputLayout(full);

    // whole graph, training mode
    const vars = (m: tfl.LayersModel) => m.trainableWeights.map((w) => w.read() as tf.Variable);
    const x = tf.tensor4d(Float32Array.from(samples.flatMap((s) => Array.from(s.image.data))), [n, side, side, 1]);
    const age = tf.tensor2d(samples.map((s) => [s.inputs.age]));
    const sex = tf.tensor2d(samples.map((s) => [s.inputs.sex]));
    const y = tf.tensor2d(samples.map((s) => [s.target]));
    const g1 = tf.variableGrads(
      () => lossOf('binary', full.apply([x, age, sex], { training: true }) as tf.Tensor, y, null),
      vars(full),
    );

    // from the cache: prefix on the cache's engine, rows on disk, read back, fed to the suffix
    const split = splitAtFrozenCut(cached);
    try {
      const built = await buildFeatureCache({
        split,
        layout,
        options: { dir, buildBatchSize: 3 }, // the prefix in batches of 3 + 1, the step in one of 4
        seed: 1,
        train: { source: { size: n, get: (i) => samples[i]! }, plain: true, copies: 0 },
        note: () => undefined,
      });
      assert.equal(built.info.computed, n);
      const source = cachedSource(built.store, built.train);
      const rows = await Promise.all(samples.map((_, i) => source.get(i)));
      const { inputs, y: y2 } = cachedFeed(split).tensors(
        rows,
        rows.map((_, i) => i),
      );
      const g2 = tf.variableGrads(
        () => lossOf('binary', split.suffix.apply(inputs, { training: true }) as tf.Tensor, y2, null),
        vars(cached),
      );
      await built.store.close();

      // gradients
      const names1 = vars(full).map((v) => v.name);
      const names2 = vars(cached).map((v) => v.name);
      let scale = 0;
      let err = 0;
      names1.forEach((name, k) => {
        const a = g1.grads[name]!.dataSync();
        const b = g2.grads[names2[k]!]!.dataSync();
        scale = Math.max(scale, maxAbs(a));
        err = Math.max(err, maxDiff(a, b));
      });
      assert.ok(scale > 0, 'the gradient is not zero');
      assert.ok(err <= 1e-5 * scale, `max |Δgrad| ${err} > 1e-5 × ${scale}`);
      assert.ok(Math.abs(g1.value.dataSync()[0]! - g2.value.dataSync()[0]!) <= 1e-6, 'same loss');

      // one Adam step each
      const o1 = fusedAdam(1e-3);
      const o2 = fusedAdam(1e-3);
      o1.applyGradients(names1.map((name) => ({ name, tensor: g1.grads[name]! })));
      o2.applyGradients(names2.map((name) => ({ name, tensor: g2.grads[name]! })));
      let dw = 0;
      full.weights.forEach(
        (w, k) => (dw = Math.max(dw, maxDiff(w.read().dataSync(), cached.weights[k]!.read().dataSync()))),
      );
      assert.ok(dw <= 1e-6, `after one Adam step the weights differ by ${dw}`);
      console.log(
        `[suffix-equality] ${backbone} on ${tf.getBackend()}: max |Δgrad| ${err} (of ${scale}), max |Δw| ${dw}`,
      );
      tf.dispose([g1.value, g2.value, ...Object.values(g1.grads), ...Object.values(g2.grads), ...inputs, y2]);
      o1.dispose();
      o2.dispose();
    } finally {
      split.restore();
      tf.dispose([x, age, sex, y]);
      full.dispose();
      cached.dispose();
    }
  });
}
