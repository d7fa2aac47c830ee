// @cxrkit-backends: wasm
// Keras .h5 files written by h5py in Keras's exact layout (test/fixtures/models/write-keras-h5.py) from
// the pretrained Keras 2.2.4 InceptionV3 inside the npm package nsfwjs load into createModel('inception_v3')
// with every weight bit-identical to the tfjs-format load of the same model, so the features are equal
// (max |Δ| = 0); also into a 1-channel model (first kernel summed over RGB) and into a screening model.
// Wasm only: several InceptionV3 forward passes at 299 × 299.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { readImageFile, resizeBicubic } from '@cxrkit/core';
import { buildScreeningModel, createModel, loadKerasWeights, transferWeights } from '../index.js';
import { fixtureDir, sharedData } from '../../../../test/helpers.js';
import { loadNsfwjsInceptionV3 } from '../../../../test/nsfwjs.js';
import { h5pySkip, layersOf, tempDir, writeKerasH5, type FixtureLayer } from '../../../../test/keras-h5.js';

// A real radiograph when the shared data is there; in a bare clone, the repo's own synthetic fixture
// (the check — identical features from the .h5 and the tfjs load — does not depend on the picture).
const REAL_IMAGE = 'cxr/covid-pa/images/auntminnie-a-2020_01_28_23_51_6665_2020_01_28_Vietnam_coronavirus.jpeg';
const real = sharedData(REAL_IMAGE);
const imagePath = real.missing ? fixtureDir('radiographs', 'radiograph-c.jpg') : real.path(REAL_IMAGE);

const skip = h5pySkip;
const noTop = { inputShape: [299, 299, 3], includeTop: false } as const;
let dir = '';
let cleanup = () => {};
let nsfwLayers: FixtureLayer[] = [];
let nsfwTopology: unknown;
/** createModel('inception_v3') loaded the tfjs way: nsfwjs's tfjs layers-model, copied by layer name. */
let reference: tfl.LayersModel;
let gray: tf.Tensor4D; // a real PA radiograph, [1, 299, 299, 1] in [-1, 1]
let rgb: tf.Tensor4D;

before(async () => {
  if (skip) return;
  ({ dir, cleanup } = tempDir());
  const nsfw = await loadNsfwjsInceptionV3();
  nsfwLayers = layersOf(nsfw);
  nsfwTopology = nsfw.toJSON(null, false);
  reference = createModel('inception_v3', noTop);
  transferWeights(nsfw, reference, { requireAll: true });
  nsfw.dispose();
  const image = resizeBicubic(await readImageFile(imagePath), { width: 299, height: 299 });
  gray = tf.tidy(() => tf.sub(tf.div(tf.tensor4d(image.data, [1, 299, 299, 1]), 127.5), 1));
  rgb = tf.tile(gray, [1, 1, 1, 3]);
});

after(() => {
  if (skip) return;
  cleanup();
  tf.dispose([gray, rgb]);
  reference.dispose();
});

async function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  return (await tf.tidy(() => tf.max(tf.abs(tf.sub(a, b)))).data())[0]!;
}

/** Number of weight values that differ bit for bit between two models with the same layer names. */
function differingValues(a: tfl.LayersModel, b: tfl.LayersModel): number {
  let n = 0;
  for (const layer of a.layers) {
    const other = b.getLayer(layer.name);
    layer.weights.forEach((w, i) => {
      const x = new Uint32Array((w.read().dataSync() as Float32Array).slice().buffer);
      const y = new Uint32Array((other.weights[i]!.read().dataSync() as Float32Array).slice().buffer);
      for (let k = 0; k < x.length; k++) if (x[k] !== y[k]) n++;
    });
  }
  return n;
}

for (const layout of ['weights', 'model'] as const) {
  const kind = layout === 'model' ? 'whole-model' : 'weights-only';
  test(`nsfwjs InceptionV3 as a Keras ${kind} .h5: weights and mixed10 features equal to the tfjs-format load`, {
    skip,
  }, async () => {
    const file = writeKerasH5(nsfwLayers, `${dir}/nsfwjs-${layout}.h5`, {
      layout,
      naming: 'keras2',
      kerasVersion: '2.2.4',
      modelConfig: nsfwTopology,
    });
    const model = createModel('inception_v3', noTop);
    const t0 = performance.now();
    const report = await loadKerasWeights(model, file);
    const seconds = (performance.now() - t0) / 1000;
    console.log(
      `${layout} layout: ${(statSync(file).size / 1e6).toFixed(1)} MB loaded in ${seconds.toFixed(2)} s ` +
        '(machine shared, timing noisy)',
    );

    assert.equal(report.file.layout, layout);
    assert.equal(report.file.kerasVersion, '2.2.4');
    assert.equal(report.copied.length, 188, '94 conv2d + 94 batch_normalization layers');
    assert.equal(report.copiedParams, model.countParams());
    assert.deepEqual(report.skipped, []);
    assert.deepEqual(report.unusedSource, ['dense_1', 'dense_2', 'dense_3'], 'only the nsfw head is left');
    assert.equal(differingValues(reference, model), 0, 'every weight bit-identical to the tfjs-format load');

    const a = reference.predict(rgb) as tf.Tensor;
    const b = model.predict(rgb) as tf.Tensor;
    assert.deepEqual(b.shape, [1, 8, 8, 2048]);
    const diff = await maxAbsDiff(a, b);
    const maxFeature = (await tf.tidy(() => tf.max(tf.abs(a))).data())[0]!;
    console.log(`mixed10 from .h5 vs tfjs format: max |Δ| = ${diff} (max |feature| ${maxFeature})`);
    assert.ok(maxFeature > 0.1, 'features are not trivially zero');
    assert.equal(diff, 0);
    tf.dispose([a, b]);
    model.dispose();
  });
}

test("a 1-channel InceptionV3 from the 3-channel .h5 (rgbToGray: sum): the RGB model's features on stacked gray", {
  skip,
}, async () => {
  const file = `${dir}/nsfwjs-weights.h5`;
  const model = createModel('inception_v3', { ...noTop, inputShape: [299, 299, 1] });
  await assert.rejects(loadKerasWeights(model, file), (e: Error & { code?: string; received?: unknown }) => {
    assert.equal(e.code, 'KERAS_H5_SHAPE_MISMATCH');
    assert.deepEqual(e.received, {
      layer: 'conv2d_1',
      fileLayer: 'conv2d_1',
      weight: 'conv2d_1/kernel:0',
      expected: [3, 3, 1, 32],
      received: [3, 3, 3, 32],
    });
    assert.match(e.message, /rgbToGray: 'sum'/);
    return true;
  });
  const report = await loadKerasWeights(model, file, { rgbToGray: 'sum' });
  assert.deepEqual(report.summedToGray, ['conv2d_1']);
  assert.equal(report.copied.length, 188);

  // The summed kernel against a float32 sum over the file's three input channels, done here.
  const rgbKernel = nsfwLayers.find((l) => l.name === 'conv2d_1')!.weights[0]!.values; // [3, 3, 3, 32]
  const grayKernel = model.getLayer('conv2d_1').weights[0]!.read().dataSync();
  let worst = 0;
  for (let p = 0; p < 9; p++) {
    for (let f = 0; f < 32; f++) {
      const at = (c: number) => rgbKernel[(p * 3 + c) * 32 + f]!;
      const expected = Math.fround(Math.fround(at(0) + at(1)) + at(2));
      worst = Math.max(worst, Math.abs(expected - grayKernel[p * 32 + f]!));
    }
  }
  assert.ok(worst <= 1e-7, `summed kernel off by ${worst}`);

  const a = reference.predict(rgb) as tf.Tensor;
  const b = model.predict(gray) as tf.Tensor;
  const diff = await maxAbsDiff(a, b);
  console.log(`gray model on gray vs RGB model on stacked gray: mixed10 max |Δ| = ${diff}`);
  assert.ok(diff <= 1e-4, `max |Δ| ${diff} > 1e-4`);
  tf.dispose([a, b]);
  model.dispose();
});

test('the backbone of a 1-channel screening model loads from the .h5; the head, absent from the file, is reported', {
  skip,
}, async () => {
  const model = buildScreeningModel({ backbone: 'inception_v3', inputShape: [299, 299, 1], fusion: ['age'] });
  const report = await loadKerasWeights(model, `${dir}/nsfwjs-weights.h5`, { rgbToGray: 'sum' });
  assert.equal(report.copied.length, 188);
  assert.deepEqual(report.summedToGray, ['conv2d_1']);
  assert.deepEqual(
    report.skipped.map((s) => [s.layer, s.reason]),
    [
      ['head_dense_1', 'not-in-source'],
      ['head_dense_2', 'not-in-source'],
      ['head_output', 'not-in-source'],
    ],
  );
  const conv = model.getLayer('conv2d_94').weights[0]!.read().dataSync();
  assert.deepEqual(conv, reference.getLayer('conv2d_94').weights[0]!.read().dataSync());
  model.dispose();
});

test("match: 'order' (Keras's own load_weights) pairs the .h5's layers in Keras 2.2.4's order with the same result", {
  skip,
}, async () => {
  const model = createModel('inception_v3', noTop);
  const report = await loadKerasWeights(model, `${dir}/nsfwjs-weights.h5`, { match: 'order' });
  assert.equal(report.copied.length, 188);
  assert.deepEqual(report.unusedSource, ['dense_1', 'dense_2', 'dense_3'], 'the extra file layers at the end');
  assert.equal(differingValues(reference, model), 0, "cxrkit keeps Keras's layer order");
  model.dispose();
});

test("a with-top file the size of Keras's inception_v3_weights_tf_dim_ordering_tf_kernels.h5 (96 MB) loads", {
  skip,
}, async () => {
  // nsfwjs's backbone (its first 311 layers are Keras's include_top=False InceptionV3) plus Keras's top:
  // avg_pool and a 1000-class `predictions` taken from a freshly built model.
  const donor = createModel('inception_v3', { inputShape: [299, 299, 3] });
  const top = layersOf(donor).filter((l) => l.name === 'avg_pool' || l.name === 'predictions');
  const layers = [...nsfwLayers.slice(0, 311), ...top];
  assert.equal(layers[310]!.name, 'mixed10');
  const file = writeKerasH5(layers, `${dir}/inception-v3-top.h5`, {
    layout: 'weights',
    naming: 'keras2',
    kerasVersion: '2.1.5',
  });
  const model = createModel('inception_v3', { inputShape: [299, 299, 3] });
  const t0 = performance.now();
  const report = await loadKerasWeights(model, file);
  const seconds = (performance.now() - t0) / 1000;
  const mb = statSync(file).size / 1e6;
  console.log(
    `with-top .h5: ${mb.toFixed(1)} MB, ${report.copiedParams} parameters loaded in ${seconds.toFixed(2)} s ` +
      '(machine shared, timing noisy)',
  );
  assert.ok(mb > 95 && mb < 97, `file is ${mb} MB`);
  assert.equal(report.copiedParams, 23_851_784, "Keras's InceptionV3 with top");
  assert.deepEqual(report.unusedSource, []);
  assert.deepEqual(
    model.getLayer('predictions').weights[0]!.read().dataSync(),
    donor.getLayer('predictions').weights[0]!.read().dataSync(),
  );
  donor.dispose();
  model.dispose();
});
