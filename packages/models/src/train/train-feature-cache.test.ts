// @cxrkit-backends: cpu wasm
// train(model, data, { ...options, featureCache: { dir } }): with the same start, seed and options (no
// dropout, no augmentation) the final weights, history and best epoch equal those of the same call
// without the cache — binary with age fusion, keep-best and early stopping on InceptionV3, regression with
// standardised targets on ResNet-50 (width 1/16). A run stopped mid-epoch and resumed ends where the
// uninterrupted one does, reusing every cached entry; augmentation uses seeded cached copies; the model
// comes back as it was; layer regularisers count as in Keras's fit (the reference: tfjs-layers' fit).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { createRng, isCxrkitError, type GrayImage } from '@cxrkit/core';
import { applyFreezePolicy, buildScreeningModel, withSeededRandom } from '../index.js';
import type { FeatureCacheInfo } from '../feature-cache/types.js';
import { train } from './train.js';
import type { TrainOptions, TrainResult, TrainingSample } from './types.js';

const root = mkdtempSync(join(tmpdir(), 'cxrkit-train-cache-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(root, `d${n++}`);

function screening(backbone: string, side: number, task: 'binary' | 'regression', fusion: Array<'age'> = []) {
  const m = withSeededRandom(31, () =>
    buildScreeningModel({
      backbone,
      inputShape: [side, side, 1],
      backboneOptions: { widthMultiplier: 1 / 16 },
      head: { units: [16, 8], dropout: [0, 0] },
      task,
      fusion,
    }),
  );
  applyFreezePolicy(m, 'last-block');
  return m;
}

/** Images whose mean brightness carries the label (and age), so the tuning metric moves. */
function samples(count: number, side: number, seed: number): TrainingSample[] {
  const rng = createRng(seed);
  return Array.from({ length: count }, (_, i) => {
    const label = i % 2;
    const age = rng.uniform(0.3, 0.9);
    const data = Float32Array.from({ length: side * side }, () => rng.uniform(-1, 1) + 0.4 * label + 0.3 * age);
    return { image: { width: side, height: side, data }, target: label, inputs: { age } };
  });
}

const weightsOf = (m: tfl.LayersModel) => m.weights.map((w) => Float32Array.from(w.read().dataSync()));
function maxDiff(a: Float32Array[], b: Float32Array[]): number {
  let d = 0;
  a.forEach((x, i) => {
    x.forEach((v, k) => {
      d = Math.max(d, Math.abs(v - b[i]![k]!));
    });
  });
  return d;
}
// Bit-identical in our measurements on cpu and wasm (see feature-cache/suffix-equality.test.ts for why a
// few ulps could differ); the bar leaves room for that and nothing else: Adam moves a weight by ≤ 1e-3/step.
const TOL = 1e-6;

function sameHistory(a: TrainResult, b: TrainResult): void {
  assert.equal(a.bestEpoch, b.bestEpoch);
  assert.equal(a.stoppedEarly, b.stoppedEarly);
  assert.equal(a.history.length, b.history.length);
  a.history.forEach((h, i) => {
    const g = b.history[i]!;
    assert.ok(
      Math.abs(h.loss - g.loss) <= 1e-6 * Math.max(1, Math.abs(h.loss)),
      `epoch ${i + 1} loss ${h.loss} vs ${g.loss}`,
    );
    for (const k of ['loss', 'auc', 'mae', 'r2'] as const)
      if (h.tune?.[k] !== undefined) assert.ok(Math.abs(h.tune[k]! - g.tune![k]!) <= 1e-5, `epoch ${i + 1} tune ${k}`);
  });
}

test('binary + age fusion, keep-best, early stopping, checkpoints: same weights and history with the cache', async () => {
  const data = samples(20, 75, 1);
  const split = { train: data.slice(0, 14), tune: data.slice(14) };
  const options: TrainOptions = {
    epochs: 5,
    batchSize: 4,
    seed: 7,
    learningRate: 3e-3,
    initOutputBias: true,
    earlyStopping: { patience: 1 },
    reduceLrOnPlateau: { patience: 1, factor: 0.5 },
  };
  const plain = screening('inception_v3', 75, 'binary', ['age']);
  const r1 = await train(plain, split, { ...options, checkpointDir: fresh() });
  const cached = screening('inception_v3', 75, 'binary', ['age']);
  let info: FeatureCacheInfo | undefined;
  const r2 = await train(cached, split, {
    ...options,
    checkpointDir: fresh(),
    featureCache: { dir: fresh() },
    callbacks: {
      onFeatureCache: (i) => {
        info = i;
      },
    },
  });
  assert.deepEqual(info?.cut, [{ layer: 'mixed8', shape: [1, 1, 80] }]);
  assert.equal(info?.computed, 20, '14 training + 6 tuning images');
  assert.equal(info?.bytesPerImage, 320);
  sameHistory(r1, r2);
  const d = maxDiff(weightsOf(plain), weightsOf(cached));
  assert.ok(d <= TOL, `final weights differ by ${d}`);
  // the model is left as it was (its layers called once, predict works)
  assert.ok(cached.layers.every((l) => l.inboundNodes.length <= 1));
  console.log(
    `[train-feature-cache] binary on ${tf.getBackend()}: max |Δw| ${d}, best epoch ${r2.bestEpoch}/${r2.history.length}`,
  );
  plain.dispose();
  cached.dispose();
});

test('regression with standardised targets: same weights with the cache', async () => {
  const data = samples(12, 32, 2).map((s) => ({ ...s, target: 40 + 40 * s.inputs!.age! }));
  const split = { train: data.slice(0, 8), tune: data.slice(8) };
  const options: TrainOptions = { epochs: 2, batchSize: 4, seed: 3, preciseBatchNorm: 8 };
  const plain = screening('resnet50', 32, 'regression');
  await train(plain, split, options);
  const cached = screening('resnet50', 32, 'regression');
  await train(cached, split, { ...options, featureCache: { dir: fresh() } });
  const d = maxDiff(weightsOf(plain), weightsOf(cached));
  assert.ok(d <= TOL * 100, `final weights differ by ${d} (output layer in years: ×100 the bar)`);
  plain.dispose();
  cached.dispose();
});

test('stopped mid-epoch and resumed: the same weights as one uninterrupted run, every cache entry reused', async () => {
  const data = samples(16, 75, 3);
  const split = { train: data.slice(0, 12), tune: data.slice(12) };
  const cacheDir = fresh();
  const base: TrainOptions = { epochs: 3, batchSize: 4, seed: 11, featureCache: { dir: cacheDir } };
  const whole = screening('inception_v3', 75, 'binary');
  await train(whole, split, { ...base, checkpointDir: fresh() });
  const ck = fresh();
  const broken = screening('inception_v3', 75, 'binary');
  await train(broken, split, {
    ...base,
    checkpointDir: ck,
    checkpointEverySteps: 1,
    callbacks: { onBatchEnd: (b, control) => (b.globalStep === 5 ? control.stop() : undefined) },
  });
  const resumed = screening('inception_v3', 75, 'binary');
  let info: FeatureCacheInfo | undefined;
  const r = await train(resumed, split, {
    ...base,
    checkpointDir: ck,
    resumeFrom: ck,
    callbacks: {
      onFeatureCache: (i) => {
        info = i;
      },
    },
  });
  assert.match(r.resumedFrom ?? '', /latest-s0000005/);
  assert.equal(info?.computed, 0);
  assert.equal(info?.reused, 16);
  assert.deepEqual(weightsOf(resumed), weightsOf(whole), 'bit-identical');
  for (const m of [whole, broken, resumed]) m.dispose();
});

test('augmentation: seeded cached copies, reused by the next run; resuming with other copies is refused', async () => {
  const data = samples(8, 75, 4);
  const dir = fresh();
  const augment = (g: GrayImage, rng: ReturnType<typeof createRng>) => ({
    ...g,
    data: g.data.map((v) => v + 0.1 * rng.normal()),
  });
  const run = async (copies: number, extra: TrainOptions = {}) => {
    const m = screening('inception_v3', 75, 'binary');
    let info: FeatureCacheInfo | undefined;
    await train(
      m,
      { train: data.slice(0, 6), tune: data.slice(6) },
      {
        epochs: 2,
        batchSize: 3,
        seed: 5,
        augment,
        featureCache: { dir, augmentedCopies: copies },
        ...extra,
        callbacks: {
          onFeatureCache: (i) => {
            info = i;
          },
        },
      },
    );
    const w = weightsOf(m);
    m.dispose();
    return { info: info!, w };
  };
  const a = await run(3);
  assert.equal(a.info.needed, 6 * 3 + 2, '3 copies per training image (no plain row without precise BN) + tuning');
  assert.equal(a.info.computed, 20);
  const b = await run(3);
  assert.equal(b.info.computed, 0);
  assert.deepEqual(a.w, b.w, 'the same seed picks the same copies');
  const c = await run(3, { preciseBatchNorm: 4 });
  assert.equal(c.info.computed, 6, 'precise BN reads the plain rows: computed now, the copies reused');
  // a checkpoint written with 3 copies cannot be resumed with 2
  const ck = fresh();
  const m = screening('inception_v3', 75, 'binary');
  await train(
    m,
    { train: data.slice(0, 6) },
    { epochs: 1, batchSize: 3, seed: 5, augment, checkpointDir: ck, featureCache: { dir, augmentedCopies: 3 } },
  );
  await assert.rejects(
    train(
      m,
      { train: data.slice(0, 6) },
      { epochs: 2, batchSize: 3, seed: 5, augment, resumeFrom: ck, featureCache: { dir, augmentedCopies: 2 } },
    ),
    (e: unknown) => isCxrkitError(e, 'TRAIN_RESUME_MISMATCH') && /2 cached augmented copies/.test((e as Error).message),
  );
  assert.ok(
    m.layers.every((l) => l.inboundNodes.length <= 1),
    'restored after the error too',
  );
  m.dispose();
});

test('typed errors: nothing frozen, an unknown featureCache option (did you mean)', async () => {
  const data = samples(4, 32, 5);
  const open = withSeededRandom(1, () =>
    buildScreeningModel({
      backbone: 'resnet50',
      inputShape: [32, 32, 1],
      backboneOptions: { widthMultiplier: 1 / 16 },
    }),
  );
  await assert.rejects(train(open, { train: data }, { epochs: 1, featureCache: { dir: fresh() } }), (e: unknown) =>
    isCxrkitError(e, 'FEATURE_CACHE_NOTHING_FROZEN'),
  );
  await assert.rejects(
    train(open, { train: data }, { epochs: 1, featureCache: { dir: fresh(), dtpye: 'float16' } as never }),
    (e: unknown) => isCxrkitError(e, 'TRAIN_OPTION_UNKNOWN') && /dtype/.test((e as Error).message),
  );
  open.dispose();
});

test("layer regularisers are part of the loss, as in Keras's fit (same weights as tfjs-layers' fit)", async () => {
  const make = (l2 = 0.05) => {
    const x = tfl.input({ shape: [3], name: 'x' });
    const out = tfl.layers
      .dense({
        units: 1,
        activation: 'sigmoid',
        ...(l2 > 0 ? { kernelRegularizer: tfl.regularizers.l2({ l2 }) } : {}),
        kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }),
        name: 'out',
      })
      .apply(x) as tfl.SymbolicTensor;
    return tfl.model({ inputs: x, outputs: out });
  };
  // train() wants images: a 1 × 3 "image" model input is the same three numbers
  const rng = createRng(9);
  const rows = Array.from({ length: 8 }, (_, i) => [rng.uniform(-1, 1), rng.uniform(-1, 1), (i % 2) - 0.5]);
  const labels = rows.map((_, i) => i % 2);
  const viaFit = make();
  viaFit.compile({ optimizer: tf.train.adam(0.05), loss: 'binaryCrossentropy' });
  const xs = tf.tensor2d(rows);
  const ys = tf.tensor2d(labels, [8, 1]);
  await viaFit.fit(xs, ys, { epochs: 3, batchSize: 8, shuffle: false, verbose: 0 });
  const viaTrain = async (l2: number) => {
    const img = tfl.input({ shape: [1, 3, 1], name: 'image' });
    const inner = make(l2);
    const wrapped = tfl.model({
      inputs: img,
      outputs: inner.apply(tfl.layers.flatten().apply(img)) as tfl.SymbolicTensor,
    });
    await train(
      wrapped,
      {
        train: rows.map((r, i) => ({ image: { width: 3, height: 1, data: Float32Array.from(r) }, target: labels[i]! })),
      },
      { task: 'binary', epochs: 3, batchSize: 8, learningRate: 0.05, seed: 1, monitor: 'loss' },
    );
    return weightsOf(inner);
  };
  const d = maxDiff(weightsOf(viaFit), await viaTrain(0.05));
  assert.ok(d <= 1e-6, `weights after 3 full-batch steps differ from fit's by ${d}`);
  // and the regulariser mattered: without it the weights end elsewhere
  assert.ok(maxDiff(weightsOf(viaFit), await viaTrain(0)) > 1e-4);
  tf.dispose([xs, ys]);
});
