// saveModel / loadModel: round trip with identical predictions, the files tfjs's own HTTP loader reads
// (tf.loadLayersModel over http from the saved folder), 4 MiB sharding, atomic replacement, typed errors
// for missing / half-written files, and a loaded scale=false model that still trains.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { isCxrkitError } from '@cxrkit/core';
import {
  KerasBatchNormalization,
  buildScreeningModel,
  loadModel,
  saveModel,
  screeningInputs,
  SHARD_BYTES,
} from './index.js';
import { testOutputDir, expectNoLeaks } from '../../../test/helpers.js';

const root = testOutputDir('models', 'save-load');
rmSync(root, { recursive: true, force: true });
mkdirSync(root, { recursive: true });

function screening() {
  return buildScreeningModel({
    backbone: 'inception_v3',
    inputShape: [75, 75, 1],
    backboneOptions: { widthMultiplier: 1 / 16 },
    task: 'binary',
    fusion: ['age', 'sex'],
  });
}
const feeds = () => ({
  image: tf.randomUniform([3, 75, 75, 1], -1, 1, 'float32', 5),
  age: tf.tensor2d([[0.45], [0.6], [0.8]]),
  sex: tf.tensor2d([[0], [1], [1]]),
});

test('round trip: same topology, weights and predictions; standard Keras class names in model.json', async () => {
  const model = screening();
  const dir = join(root, 'screening');
  const result = await expectNoLeaks(
    () => saveModel(model, dir, { metadata: { task: 'binary', preprocessing: 'zscore' } }),
    'saveModel',
  );
  assert.deepEqual(result.files, ['model.json', 'group1-shard1of1.bin']);
  assert.equal(result.weightBytes, model.countParams() * 4);
  assert.deepEqual(readdirSync(dir).sort(), ['group1-shard1of1.bin', 'model.json']);
  assert.deepEqual(
    readdirSync(root).filter((n) => n.includes('.tmp-')),
    [],
    'no temporary folder left',
  );
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  assert.equal(json.format, 'layers-model');
  assert.deepEqual(json.userDefinedMetadata, { task: 'binary', preprocessing: 'zscore' });
  const classes = new Set<string>(json.modelTopology.config.layers.map((l: { class_name: string }) => l.class_name));
  assert.deepEqual([...classes].sort(), [
    'Activation',
    'AveragePooling2D',
    'BatchNormalization',
    'Concatenate',
    'Conv2D',
    'Dense',
    'Dropout',
    'GlobalAveragePooling2D',
    'InputLayer',
    'MaxPooling2D',
  ]);

  const loaded = await loadModel(dir);
  assert.deepEqual(
    loaded.layers.map((l) => l.name),
    model.layers.map((l) => l.name),
  );
  assert.deepEqual(loaded.inputNames, ['image', 'age', 'sex']);
  assert.ok(
    loaded.layers
      .filter((l) => l.getClassName() === 'BatchNormalization')
      .every((l) => l instanceof KerasBatchNormalization),
  );
  const f = feeds();
  const a = model.predict(screeningInputs(model, f)) as tf.Tensor;
  const want = Array.from(await a.data());
  await expectNoLeaks(async () => {
    const b = loaded.predict(screeningInputs(loaded, f)) as tf.Tensor;
    assert.deepEqual(Array.from(await b.data()), want, 'bit-identical predictions');
    b.dispose();
  }, 'predict');
  tf.dispose([a, ...Object.values(f)]);

  // The loaded InceptionV3 (BN scale=false) trains: one fit step.
  loaded.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy' });
  const g = feeds();
  const y = tf.tensor2d([[0], [1], [1]]);
  const h = await loaded.fit(g, y, { epochs: 1, verbose: 0 });
  assert.ok(Number.isFinite(h.history['loss']![0] as number));
  tf.dispose([y, ...Object.values(g)]);
  loaded.dispose();
  model.dispose();
});

test('tf.loadLayersModel reads the saved folder over http (what a browser or another app does)', async () => {
  const model = screening();
  const dir = join(root, 'http');
  await saveModel(model, dir);
  const server = createServer((req, res) => {
    const file = join(dir, (req.url ?? '/').replace(/^\/+/, ''));
    if (!existsSync(file)) return res.writeHead(404).end();
    res.writeHead(200).end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const port = (server.address() as { port: number }).port;
    const remote = await tfl.loadLayersModel(`http://127.0.0.1:${port}/model.json`);
    const f = feeds();
    const a = model.predict(screeningInputs(model, f)) as tf.Tensor;
    const b = remote.predict(screeningInputs(remote, f)) as tf.Tensor;
    assert.deepEqual(Array.from(await b.data()), Array.from(await a.data()));
    tf.dispose([a, b, ...Object.values(f)]);
    remote.dispose();
  } finally {
    server.close();
    model.dispose();
  }
});

test('weights above 4 MiB are split into shards; saving over an existing model replaces it atomically', async () => {
  const input = tfl.input({ shape: [1100] });
  const big = tfl.model({
    inputs: input,
    outputs: tfl.layers.dense({ units: 1100, name: 'wide' }).apply(input) as tfl.SymbolicTensor,
  });
  const dir = join(root, 'big');
  const first = await saveModel(big, dir);
  assert.equal(first.files.length, 1 + Math.ceil((1100 * 1101 * 4) / SHARD_BYTES));
  assert.deepEqual(first.files.slice(1), ['group1-shard1of2.bin', 'group1-shard2of2.bin']);
  const small = screening();
  await saveModel(small, dir); // replaces the big model
  assert.deepEqual(readdirSync(dir).sort(), ['group1-shard1of1.bin', 'model.json']);
  assert.deepEqual(
    readdirSync(root).filter((n) => n.startsWith('big.')),
    [],
    'no .tmp-/.old- folders left',
  );
  const back = await loadModel(join(dir, 'model.json'));
  assert.equal(back.countParams(), small.countParams());
  const byFolder = await loadModel(dir);
  assert.equal(byFolder.countParams(), small.countParams());
  byFolder.dispose();
  back.dispose();
  small.dispose();
  big.dispose();
});

test('typed errors: missing folder, half-written model.json, missing or truncated shard, unwritable target', async () => {
  const model = screening();
  const dir = join(root, 'broken');
  await saveModel(model, dir);
  const is = (code: string) => (e: unknown) => isCxrkitError(e, code);
  await assert.rejects(loadModel(join(root, 'nope')), is('MODEL_FILE_MISSING'));

  const shard = join(dir, 'group1-shard1of1.bin');
  const bytes = readFileSync(shard);
  truncateSync(shard, bytes.byteLength - 8);
  await assert.rejects(
    loadModel(dir),
    (e: unknown) => isCxrkitError(e, 'MODEL_WEIGHTS_TRUNCATED') && /describes \d+/.test((e as Error).message),
  );
  unlinkSync(shard);
  await assert.rejects(loadModel(dir), is('MODEL_WEIGHTS_MISSING'));
  writeFileSync(shard, bytes);

  const jsonPath = join(dir, 'model.json');
  const text = readFileSync(jsonPath, 'utf8');
  writeFileSync(jsonPath, text.slice(0, Math.floor(text.length / 2)));
  await assert.rejects(loadModel(dir), is('MODEL_FILE_CORRUPT'));
  writeFileSync(jsonPath, JSON.stringify({ format: 'graph-model' }));
  await assert.rejects(loadModel(dir), is('MODEL_FILE_CORRUPT'));
  const escaping = JSON.parse(text);
  escaping.weightsManifest[0].paths = ['../a-file'];
  writeFileSync(jsonPath, JSON.stringify(escaping));
  await assert.rejects(
    loadModel(dir),
    (e: unknown) => isCxrkitError(e, 'MODEL_FILE_CORRUPT') && /outside the model folder/.test((e as Error).message),
  );

  const file = join(root, 'a-file');
  writeFileSync(file, 'x');
  await assert.rejects(saveModel(model, join(file, 'model')), is('MODEL_SAVE_FAILED'));
  assert.deepEqual(
    readdirSync(root).filter((n) => n.includes('.tmp-')),
    [],
  );
  model.dispose();
});
