// @cxrkit-backends: cpu wasm
// Freezing policies: which layers train, and after `fit` every frozen layer's weights AND BatchNorm
// moving statistics are bit-identical (tfjs's stock BN would have changed them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { isCxrkitError } from '@cxrkit/core';
import { applyFreezePolicy, buildScreeningModel, createModel, listModels, modelInfo } from './index.js';
import { registerWasmTrainingKernels } from '@cxrkit/tfjs-ext';
import { expectNoLeaks } from '../../../test/helpers.js';

if (tf.getBackend() === 'wasm') registerWasmTrainingKernels();

/** Every weight of every layer (BN moving statistics included), copied. */
function snapshot(model: tfl.LayersModel): Map<string, Float32Array[]> {
  return new Map(model.layers.map((l) => [l.name, l.getWeights().map((w) => new Float32Array(w.dataSync()))]));
}
const identical = (a: Float32Array[], b: Float32Array[]) =>
  a.length === b.length && a.every((x, i) => x.length === b[i]!.length && x.every((v, j) => Object.is(v, b[i]![j])));

async function fitTwoSteps(model: tfl.LayersModel, size: number, compileFirst: boolean, policy: () => void) {
  if (!compileFirst) policy();
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
  if (compileFirst) policy();
  const x = tf.randomNormal([4, size, size, 1], 0, 1, 'float32', 3);
  const y = tf.oneHot(tf.tensor1d([0, 1, 1, 0], 'int32'), 2);
  await model.fit(x, y, { epochs: 1, batchSize: 2, verbose: 0, shuffle: false });
  tf.dispose([x, y]);
}

/** Keras 2.2 layer that ends the frozen part for 'last-block'. */
const BOUNDARY: Record<string, string> = {
  inception_v3: 'mixed8',
  densenet121: 'pool4_pool',
  densenet169: 'pool4_pool',
  densenet201: 'pool4_pool',
  resnet50: 'conv4_block6_out',
};

for (const name of listModels()) {
  test(`${name}: 'last-block' — frozen layers and BN statistics bit-identical after fit, the rest trains`, async () => {
    const size = modelInfo(name).minSize;
    const model = createModel(name, { inputShape: [size, size, 1], classes: 2, widthMultiplier: 1 / 16 });
    const before = snapshot(model);
    let report: ReturnType<typeof applyFreezePolicy> | undefined;
    await fitTwoSteps(model, size, name === 'resnet50', () => (report = applyFreezePolicy(model, 'last-block')));
    const after = snapshot(model);
    const boundaryIndex = model.layers.findIndex((l) => l.name === BOUNDARY[name]);
    assert.ok(boundaryIndex > 0);
    let frozenChecked = 0;
    let trainableChanged = 0;
    for (const [i, layer] of model.layers.entries()) {
      if (layer.weights.length === 0) continue;
      const same = identical(before.get(layer.name)!, after.get(layer.name)!);
      if (i <= boundaryIndex) {
        assert.equal(layer.trainable, false, `${layer.name} frozen`);
        assert.ok(same, `${layer.name} (frozen) changed during fit`);
        frozenChecked++;
      } else {
        assert.equal(layer.trainable, true, `${layer.name} trainable`);
        if (!same) trainableChanged++;
      }
    }
    assert.ok(frozenChecked > 10);
    assert.ok(
      trainableChanged > 0 && trainableChanged === report!.trainable.length,
      'every trainable layer with weights was updated',
    );
    assert.equal(report!.frozen.length, frozenChecked);
    assert.equal(report!.trainableParams + report!.frozenParams, model.countParams());
    model.dispose();
  });
}

test("InceptionV3 'last-block' freezes exactly the first 249 layers, as Keras's fine-tuning example does", () => {
  const model = createModel('inception_v3', { includeTop: false, widthMultiplier: 1 / 32, inputShape: [75, 75, 3] });
  applyFreezePolicy(model, 'last-block');
  const flags = model.layers.map((l) => l.trainable);
  assert.equal(flags.slice(0, 249).filter(Boolean).length, 0);
  assert.ok(flags.slice(249).every(Boolean));
  assert.equal(model.layers[248]!.name, 'mixed8');
  model.dispose();
});

test("'head-only' on a screening model trains only the head; 'all-trainable' and predicates", async () => {
  const model = buildScreeningModel({
    backbone: 'densenet121',
    inputShape: [32, 32, 1],
    backboneOptions: { widthMultiplier: 1 / 16 },
    task: { classes: 2 },
    fusion: ['age'],
  });
  const r = applyFreezePolicy(model, 'head-only');
  assert.deepEqual(r.trainable, ['head_dense_1', 'head_dense_2', 'head_output']);
  const before = snapshot(model);
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
  const x = { image: tf.randomNormal([2, 32, 32, 1]), age: tf.tensor2d([[0.4], [0.7]]) };
  const y = tf.oneHot(tf.tensor1d([0, 1], 'int32'), 2);
  await model.fit(x, y, { epochs: 1, verbose: 0 }); // creates Adam's slots
  await expectNoLeaks(() => model.fit(x, y, { epochs: 1, verbose: 0 }).then(() => undefined), 'second fit');
  tf.dispose([x.image, x.age, y]);
  const after = snapshot(model);
  for (const l of model.layers) {
    if (l.weights.length === 0) continue;
    assert.equal(identical(before.get(l.name)!, after.get(l.name)!), !r.trainable.includes(l.name), l.name);
  }
  const all = applyFreezePolicy(model, 'all-trainable');
  assert.equal(all.frozen.length, 0);
  const pred = applyFreezePolicy(model, (n) => n.startsWith('conv5') || n.startsWith('head_'));
  assert.ok(pred.trainable.every((n) => n.startsWith('conv5') || n.startsWith('head_')));
  assert.ok(pred.frozen.includes('conv1/conv'));
  model.dispose();
});

test('unknown policies and unrecognised backbones raise typed errors', () => {
  const model = createModel('resnet50', { inputShape: [32, 32, 1], widthMultiplier: 1 / 16 });
  assert.throws(
    () => applyFreezePolicy(model, 'last_block' as never),
    (e: unknown) => isCxrkitError(e, 'FREEZE_POLICY_UNKNOWN') && /did you mean 'last-block'/.test((e as Error).message),
  );
  model.dispose();
  const tiny = buildScreeningModel({
    backbone: createModel('resnet50', {
      inputShape: [32, 32, 1],
      widthMultiplier: 1 / 16,
      includeTop: false,
      pooling: 'avg',
    }),
    task: 'binary',
  });
  assert.doesNotThrow(() => applyFreezePolicy(tiny, 'head-only'));
  tiny.dispose();
  const foreign = tfl.sequential({ layers: [tfl.layers.dense({ units: 1, inputShape: [3] })] });
  assert.throws(
    () => applyFreezePolicy(foreign, 'last-block'),
    (e: unknown) => isCxrkitError(e, 'FREEZE_BACKBONE_UNKNOWN'),
  );
  foreign.dispose();
});
