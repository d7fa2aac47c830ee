// @cxrkit-backends: cpu wasm
// createTfjsPredictor: the backend-neutral predict contract on tfjs (chunking, names, validation, leaks).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { isCxrkitError } from '@cxrkit/core';
import { createTfjsPredictor } from './index.js';
import { expectNoLeaks } from '../../../../test/helpers.js';

function twoInputModel(): tfl.LayersModel {
  const image = tfl.input({ shape: [6, 6, 1], name: 'image' });
  const age = tfl.input({ shape: [1], name: 'age' });
  const f = tfl.layers
    .globalAveragePooling2d({})
    .apply(
      tfl.layers.conv2d({ filters: 2, kernelSize: 3, name: 'c' }).apply(image) as tfl.SymbolicTensor,
    ) as tfl.SymbolicTensor;
  const cat = tfl.layers.concatenate({}).apply([f, age]) as tfl.SymbolicTensor;
  const score = tfl.layers.dense({ units: 1, activation: 'sigmoid', name: 'score' }).apply(cat) as tfl.SymbolicTensor;
  const classes = tfl.layers
    .dense({ units: 3, activation: 'softmax', name: 'classes' })
    .apply(cat) as tfl.SymbolicTensor;
  return tfl.model({ inputs: [image, age], outputs: [score, classes] });
}

test('predict splits a batch into batchSize chunks and returns the same values as one model.predict, keyed by output name', async () => {
  const model = twoInputModel();
  const n = 5;
  const image = Float32Array.from({ length: n * 36 }, (_, i) => Math.sin(i));
  const age = Float32Array.from({ length: n }, (_, i) => 0.3 + 0.1 * i);
  const p = createTfjsPredictor(model, { batchSize: 2 });
  assert.deepEqual(p.inputNames, ['image', 'age']);
  assert.deepEqual(p.outputNames, ['score', 'classes']);
  assert.match(p.engine, /^tfjs:/);
  const out = await expectNoLeaks(
    () => p.predict({ image: { data: image, shape: [n, 6, 6, 1] }, age: { data: age, shape: [n, 1] } }),
    'predict',
  );
  const ref = tf.tidy(() =>
    (model.predict([tf.tensor4d(image, [n, 6, 6, 1]), tf.tensor2d(age, [n, 1])]) as tf.Tensor[]).map((t) =>
      t.dataSync(),
    ),
  );
  assert.deepEqual(out.score!.shape, [n, 1]);
  assert.deepEqual(out.classes!.shape, [n, 3]);
  assert.deepEqual([...out.score!.data], [...ref[0]!]);
  assert.deepEqual([...out.classes!.data], [...ref[1]!]);
  model.dispose();
});

test('predict rejects missing, misspelt, mis-shaped and mis-batched inputs with PREDICT_BAD_INPUT', async () => {
  const model = twoInputModel();
  const p = createTfjsPredictor(model);
  const image = { data: new Float32Array(2 * 36), shape: [2, 6, 6, 1] };
  const bad = async (inputs: unknown, re: RegExp) =>
    assert.rejects(
      p.predict(inputs as never),
      (e: unknown) => isCxrkitError(e, 'PREDICT_BAD_INPUT') && re.test((e as Error).message),
    );
  await bad(image, /2 inputs/);
  await bad({ image }, /'age' is missing/);
  await bad({ image, agee: { data: new Float32Array(2), shape: [2, 1] } }, /did you mean 'age'/);
  await bad({ image, age: { data: new Float32Array(3), shape: [2, 1] } }, /3 values/);
  await bad({ image, age: { data: new Float32Array(3), shape: [3, 1] } }, /batch 3/);
  await bad({ image, age: [1, 2] }, /not a \{ data/);
  await bad(
    { image: { data: new Float32Array(0), shape: [0, 6, 6, 1] }, age: { data: new Float32Array(0), shape: [0, 1] } },
    /empty/,
  );
  assert.throws(
    () => createTfjsPredictor(model, { batchSize: 0 }),
    (e: unknown) => isCxrkitError(e, 'PREDICT_BAD_OPTION'),
  );
  model.dispose();
});
