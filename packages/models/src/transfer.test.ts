// transferWeights: copies by name + shapes with a report (age model → osteoporosis model with fusion),
// copies are independent, RGB→gray kernel summing is exactly equivalent to stacking gray into RGB.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { createRng, imagesToTensor, isCxrkitError } from '@cxrkit/core';
import { buildScreeningModel, createModel, transferWeights } from './index.js';
import { expectNoLeaks } from '../../../test/helpers.js';

const tiny = { widthMultiplier: 1 / 16 };
const values = (t: tf.Tensor) => Array.from(t.dataSync());

test('age model → osteoporosis model with age fusion: backbone copied, mismatching head layer skipped with reason', async () => {
  const age = buildScreeningModel({
    backbone: 'densenet121',
    inputShape: [32, 32, 1],
    backboneOptions: tiny,
    task: 'regression',
  });
  const osteo = buildScreeningModel({
    backbone: 'densenet121',
    inputShape: [32, 32, 1],
    backboneOptions: tiny,
    task: 'binary',
    fusion: ['age'],
  });
  const report = await expectNoLeaks(() => transferWeights(age, osteo), 'transferWeights');
  const withWeights = osteo.layers.filter((l) => l.weights.length > 0).map((l) => l.name);
  assert.deepEqual(
    report.skipped.map((s) => [s.layer, s.reason]),
    [['head_dense_1', 'shape-mismatch']],
  );
  assert.match(report.skipped[0]!.detail, /source \[\d+,256\] vs target \[\d+,256\]/);
  assert.equal(report.copied.length, withWeights.length - 1);
  assert.ok(
    report.copied.includes('conv1/conv') &&
      report.copied.includes('conv5_block16_2_conv') &&
      report.copied.includes('head_output'),
  );
  assert.deepEqual(report.unusedSource, ['head_dense_1']);
  // Values equal, BN moving statistics included; the copy is independent of the source.
  for (const name of ['conv1/conv', 'conv1/bn', 'bn', 'head_output']) {
    const [s, t] = [age.getLayer(name).getWeights(), osteo.getLayer(name).getWeights()];
    s.forEach((w, i) => assert.deepEqual(values(t[i]!), values(w), name));
  }
  const kernel = age.getLayer('conv1/conv');
  kernel.setWeights([tf.zerosLike(kernel.getWeights()[0]!)]);
  assert.ok(
    values(osteo.getLayer('conv1/conv').getWeights()[0]!).some((v) => v !== 0),
    'target kept its copy',
  );
  const params = report.copied.reduce((a, n) => a + osteo.getLayer(n).countParams(), 0);
  assert.equal(report.copiedParams, params);
  // Filters and requireAll.
  const onlyBackbone = transferWeights(age, osteo, { layers: (n) => !n.startsWith('head_') });
  assert.ok(onlyBackbone.skipped.every((s) => s.reason === 'filtered-out' && s.layer.startsWith('head_')));
  assert.throws(
    () => transferWeights(age, osteo, { requireAll: true }),
    (e: unknown) => isCxrkitError(e, 'TRANSFER_INCOMPLETE') && /head_dense_1/.test((e as Error).message),
  );
  age.dispose();
  osteo.dispose();
});

test("rgbToGray 'sum': the 1-channel model on a gray image equals the RGB model on the stacked image", async () => {
  const rgb = createModel('resnet50', { inputShape: [40, 40, 3], includeTop: false, pooling: 'avg', ...tiny });
  const gray = createModel('resnet50', { inputShape: [40, 40, 1], includeTop: false, pooling: 'avg', ...tiny });
  const plain = transferWeights(rgb, gray);
  assert.deepEqual(
    plain.skipped.map((s) => [s.layer, s.reason]),
    [['conv1_conv', 'shape-mismatch']],
  );
  const report = transferWeights(rgb, gray, { rgbToGray: 'sum' });
  assert.deepEqual(report.summedToGray, ['conv1_conv']);
  assert.equal(report.skipped.length, 0);
  // two seeded gray images, as one channel and stacked into RGB by core (grayToChannels underneath)
  const rng = createRng(11);
  const grayImage = () => ({ data: Float32Array.from({ length: 40 * 40 }, () => rng.next()), width: 40, height: 40 });
  const grays = [grayImage(), grayImage()];
  const image = imagesToTensor(grays, { channels: 1 });
  const stacked = imagesToTensor(grays, { channels: 3 });
  assert.deepEqual(stacked.shape, [2, 40, 40, 3]);
  const a = rgb.predict(stacked) as tf.Tensor;
  const b = gray.predict(image) as tf.Tensor;
  const diff = (await tf.max(tf.abs(tf.sub(a, b))).data())[0]!;
  const scale = (await tf.max(tf.abs(a)).data())[0]!;
  assert.ok(diff <= 1e-5 * Math.max(1, scale), `max |Δ| ${diff}`);
  tf.dispose([image, stacked, a, b]);
  rgb.dispose();
  gray.dispose();
});
