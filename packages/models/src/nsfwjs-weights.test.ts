// @cxrkit-backends: wasm
// External exactness check: the npm package nsfwjs ships a Keras 2.2.4 InceptionV3 layers-model (weights
// inside the package). Its weights load by name into createModel('inception_v3', { inputShape:
// [299, 299, 3], includeTop: false }) — every backbone layer — and both models give the same mixed10
// features on a real chest radiograph (max |Δ| ≤ 1e-4; in a bare clone without the shared data, on the
// in-repo synthetic radiograph-c.jpg instead). Runs on wasm only: two full InceptionV3
// forward passes at 299 take tens of seconds on the cpu backend.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { readImageFile, resizeBicubic } from '@cxrkit/core';
import { createModel, transferWeights } from './index.js';
import { fixtureDir, sharedData } from '../../../test/helpers.js';
import { loadNsfwjsInceptionV3 } from '../../../test/nsfwjs.js';

test('nsfwjs Keras 2.2.4 InceptionV3 weights load by name into inception_v3 and give the same mixed10 features', async () => {
  // Loaded before any cxrkit builder runs, so nsfwjs's model uses tfjs's stock BatchNormalization.
  const nsfw = await loadNsfwjsInceptionV3();
  const nsfwFeatures = tfl.model({
    inputs: nsfw.inputs,
    outputs: nsfw.getLayer('mixed10').output as tfl.SymbolicTensor,
  });

  const ours = createModel('inception_v3', { inputShape: [299, 299, 3], includeTop: false });
  const report = transferWeights(nsfw, ours, { requireAll: true });
  assert.equal(report.copied.length, 188, '94 conv2d + 94 batch_normalization layers');
  assert.equal(report.copiedParams, ours.countParams());
  assert.deepEqual(report.unusedSource, ['dense_1', 'dense_2', 'dense_3'], 'only the nsfw head is left');

  // A real PA chest radiograph, bicubic to 299, gray stacked to RGB, Inception scaling to [-1, 1].
  const data = sharedData('cxr/covid-pa');
  const file = data.missing
    ? fixtureDir('radiographs', 'radiograph-c.jpg')
    : data.path('cxr', 'covid-pa', 'images', 'auntminnie-a-2020_01_28_23_51_6665_2020_01_28_Vietnam_coronavirus.jpeg');
  const gray = resizeBicubic(await readImageFile(file), { width: 299, height: 299 });
  const x = tf.tidy(() => tf.tile(tf.sub(tf.div(tf.tensor4d(gray.data, [1, 299, 299, 1]), 127.5), 1), [1, 1, 1, 3]));
  const a = nsfwFeatures.predict(x) as tf.Tensor;
  const b = ours.predict(x) as tf.Tensor;
  assert.deepEqual(b.shape, [1, 8, 8, 2048]);
  const [maxDiff, maxAbs, mean] = await Promise.all([
    tf.tidy(() => tf.max(tf.abs(tf.sub(a, b)))).data(),
    tf.tidy(() => tf.max(tf.abs(a))).data(),
    tf.tidy(() => tf.mean(a)).data(),
  ]);
  console.log(`mixed10: max |Δ| = ${maxDiff[0]}, max |feature| = ${maxAbs[0]}, mean = ${mean[0]}`);
  assert.ok(maxAbs[0]! > 0.1, 'features are not trivially zero');
  assert.ok(maxDiff[0]! <= 1e-4, `max |Δ| ${maxDiff[0]} > 1e-4`);
  tf.dispose([x, a, b]);
  ours.dispose();
  nsfw.dispose();
});
