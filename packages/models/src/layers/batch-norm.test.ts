// @cxrkit-backends: cpu wasm
// KerasBatchNormalization: training mode with scale=false (stock tfjs 4.22 throws), numerics against a
// hand calculation in plain JS, frozen = inference mode, Keras class name in the saved config, and one
// optimizer step for every registered model as built (1/16 width, tiny inputs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { KerasBatchNormalization, batchNormalization } from './batch-norm.js';
import { createModel, listModels, modelInfo } from '../index.js';
import { registerWasmTrainingKernels } from '@cxrkit/tfjs-ext';
import { expectNoLeaks } from '../../../../test/helpers.js';

// tfjs-backend-wasm 4.22 lacks Conv2DBackpropFilter: cxrkit's own wasm training kernels supply it.
if (tf.getBackend() === 'wasm') registerWasmTrainingKernels();

// x: [4, 1, 1, 2] — channel 0 = 1, 2, 3, 4; channel 1 = 10, 10, 10, 30.
const X = [1, 10, 2, 10, 3, 10, 4, 30];

function handBatchNorm(eps: number, beta: number[]) {
  const out: number[] = new Array(8);
  const mean: number[] = [];
  const variance: number[] = [];
  for (let c = 0; c < 2; c++) {
    const v = [0, 1, 2, 3].map((i) => X[i * 2 + c]!);
    const m = v.reduce((a, b) => a + b, 0) / 4;
    const s2 = v.reduce((a, b) => a + (b - m) ** 2, 0) / 4; // biased, as tfjs computes it
    mean.push(m);
    variance.push(s2);
    v.forEach((val, i) => (out[i * 2 + c] = (val - m) / Math.sqrt(s2 + eps) + beta[c]!));
  }
  return { out, mean, variance };
}

test('stock tfjs BatchNormalization with scale=false fails in training mode (the defect being fixed)', () => {
  const stock = tfl.layers.batchNormalization({ scale: false });
  const x = tf.tensor4d(X, [4, 1, 1, 2]);
  stock.apply(x); // builds
  assert.throws(() => stock.apply(x, { training: true }));
  x.dispose();
  stock.dispose();
});

test('scale=false in training mode: batch statistics, moving averages, no gamma weight', async () => {
  const bn = batchNormalization({ axis: -1, scale: false, momentum: 0.9, epsilon: 1e-3 });
  const x = tf.tensor4d(X, [4, 1, 1, 2]);
  bn.apply(x); // build
  assert.deepEqual(
    bn.weights.map((w) => w.originalName ?? w.name).map((n) => n.split('/').pop()),
    ['beta', 'moving_mean', 'moving_variance'],
  );
  assert.equal(bn.countParams(), 6);
  bn.setWeights([tf.tensor1d([0.5, -1]), tf.tensor1d([1, 2]), tf.tensor1d([3, 4])]);
  await expectNoLeaks(async () => {
    const y = bn.apply(x, { training: true }) as tf.Tensor;
    const want = handBatchNorm(1e-3, [0.5, -1]);
    const got = Array.from(await y.data());
    got.forEach((g, i) => assert.ok(Math.abs(g - want.out[i]!) < 1e-5, `y[${i}] ${g} vs ${want.out[i]}`));
    y.dispose();
    // moving = moving − (moving − batch) × (1 − momentum)
    const [, mm, mv] = bn.getWeights();
    const mmv = Array.from(await mm!.data());
    const mvv = Array.from(await mv!.data());
    [1, 2].forEach((m0, c) => assert.ok(Math.abs(mmv[c]! - (m0 - (m0 - want.mean[c]!) * 0.1)) < 1e-5));
    [3, 4].forEach((v0, c) => assert.ok(Math.abs(mvv[c]! - (v0 - (v0 - want.variance[c]!) * 0.1)) < 1e-4));
  }, 'training-mode call');

  // Inference mode: (x − moving_mean) / sqrt(moving_var + eps) + beta.
  const [, mm, mv] = bn.getWeights().map((t) => Array.from(t.dataSync()));
  const y = bn.apply(x, { training: false }) as tf.Tensor;
  const got = Array.from(await y.data());
  got.forEach((g, i) => {
    const c = i % 2;
    const want = (X[i]! - mm![c]!) / Math.sqrt(mv![c]! + 1e-3) + [0.5, -1][c]!;
    assert.ok(Math.abs(g - want) < 1e-4, `inference y[${i}]`);
  });
  tf.dispose([x, y]);
  bn.dispose();
});

test('a frozen BN runs in inference mode in training calls and keeps its moving statistics', async () => {
  const bn = batchNormalization({ scale: true });
  const x = tf.tensor4d(X, [4, 1, 1, 2]);
  bn.apply(x);
  bn.trainable = false;
  const before = bn.getWeights().map((t) => Array.from(t.dataSync()));
  const yTrain = bn.apply(x, { training: true }) as tf.Tensor;
  const yInfer = bn.apply(x, { training: false }) as tf.Tensor;
  assert.deepEqual(Array.from(await yTrain.data()), Array.from(await yInfer.data()));
  assert.deepEqual(
    bn.getWeights().map((t) => Array.from(t.dataSync())),
    before,
  );
  tf.dispose([x, yTrain, yInfer]);
  bn.dispose();
});

test('serialises as a plain Keras BatchNormalization and deserialises to the fixed class', () => {
  const input = tfl.input({ shape: [4, 4, 2] });
  const out = batchNormalization({ scale: false, name: 'bn_test' }).apply(input) as tfl.SymbolicTensor;
  const m = tfl.model({ inputs: input, outputs: out });
  const json = m.toJSON(undefined, false) as {
    config: { layers: Array<{ class_name: string; config: Record<string, unknown> }> };
  };
  const layer = json.config.layers.find((l) => l.config['name'] === 'bn_test')!;
  assert.equal(layer.class_name, 'BatchNormalization');
  assert.equal(layer.config['scale'], false);
  assert.ok(m.getLayer('bn_test') instanceof KerasBatchNormalization);
  m.dispose();
});

for (const name of listModels()) {
  test(`${name} (1/16 width) trains as built: one optimizer step, no extra parameters`, async () => {
    const size = modelInfo(name).minSize;
    const model = createModel(name, { inputShape: [size, size, 1], classes: 2, widthMultiplier: 1 / 16 });
    const params = model.countParams();
    const bnLayer = model.layers.find((l) => l.getClassName() === 'BatchNormalization')!;
    const kernelLayer = model.layers.find((l) => l.getClassName() === 'Conv2D')!;
    const statsBefore = Array.from(bnLayer.getWeights().at(-2)!.dataSync());
    const kernelBefore = Array.from(kernelLayer.getWeights()[0]!.dataSync());
    const optimizer = tf.train.sgd(0.01);
    const x = tf.randomNormal([2, size, size, 1], 0, 1, 'float32', 7);
    const y = tf.oneHot(tf.tensor1d([0, 1], 'int32'), 2);
    await expectNoLeaks(() => {
      const loss = optimizer.minimize(() => {
        const p = model.apply(x, { training: true }) as tf.Tensor;
        return tf.losses.softmaxCrossEntropy(y, p) as tf.Scalar;
      }, true)!;
      assert.ok(Number.isFinite(loss.dataSync()[0]!), 'finite loss');
      loss.dispose();
    }, `${name} training step`);
    assert.equal(model.countParams(), params, 'no weights added');
    assert.notDeepEqual(Array.from(kernelLayer.getWeights()[0]!.dataSync()), kernelBefore, 'kernel updated');
    assert.notDeepEqual(Array.from(bnLayer.getWeights().at(-2)!.dataSync()), statsBefore, 'moving mean updated');
    tf.dispose([x, y]);
    optimizer.dispose();
    model.dispose();
  });
}
