// Table-driven over every registered model: parameter counts (Keras's documented numbers), layer names,
// classes, order, shapes and weight counts against lists produced by running Keras's own application code
// (test/fixtures/models), output shapes at 224/299/512/1024, one full-width forward pass without NaN, and
// the typed errors. Full-size models are built once each (structure only, no training).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { isCxrkitError } from '@cxrkit/core';
import { createModel, listModels, modelInfo } from './index.js';
import { repoRoot, expectNoLeaks } from '../../../test/helpers.js';

type LayerRow = [string, string, Array<number | null>, number];
interface Fixture {
  source: string;
  notop: { params: number; layers: LayerRow[] };
  top: { params: number; layers: LayerRow[] };
  avg: { params: number; layers: LayerRow[] };
  max: { params: number; layers: LayerRow[] };
  featureShapes: Record<string, Array<number | null>>;
}
const fixture = (name: string): Fixture =>
  JSON.parse(readFileSync(`${repoRoot}/test/fixtures/models/${name}.layers.json`, 'utf8')) as Fixture;

/** Keras's documented parameter counts (keras.io/api/applications), without / with the 1000-class top. */
const KERAS_PARAMS: Record<string, [number, number]> = {
  inception_v3: [21_802_784, 23_851_784],
  densenet121: [7_037_504, 8_062_504],
  densenet169: [12_642_880, 14_307_880],
  densenet201: [18_321_984, 20_242_984],
  resnet50: [23_587_712, 25_636_712],
};

function rows(model: tfl.LayersModel): LayerRow[] {
  return model.layers.map((l) => {
    const shape = (Array.isArray(l.outputShape[0]) ? l.outputShape[0] : l.outputShape) as Array<number | null>;
    return [l.name, l.getClassName(), shape, l.countParams()];
  });
}

function compareLayers(actual: LayerRow[], expected: LayerRow[], label: string, { shapes = true } = {}) {
  assert.equal(actual.length, expected.length, `${label}: layer count`);
  for (let i = 0; i < expected.length; i++) {
    const [n, c, s, p] = expected[i]!;
    const [an, ac, as, ap] = actual[i]!;
    assert.equal(an, n, `${label}: layer ${i} name`);
    assert.equal(ac, c, `${label}: ${n} class`);
    if (shapes) {
      assert.deepEqual(as, s, `${label}: ${n} output shape`);
      assert.equal(ap, p, `${label}: ${n} weight count`);
    }
  }
}

test('listModels lists the five Keras architectures', () => {
  assert.deepEqual(listModels().sort(), ['densenet121', 'densenet169', 'densenet201', 'inception_v3', 'resnet50']);
});

for (const name of listModels()) {
  test(`${name}: full width — Keras parameter counts, layers, shapes at 224/299/512/1024, one forward pass`, async () => {
    const fx = fixture(name);
    const [noTop, withTop] = KERAS_PARAMS[name]!;
    const size = modelInfo(name).defaultSize;
    const before = tf.memory().numTensors;

    // One full-width build (with top); the no-top network is its sub-graph up to the feature layer —
    // the same layers createModel(..., { includeTop: false }) builds (checked at 1/16 width below).
    const top = createModel(name, { inputShape: [size, size, 3] });
    assert.equal(top.countParams(), withTop, 'params with top');
    compareLayers(rows(top), fx.top.layers, `${name} top`);
    assert.deepEqual(top.outputs[0]!.shape, [null, 1000]);
    const notop = tfl.model({
      inputs: top.inputs,
      outputs: top.getLayer(modelInfo(name).featureLayer).output as tfl.SymbolicTensor,
    });
    assert.equal(notop.countParams(), noTop, 'params without top');
    assert.equal(fx.notop.params, noTop, 'fixture agrees with Keras documentation');
    compareLayers(rows(notop), fx.notop.layers, `${name} notop`);
    for (const n of [224, 299, 512, 1024]) {
      const shape = notop.computeOutputShape([1, n, n, 3]) as number[];
      assert.deepEqual(shape.slice(1), fx.featureShapes[String(n)]!.slice(1), `${name} feature shape at ${n}`);
    }
    // One forward pass of the full-width network (smallest valid input keeps it cheap): finite, right shape.
    const min = modelInfo(name).minSize;
    await expectNoLeaks(async () => {
      const x = tf.randomUniform([1, min, min, 3], -1, 1);
      const y = notop.apply(x, { training: false }) as tf.Tensor; // apply: the spatial size differs from the built one
      const expectedShape = notop.computeOutputShape([1, min, min, 3]) as number[];
      assert.deepEqual(y.shape, expectedShape);
      const allFinite = tf.tidy(() => tf.all(tf.isFinite(y)));
      const finite = (await allFinite.data())[0];
      tf.dispose([x, y, allFinite]);
      assert.equal(finite, 1, 'no NaN/Inf in the forward pass');
    }, `${name} forward`);
    top.dispose();
    assert.equal(tf.memory().numTensors, before, 'dispose() frees every weight');
  });

  test(`${name}: includeTop false, pooling 'avg'/'max', 1 channel, 1/16 width — same names and classes`, () => {
    const fx = fixture(name);
    for (const pooling of [null, 'avg', 'max'] as const) {
      const m = createModel(name, { includeTop: false, pooling, widthMultiplier: 1 / 16 });
      compareLayers(rows(m), fx[pooling ?? 'notop'].layers, `${name} ${pooling ?? 'notop'}`, { shapes: false });
      m.dispose();
    }
    // Gray input: only the first convolution shrinks, by kh × kw × 2 × filters.
    const gray = createModel(name, { includeTop: false, inputShape: [96, 96, 1], widthMultiplier: 1 / 16 });
    const rgb = createModel(name, { includeTop: false, inputShape: [96, 96, 3], widthMultiplier: 1 / 16 });
    const first = rgb.layers.find((l) => l.getClassName() === 'Conv2D')!;
    const [kh, kw, , f] = first.getWeights()[0]!.shape;
    assert.equal(rgb.countParams() - gray.countParams(), kh! * kw! * 2 * f!);
    gray.dispose();
    rgb.dispose();
  });
}

test('inception_v3 matches the Keras 2.2.4 InceptionV3 shipped in nsfwjs (names, classes, order, BN scale=false)', () => {
  const require = createRequire(import.meta.url);
  const nsfw = require(`${repoRoot}/node_modules/nsfwjs/dist/models/inception_v3/model.min.js`) as {
    modelTopology: {
      keras_version: string;
      model_config: {
        config: { layers: Array<{ class_name: string; config: Record<string, unknown> & { name: string } }> };
      };
    };
  };
  assert.equal(nsfw.modelTopology.keras_version, '2.2.4');
  const keras = nsfw.modelTopology.model_config.config.layers;
  const m = createModel('inception_v3', { includeTop: false, widthMultiplier: 1 / 32 });
  const ours = m.layers;
  assert.equal(ours.length, 311);
  for (let i = 0; i < ours.length; i++) {
    assert.equal(ours[i]!.name, keras[i]!.config.name, `layer ${i}`);
    assert.equal(ours[i]!.getClassName(), keras[i]!.class_name, `layer ${i} class`);
    if (keras[i]!.class_name === 'BatchNormalization') {
      const cfg = ours[i]!.getConfig();
      assert.equal(cfg['scale'], keras[i]!.config['scale']);
      assert.equal(cfg['epsilon'], keras[i]!.config['epsilon']);
    }
  }
  assert.equal(keras[310]!.config.name, 'mixed10');
  // The thesis's Grad-CAM layers 86–94 are the nine convolutions inside mixed10.
  const names = ours.map((l) => l.name);
  for (let k = 86; k <= 94; k++)
    assert.ok(names.indexOf(`conv2d_${k}`) > names.indexOf('mixed9'), `conv2d_${k} after mixed9`);
  m.dispose();
});

test('unknown names and invalid options raise typed errors with did-you-mean', () => {
  const expectErr = (fn: () => unknown, code: string, includes: string) =>
    assert.throws(fn, (e: unknown) => isCxrkitError(e, code) && (e as Error).message.includes(includes));
  expectErr(() => createModel('inceptionv3'), 'MODEL_UNKNOWN', "did you mean 'inception_v3'");
  expectErr(() => createModel('densenet-169'), 'MODEL_UNKNOWN', "did you mean 'densenet169'");
  expectErr(
    () => createModel('resnet50', { inputShap: [224, 224, 3] } as never),
    'MODEL_OPTION_UNKNOWN',
    "did you mean 'inputShape'",
  );
  expectErr(() => createModel('inception_v3', { inputShape: [64, 64, 3] }), 'MODEL_INPUT_TOO_SMALL', '75');
  expectErr(() => createModel('resnet50', { inputShape: [224, 224, 2] }), 'MODEL_INPUT_CHANNELS', '1 (gray) or 3');
  expectErr(() => createModel('resnet50', { pooling: 'mean' as never }), 'MODEL_OPTION_INVALID', "did you mean 'max'");
  expectErr(
    () => createModel('resnet50', { classifierActivation: 'softmx' as never }),
    'MODEL_OPTION_INVALID',
    "did you mean 'softmax'",
  );
  expectErr(() => createModel('resnet50', { widthMultiplier: 0 }), 'MODEL_OPTION_INVALID', 'widthMultiplier');
  expectErr(() => createModel('densenet121', { classes: 0 }), 'MODEL_OPTION_INVALID', 'classes');
});

test('classifierActivation and classes shape the top', () => {
  const m = createModel('resnet50', {
    classes: 3,
    classifierActivation: null,
    widthMultiplier: 1 / 16,
    inputShape: [64, 64, 1],
  });
  const top = m.getLayer('probs');
  assert.equal(top.getConfig()['activation'], 'linear');
  assert.deepEqual(m.outputs[0]!.shape, [null, 3]);
  m.dispose();
});
