// Keras .h5 files crafted with h5py (test/fixtures/models/write-keras-h5.py) from small models: every
// registered architecture round-trips by name; Keras 2 / Keras 3 / bare weight names, whole-model and
// weights-only layouts, split name attributes and float64 weights all load; and each way a file can be
// wrong gives its typed error, names what is wrong, leaves the model untouched and prints nothing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { encodePng } from '@cxrkit/core';
import { buildScreeningModel, createModel, listModels, loadKerasWeights, modelInfo, readKerasH5 } from '../index.js';
import { expectNoLeaks } from '../../../../test/helpers.js';
import {
  h5pySkip,
  layersOf,
  tempDir,
  writeKerasH5,
  type FixtureLayer,
  type FixtureOptions,
} from '../../../../test/keras-h5.js';

const skip = h5pySkip;
const small = (name: string, channels = 3) => {
  const side = Math.max(modelInfo(name).minSize, 32);
  return createModel(name, { widthMultiplier: 1 / 16, inputShape: [side, side, channels] });
};
let dir = '';
let cleanup = () => {};
let n = 0;
const write = (layers: FixtureLayer[], options: FixtureOptions = {}) =>
  writeKerasH5(layers, `${dir}/f${n++}.h5`, options);

before(() => {
  if (!skip) ({ dir, cleanup } = tempDir());
});
after(() => cleanup());

/** Every weight value of `model`, flattened, as raw float32 bits. */
function snapshot(model: tfl.LayersModel): Uint32Array[] {
  return model.weights.map((w) => new Uint32Array((w.read().dataSync() as Float32Array).slice().buffer));
}

function assertSameWeights(a: tfl.LayersModel, b: tfl.LayersModel, label: string): void {
  const x = snapshot(a);
  const y = snapshot(b);
  assert.equal(x.length, y.length);
  x.forEach((v, i) =>
    assert.ok(
      v.every((bits, k) => bits === y[i]![k]),
      `${label}: weight ${a.weights[i]!.name} differs`,
    ),
  );
}

/** Runs `fn`, returning what it wrote to stderr. */
async function stderrOf(fn: () => Promise<unknown>): Promise<string> {
  const original = process.stderr.write.bind(process.stderr);
  let text = '';
  process.stderr.write = ((chunk: string | Uint8Array) => {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  }) as typeof process.stderr.write;
  try {
    await fn();
  } catch {
    // the caller checks the error separately
  } finally {
    process.stderr.write = original;
  }
  return text;
}

for (const name of listModels()) {
  test(`${name}: a Keras .h5 of its weights loads by name into a freshly built ${name}, bit for bit`, {
    skip,
  }, async () => {
    const source = small(name);
    const file = write(layersOf(source));
    const model = small(name);
    assert.ok(
      snapshot(model).some((v, i) => v.some((bits, k) => bits !== snapshot(source)[i]![k])),
      'fresh weights differ before loading',
    );
    const report = await expectNoLeaks(() => loadKerasWeights(model, file), 'loadKerasWeights');
    assertSameWeights(source, model, name);
    assert.equal(report.copied.length, model.layers.filter((l) => l.weights.length > 0).length);
    assert.equal(report.copiedParams, model.countParams());
    assert.deepEqual([report.skipped, report.unusedSource, report.summedToGray], [[], [], []]);
    source.dispose();
    model.dispose();
  });
}

const variants: Array<[string, FixtureOptions]> = [
  ['Keras 2 whole-model file (model.save), with optimizer weights', { layout: 'model', naming: 'keras2' }],
  [
    'Keras 3 legacy whole-model file (weight names conv1/conv/kernel)',
    { layout: 'model', naming: 'keras3', kerasVersion: '3.6.0' },
  ],
  ['weights-only file with bare weight names (kernel)', { layout: 'weights', naming: 'bare', kerasVersion: '3.6.0' }],
  [
    'file whose name lists Keras split into layer_names0, layer_names1, … (64 KB header limit)',
    { attributeLimit: 300 },
  ],
];
for (const [label, options] of variants) {
  test(`densenet121 from a ${label}`, { skip }, async () => {
    const source = small('densenet121');
    const file = write(layersOf(source), options);
    const weights = await readKerasH5(readFileSync(file));
    assert.equal(weights.layout, options.layout ?? 'weights');
    assert.deepEqual(
      weights.layers.map((l) => l.name),
      source.layers.map((l) => l.name),
      'layer_names in model order',
    );
    const model = small('densenet121');
    await loadKerasWeights(model, weights);
    assertSameWeights(source, model, label);
    source.dispose();
    model.dispose();
  });
}

test('float64 weights load rounded to float32 (here exactly: they were float32)', { skip }, async () => {
  const source = small('resnet50');
  const layers = layersOf(source).map((l) => ({
    ...l,
    weights: l.weights.map((w) => ({ ...w, dtype: 'float64' as const })),
  }));
  const model = small('resnet50');
  await loadKerasWeights(model, write(layers));
  assertSameWeights(source, model, 'float64');
  source.dispose();
  model.dispose();
});

test('typed errors for files that are not Keras weights; nothing printed to stderr', { skip }, async () => {
  const model = small('resnet50');
  const before = snapshot(model);
  const png = `${dir}/radiograph.h5`;
  writeFileSync(png, encodePng({ width: 4, height: 4, data: new Float32Array(16).fill(7) }));
  const plain = write([], { kind: 'plain-hdf5' });
  const keras3 = write(layersOf(model), { kind: 'keras3-native' });
  const whole = readFileSync(write(layersOf(model)));
  const truncated = whole.subarray(0, Math.floor(whole.length / 2));
  const cases: Array<[string, Uint8Array | string, string, RegExp]> = [
    ['a PNG renamed .h5', png, 'KERAS_H5_NOT_HDF5', /not an HDF5 file: it looks like a PNG image/],
    ['an HDF5 file that is not Keras', plain, 'KERAS_H5_NOT_KERAS', /no 'layer_names' attribute/],
    [
      'a Keras 3 native .weights.h5',
      keras3,
      'KERAS_H5_NOT_KERAS',
      /Keras 3 native weights file.*model\.save\('model\.h5'\)/s,
    ],
    ['an .h5 cut in half', truncated, 'KERAS_H5_UNREADABLE', /libhdf5 cannot read it/],
    ['an empty file', new Uint8Array(0), 'KERAS_H5_NOT_HDF5', /an empty file/],
    ['a path that does not exist', `${dir}/missing.h5`, 'KERAS_H5_READ_FAILED', /ENOENT/],
  ];
  for (const [label, source, code, message] of cases) {
    let caught: (Error & { code?: string }) | undefined;
    const stderr = await stderrOf(async () => {
      try {
        await loadKerasWeights(model, source);
      } catch (e) {
        caught = e as Error & { code?: string };
        throw e;
      }
    });
    assert.equal(caught?.code, code, `${label}: ${caught?.message}`);
    assert.match(caught!.message, message, label);
    assert.match(caught!.message, /^\[cxrkit\/models\] .* Fix: /s, `${label}: prefixed and with a fix`);
    assert.equal(stderr, '', `${label}: nothing on stderr`);
  }
  assert.deepEqual(snapshot(model), before, 'the model is untouched');
  model.dispose();
});

test('a wrong-shape weight: KERAS_H5_SHAPE_MISMATCH names layer, weight, both shapes; skipMismatch reports it', {
  skip,
}, async () => {
  const source = small('inception_v3');
  const layers = layersOf(source);
  const conv = layers.find((l) => l.name === 'conv2d_5')!;
  const [kh, kw, cin, cout] = conv.weights[0]!.shape as [number, number, number, number];
  conv.weights[0] = {
    name: 'kernel',
    shape: [kh, kw, cin, cout + 1],
    values: new Float32Array(kh * kw * cin * (cout + 1)),
  };
  const file = write(layers);
  const model = small('inception_v3');
  const before = snapshot(model);
  const kept = model.getLayer('conv2d_5').weights[0]!.read().dataSync().slice();
  await assert.rejects(loadKerasWeights(model, file), (e: Error & { code?: string; received?: unknown }) => {
    assert.equal(e.code, 'KERAS_H5_SHAPE_MISMATCH');
    assert.deepEqual(e.received, {
      layer: 'conv2d_5',
      fileLayer: 'conv2d_5',
      weight: 'conv2d_5/kernel:0',
      expected: [kh, kw, cin, cout],
      received: [kh, kw, cin, cout + 1],
    });
    assert.match(
      e.message,
      new RegExp(
        `layer 'conv2d_5', weight 'kernel': the model expects \\[${kh},${kw},${cin},${cout}\\], ` +
          `the file has \\[${kh},${kw},${cin},${cout + 1}\\]`,
      ),
    );
    return true;
  });
  assert.deepEqual(snapshot(model), before, 'nothing written before the error');

  const report = await loadKerasWeights(model, file, { skipMismatch: true });
  assert.deepEqual(
    report.skipped.map((s) => [s.layer, s.reason]),
    [['conv2d_5', 'shape-mismatch']],
  );
  assert.equal(report.copied.length, model.layers.filter((l) => l.weights.length > 0).length - 1);
  assert.deepEqual(report.unusedSource, ['conv2d_5']);
  assert.deepEqual(
    model.getLayer('conv2d_5').weights[0]!.read().dataSync(),
    kept,
    'the skipped layer keeps its weights',
  );
  assert.deepEqual(
    model.getLayer('conv2d_6').weights[0]!.read().dataSync(),
    source.getLayer('conv2d_6').weights[0]!.read().dataSync(),
  );
  source.dispose();
  model.dispose();
});

test('a missing layer: KERAS_H5_LAYER_MISSING with counts; skipMismatch, layers and layerNameMap', {
  skip,
}, async () => {
  const source = small('densenet121');
  const layers = layersOf(source);
  const file = write(layers.filter((l) => l.name !== 'conv3_block2_1_conv'));
  const model = small('densenet121');
  await assert.rejects(
    loadKerasWeights(model, file),
    (e: Error & { code?: string; received?: { missing: string[] } }) => {
      assert.equal(e.code, 'KERAS_H5_LAYER_MISSING');
      assert.deepEqual(e.received?.missing, ['conv3_block2_1_conv']);
      assert.match(
        e.message,
        /1 model layer\(s\) with weights are not in the file: conv3_block2_1_conv \(\d+ of \d+ found\)/,
      );
      return true;
    },
  );
  const skipped = await loadKerasWeights(model, file, { skipMismatch: true });
  assert.deepEqual(skipped.skipped, [
    {
      layer: 'conv3_block2_1_conv',
      reason: 'not-in-source',
      detail: "the file has no layer 'conv3_block2_1_conv' with weights",
    },
  ]);
  const filtered = await loadKerasWeights(model, file, { layers: (l) => l !== 'conv3_block2_1_conv' });
  assert.deepEqual(
    filtered.skipped.map((s) => s.reason),
    ['filtered-out'],
  );

  // The same layer saved under another name, mapped back.
  const renamed = write(layers.map((l) => (l.name === 'conv1/conv' ? { ...l, name: 'stem_conv' } : l)));
  const fresh = small('densenet121');
  const mapped = await loadKerasWeights(fresh, renamed, { layerNameMap: { 'conv1/conv': 'stem_conv' } });
  assert.deepEqual(mapped.skipped, []);
  assertSameWeights(source, fresh, 'layerNameMap');
  await assert.rejects(
    loadKerasWeights(fresh, file, { skipMismatches: true } as never),
    /KERAS_WEIGHTS_OPTION_INVALID: unknown option 'skipMismatches' — did you mean 'skipMismatch'\?/,
  );
  source.dispose();
  model.dispose();
  fresh.dispose();
});

test("tf.keras's 0-based auto names (conv2d, conv2d_1, …): the error's fix gives a layerNameMap that loads", {
  skip,
}, async () => {
  const source = small('inception_v3');
  const shift = (n: string) =>
    n.replace(/^(conv2d|batch_normalization)_(\d+)$/, (_, b: string, k: string) =>
      k === '1' ? b : `${b}_${Number(k) - 1}`,
    );
  const file = write(layersOf(source).map((l) => ({ ...l, name: shift(l.name) })));
  const model = small('inception_v3');
  let fix = '';
  await assert.rejects(loadKerasWeights(model, file), (e: Error & { code?: string; fix?: string }) => {
    assert.equal(e.code, 'KERAS_H5_LAYER_MISSING');
    fix = e.fix ?? '';
    return true;
  });
  assert.match(fix, /numbers Keras's auto-named layers from 0/);
  const documented = fix.slice(fix.indexOf('(n) =>'));
  const layerNameMap = new Function(`return ${documented}`)() as (n: string) => string;
  await loadKerasWeights(model, file, { layerNameMap });
  assertSameWeights(source, model, '0-based names');
  source.dispose();
  model.dispose();
});

test('BatchNormalization saved with gamma into a scale: false layer: KERAS_H5_WEIGHT_COUNT_MISMATCH', {
  skip,
}, async () => {
  const source = small('inception_v3');
  const layers = layersOf(source);
  const bn = layers.find((l) => l.name === 'batch_normalization_3')!;
  bn.weights.unshift({
    name: 'gamma',
    shape: bn.weights[0]!.shape,
    values: new Float32Array(bn.weights[0]!.values.length).fill(2),
  });
  const model = small('inception_v3');
  await assert.rejects(loadKerasWeights(model, write(layers)), (e: Error & { code?: string }) => {
    assert.equal(e.code, 'KERAS_H5_WEIGHT_COUNT_MISMATCH');
    assert.match(
      e.message,
      new RegExp(
        "layer 'batch_normalization_3': the model has 3 \\(beta, moving_mean, moving_variance\\) weights, " +
          'the file 4 \\(gamma, beta, moving_mean, moving_variance\\)',
      ),
    );
    assert.match(e.message, /has gamma \(scale: true\)/);
    return true;
  });
  source.dispose();
  model.dispose();
});

test('a float16 weight: KERAS_H5_DTYPE_UNSUPPORTED', { skip }, async () => {
  const source = small('resnet50');
  const layers = layersOf(source);
  layers.find((l) => l.name === 'conv1_conv')!.weights[1]!.dtype = 'float16';
  await assert.rejects(
    readKerasH5(readFileSync(write(layers))),
    /KERAS_H5_DTYPE_UNSUPPORTED: .*weight 'conv1_conv\/bias:0' of layer 'conv1_conv' is stored as float16, not/,
  );
  source.dispose();
});

test('loading leaves no tensors behind, also when the first conv is summed to gray', { skip }, async () => {
  const source = small('resnet50');
  const file = write(layersOf(source));
  const gray = small('resnet50', 1);
  const report = await expectNoLeaks(
    () => loadKerasWeights(gray, file, { rgbToGray: 'sum' }),
    'loadKerasWeights rgbToGray',
  );
  assert.deepEqual(report.summedToGray, ['conv1_conv']);
  const expected = tf.tidy(() => tf.sum(source.getLayer('conv1_conv').weights[0]!.read(), 2, true));
  assert.deepEqual(gray.getLayer('conv1_conv').weights[0]!.read().dataSync(), expected.dataSync());
  expected.dispose();
  source.dispose();
  gray.dispose();
});

test("match: 'order' loads a file whose layer names all differ (by name: KERAS_H5_LAYER_MISSING pointing to it)", {
  skip,
}, async () => {
  const source = small('densenet121');
  const file = write(layersOf(source).map((l) => ({ ...l, name: `renamed_${l.name}` })));
  const model = small('densenet121');
  await assert.rejects(loadKerasWeights(model, file), (e: Error & { code?: string; fix?: string }) => {
    assert.equal(e.code, 'KERAS_H5_LAYER_MISSING');
    assert.match(e.message, /\(0 of \d+ found\)/);
    assert.match(e.fix ?? '', /match: 'order'/);
    return true;
  });
  const report = await loadKerasWeights(model, file, { match: 'order' });
  assertSameWeights(source, model, "match: 'order'");
  assert.deepEqual([report.skipped, report.unusedSource], [[], []]);

  // A screening model: the head after the backbone has nothing to pair with and is reported.
  const screening = buildScreeningModel({
    backbone: 'densenet121',
    inputShape: [32, 32, 3],
    backboneOptions: { widthMultiplier: 1 / 16 },
  });
  const noTop = write(
    layersOf(source)
      .filter((l) => l.name !== 'fc1000')
      .map((l) => ({ ...l, name: `renamed_${l.name}` })),
  );
  const screeningReport = await loadKerasWeights(screening, noTop, { match: 'order' });
  assert.deepEqual(
    screeningReport.skipped.map((s) => [s.layer, s.reason]),
    [
      ['head_dense_1', 'not-in-source'],
      ['head_dense_2', 'not-in-source'],
      ['head_output', 'not-in-source'],
    ],
  );
  assert.deepEqual(
    screening.getLayer('conv5_block16_2_conv').weights[0]!.read().dataSync(),
    source.getLayer('conv5_block16_2_conv').weights[0]!.read().dataSync(),
  );
  await assert.rejects(
    loadKerasWeights(model, file, { match: 'order', layerNameMap: { a: 'b' } }),
    /KERAS_WEIGHTS_OPTION_INVALID: layerNameMap has no effect with match: 'order'/,
  );
  source.dispose();
  model.dispose();
  screening.dispose();
});

test('a model nested as a layer (Keras transfer style: Sequential([backbone, Dense])) loads its inner layers', {
  skip,
}, async () => {
  const source = small('resnet50');
  const file = write(layersOf(source));
  const backbone = createModel('resnet50', {
    widthMultiplier: 1 / 16,
    inputShape: [32, 32, 3],
    includeTop: false,
    pooling: 'avg',
  });
  const outer = tfl.sequential({ layers: [backbone, tfl.layers.dense({ units: 2, name: 'my_head' })] });
  const report = await loadKerasWeights(outer, file, { skipMismatch: true });
  assert.deepEqual(
    report.skipped.map((s) => [s.layer, s.reason]),
    [['my_head', 'not-in-source']],
  );
  assert.deepEqual(report.unusedSource, ['probs']);
  for (const layer of backbone.layers) {
    layer.weights.forEach((w, i) => {
      assert.deepEqual(w.read().dataSync(), source.getLayer(layer.name).weights[i]!.read().dataSync(), layer.name);
    });
  }
  source.dispose();
  outer.dispose();
});
