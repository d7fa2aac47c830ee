// The frozen cut and the split of a model into prefix and trainable suffix: where the cut falls on the
// three backbones (the boundaries Keras's fine-tuning guides freeze at: InceptionV3 up to mixed8 — the
// "first 249 layers" of the Keras example —, DenseNet up to pool4, ResNet-50 up to conv4), a cut of
// several tensors on a branching net, named cuts and their typed errors, and that the model is left as it
// was. Reference outputs are model.predict of the unsplit model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { isCxrkitError } from '@cxrkit/core';
import { applyFreezePolicy, buildScreeningModel, withSeededRandom } from '../index.js';
import { expectNoLeaks } from '../../../../test/helpers.js';
import { splitAtFrozenCut } from './split-model.js';

type T = tfl.SymbolicTensor;
const small = (backbone: string, side: number, fusion: Array<'age' | 'sex'> = ['age', 'sex']) =>
  withSeededRandom(17, () =>
    buildScreeningModel({
      backbone,
      inputShape: [side, side, 1],
      backboneOptions: { widthMultiplier: 1 / 16 },
      head: { units: [8, 4], dropout: [0.2, 0] },
      fusion,
    }),
  );

/** predict of the whole model vs suffix(prefix(x)), the same inputs. */
function splitOutputs(model: tfl.LayersModel, split: ReturnType<typeof splitAtFrozenCut>, side: number) {
  const x = tf.randomUniform([3, side, side, 1], -1, 1, 'float32', 4);
  const age = tf.tensor2d([[0.4], [0.6], [0.8]]);
  const sex = tf.tensor2d([[0], [1], [1]]);
  const ref = tf.tidy(() => (model.predict([x, age, sex]) as tf.Tensor).dataSync());
  const got = tf.tidy(() => {
    const f = split.prefix.predict(x);
    return (split.suffix.predict([...(Array.isArray(f) ? f : [f]), age, sex]) as tf.Tensor).dataSync();
  });
  tf.dispose([x, age, sex]);
  return { ref, got };
}

const CASES = [
  { backbone: 'inception_v3', side: 75, lastBlock: 'mixed8' },
  { backbone: 'densenet169', side: 32, lastBlock: 'pool4_pool' },
  { backbone: 'resnet50', side: 32, lastBlock: 'conv4_block6_out' },
];

for (const { backbone, side, lastBlock } of CASES) {
  test(`${backbone}: 'last-block' cuts at ${lastBlock}, 'head-only' at avg_pool; suffix(prefix(x)) = predict(x)`, async () => {
    const model = small(backbone, side);
    for (const [policy, cut] of [
      ['last-block', lastBlock],
      ['head-only', 'avg_pool'],
    ] as const) {
      applyFreezePolicy(model, policy);
      const split = splitAtFrozenCut(model);
      assert.deepEqual(
        split.cut.map((c) => c.layer),
        [cut],
      );
      assert.deepEqual(split.cut[0]!.shape, (model.getLayer(cut).output as T).shape.slice(1));
      assert.deepEqual(split.otherInputs, ['age', 'sex']);
      assert.deepEqual(split.suffix.inputNames, [`${cut}_cached`, 'age', 'sex']);
      // the suffix trains exactly the model's trainable weights (the same variables)
      assert.deepEqual(
        new Set(split.suffix.trainableWeights.map((w) => w.read().id)),
        new Set(model.trainableWeights.map((w) => w.read().id)),
      );
      const { ref, got } = await expectNoLeaks(() => splitOutputs(model, split, side), 'split forward');
      assert.deepEqual(Array.from(got), Array.from(ref), 'bit-identical to the unsplit model');
      split.restore();
      split.restore(); // idempotent
      // the model is as before: every layer has its one call again
      assert.deepEqual((model.getLayer('head_output').output as T).shape, [null, 1]);
      assert.ok(model.layers.every((l) => l.inboundNodes.length <= 1));
    }
    model.dispose();
  });
}

/** image → frozen conv → [GAP → dense_a] and [frozen conv → GAP → dense_b] → add: a cut of two tensors. */
function branching(): tfl.LayersModel {
  const L = tfl.layers;
  let seed = 3;
  const init = () => tfl.initializers.glorotUniform({ seed: seed++ });
  const image = tfl.input({ shape: [12, 12, 1], name: 'image' });
  const age = tfl.input({ shape: [1], name: 'age' });
  const c1 = L.conv2d({ filters: 4, kernelSize: 3, activation: 'relu', kernelInitializer: init(), name: 'c1' }).apply(
    image,
  ) as T;
  const gapA = L.globalAveragePooling2d({ name: 'gap_a' }).apply(c1) as T;
  const c2 = L.conv2d({ filters: 6, kernelSize: 3, kernelInitializer: init(), name: 'c2' }).apply(c1) as T;
  const pool = L.maxPooling2d({ poolSize: 2, name: 'pool' }).apply(c2) as T;
  const gapB = L.globalAveragePooling2d({ name: 'gap_b' }).apply(pool) as T;
  const a = L.dense({ units: 3, kernelInitializer: init(), name: 'dense_a' }).apply(
    L.concatenate({ name: 'fuse' }).apply([gapA, age]) as T,
  ) as T;
  const b = L.dense({ units: 3, kernelInitializer: init(), name: 'dense_b' }).apply(gapB) as T;
  const out = L.dense({ units: 1, activation: 'sigmoid', kernelInitializer: init(), name: 'out' }).apply(
    L.add({ name: 'sum' }).apply([a, b]) as T,
  ) as T;
  const m = tfl.model({ inputs: [image, age], outputs: out, name: 'branching' });
  for (const n of ['c1', 'c2']) m.getLayer(n).trainable = false;
  return m;
}

test('a branching net cuts at two tensors (one per frozen branch); the suffix takes both and age', () => {
  const model = branching();
  const split = splitAtFrozenCut(model);
  assert.deepEqual(
    split.cut.map((c) => [c.layer, c.shape]),
    [
      ['gap_a', [4]],
      ['gap_b', [6]],
    ],
  );
  assert.deepEqual(split.suffix.inputNames, ['gap_a_cached', 'gap_b_cached', 'age']);
  const x = tf.randomUniform([2, 12, 12, 1], -1, 1, 'float32', 9);
  const age = tf.tensor2d([[0.3], [0.9]]);
  const ref = (model.predict([x, age]) as tf.Tensor).dataSync();
  const [fa, fb] = split.prefix.predict(x) as tf.Tensor[];
  const got = (split.suffix.predict([fa!, fb!, age]) as tf.Tensor).dataSync();
  assert.deepEqual(Array.from(got), Array.from(ref));
  split.restore();
  tf.dispose([x, age, fa!, fb!]);
});

test('named cuts: a valid one is taken; invalid ones give FEATURE_CACHE_CUT_INVALID naming the valid cut', () => {
  const model = branching();
  const s = splitAtFrozenCut(model, ['c1', 'pool']);
  assert.deepEqual(
    s.cut.map((c) => c.layer),
    ['c1', 'pool'],
  );
  s.restore();
  const cases: Array<[string[] | string, RegExp]> = [
    ['c2', /'gap_a' after the cut reads 'c1'/],
    [['gap_a', 'gap_b', 'dense_b'], /'dense_b' before the cut trains/],
    ['nope', /no layer 'nope'/],
    ['fuse', /depends on the input 'age'/],
  ];
  for (const [cut, message] of cases) {
    assert.throws(
      () => splitAtFrozenCut(model, cut),
      (e: unknown) => {
        assert.ok(isCxrkitError(e, 'FEATURE_CACHE_CUT_INVALID'), String(e));
        assert.match((e as Error).message, message);
        assert.match((e as Error).message, /cut: \["gap_a","gap_b"\]/, 'the fix names the valid cut');
        return true;
      },
    );
  }
  // an all-trainable backbone has nothing to cache
  const open = small('resnet50', 32, []);
  assert.throws(
    () => splitAtFrozenCut(open),
    (e: unknown) =>
      isCxrkitError(e, 'FEATURE_CACHE_NOTHING_FROZEN') && /conv1_pad|conv1_conv/.test((e as Error).message),
  );
  assert.ok(
    model.layers.every((l) => l.inboundNodes.length === 1),
    'failed splits leave the model as it was',
  );
  open.dispose();
  model.dispose();
});
