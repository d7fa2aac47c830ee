// @cxrkit-backends: cpu wasm
// exportOnnx on hand-built tfjs-layers models covering every supported layer and padding rule; the
// reference is TensorFlow.js itself (model.predict), the runtime under test onnxruntime-node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import * as ort from 'onnxruntime-node';
import { createRng, isCxrkitError } from '@cxrkit/core';
import { batchNormalization, createTfjsPredictor } from '@cxrkit/models';
import { createOnnxPredictor, CXRKIT_VERSION, exportOnnx, readOnnxInfo, SUPPORTED_LAYERS } from './index.js';
import { ONNX_PROTO_TEXT } from './onnx-schema.js';
import { expectNoLeaks } from '../../../test/helpers.js';

type ST = tfl.SymbolicTensor;
const load = () => ort;

/** Sets every weight to seeded uniform values (BN variances positive) so nothing is at its trivial init. */
function randomizeWeights(model: tfl.LayersModel, seed = 1): void {
  const rng = createRng(seed);
  for (const w of model.weights) {
    const n = w.originalName ?? w.name;
    const [lo, hi] = /moving_variance/.test(n) ? [0.3, 1.7] : /gamma/.test(n) ? [0.5, 1.5] : [-0.5, 0.5];
    const shape = w.shape as number[];
    w.write(
      tf.tensor(
        Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.uniform(lo, hi)),
        shape,
      ),
    );
  }
}

function randomBatch(shape: number[], seed: number): { data: Float32Array; shape: number[] } {
  const rng = createRng(seed);
  return { data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.uniform(-2, 2)), shape };
}

/** Max |onnxruntime − tfjs| over all outputs, for inputs keyed by name. */
async function parity(
  model: tfl.LayersModel,
  inputs: Record<string, { data: Float32Array; shape: number[] }>,
  opset?: number,
): Promise<number> {
  const bytes = await exportOnnx(model, { opset });
  const ref = await createTfjsPredictor(model).predict(inputs);
  const p = await createOnnxPredictor(bytes, { load, threads: 1 });
  const got = await p.predict(inputs);
  await p.dispose();
  let err = 0;
  for (const name of model.outputNames) {
    assert.deepEqual(got[name]!.shape, ref[name]!.shape, `shape of ${name}`);
    ref[name]!.data.forEach((v, i) => (err = Math.max(err, Math.abs(v - got[name]!.data[i]!))));
  }
  return err;
}

test('a layer zoo (every supported layer, same/valid padding, strides, dilation, BN variants) matches tfjs within 1e-4', async () => {
  const L = tfl.layers;
  const image = tfl.input({ shape: [15, 13, 2], name: 'image' });
  const extra = tfl.input({ shape: [3], name: 'extra' });
  const ap = (l: tfl.layers.Layer, x: ST | ST[]) => l.apply(x) as ST;
  let x = ap(L.rescaling({ scale: 0.5, offset: 0.1, name: 'rescale' }), image);
  x = ap(
    L.zeroPadding2d({
      padding: [
        [1, 2],
        [0, 3],
      ],
      name: 'pad',
    }),
    x,
  );
  const c1 = ap(
    L.conv2d({ filters: 6, kernelSize: 3, strides: 2, padding: 'same', useBias: false, name: 'c_same_s2' }),
    x,
  );
  const b1 = ap(batchNormalization({ scale: false, epsilon: 1e-3, name: 'bn_noscale' }), c1);
  const c2 = ap(
    L.conv2d({ filters: 6, kernelSize: [3, 1], padding: 'valid', activation: 'relu', name: 'c_valid' }),
    b1,
  );
  const c3 = ap(
    L.conv2d({ filters: 6, kernelSize: 3, dilationRate: 2, padding: 'same', activation: 'elu', name: 'c_dilated' }),
    b1,
  );
  const b3 = ap(L.batchNormalization({ center: false, epsilon: 1.001e-5, name: 'bn_nocenter' }), c3);
  const a1 = ap(L.averagePooling2d({ poolSize: 3, strides: 1, padding: 'same', name: 'avg_same_s1' }), b3);
  const a2 = ap(L.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same', name: 'avg_same_s2' }), b3);
  const m1 = ap(L.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same', name: 'max_same' }), b3); // negative values: padding must be −∞
  const m2 = ap(L.maxPooling2d({ poolSize: 2, strides: 2, padding: 'valid', name: 'max_valid' }), b3);
  const sum3 = ap(L.add({ name: 'add3' }), [b3, a1, ap(L.activation({ activation: 'tanh', name: 'tanh' }), b3)]);
  const merged = ap(L.concatenate({ name: 'concat_ch' }), [
    ap(L.multiply({ name: 'mul' }), [a2, m1]),
    ap(L.average({ name: 'avg' }), [a2, m1]),
    ap(L.maximum({ name: 'max' }), [a2, m1]),
    ap(L.minimum({ name: 'min' }), [a2, m1]),
  ]);
  const acts = ['sigmoid', 'relu6', 'selu', 'softplus', 'softsign', 'hardSigmoid', 'swish', 'linear'].map((a) =>
    ap(L.activation({ activation: a as 'relu', name: `act_${a}` }), merged),
  );
  const softmax4d = ap(
    L.activation({ activation: 'softmax', name: 'softmax_channels' }),
    ap(L.concatenate({ name: 'concat_acts' }), acts),
  );
  const relus = ap(L.concatenate({ name: 'concat_relus' }), [
    ap(L.reLU({ maxValue: 0.7, name: 'relu_max' }), softmax4d),
    ap(L.leakyReLU({ alpha: 0.2, name: 'leaky' }), softmax4d),
  ]);
  const gap = ap(L.globalAveragePooling2d({ name: 'gap' }), relus);
  const gmp = ap(L.globalMaxPooling2d({ name: 'gmp' }), sum3);
  const flat = ap(L.flatten({ name: 'flatten_nhwc_order' }), m2); // Keras order (h, w, c), not (c, h, w)
  const bn2d = ap(
    L.batchNormalization({ name: 'bn_dense' }),
    ap(L.concatenate({ name: 'fusion' }), [gap, gmp, flat, extra]),
  );
  let h = ap(L.dense({ units: 7, activation: 'relu', name: 'dense1' }), bn2d);
  h = ap(L.dropout({ rate: 0.5, name: 'drop' }), h);
  const out1 = ap(L.dense({ units: 3, activation: 'softmax', name: 'classes' }), h);
  const out2 = ap(L.dense({ units: 1, useBias: false, name: 'score' }), h);
  const fmap = ap(L.softmax({ axis: -1, name: 'softmax_layer' }), c2); // a 4-D output comes back NHWC
  const model = tfl.model({ inputs: [image, extra], outputs: [out1, out2, fmap], name: 'zoo' });
  randomizeWeights(model, 3);
  const inputs = { image: randomBatch([3, 15, 13, 2], 11), extra: randomBatch([3, 3], 12) };
  const err = await parity(model, inputs);
  console.log(`# layer zoo: max |onnx − tfjs| = ${err.toExponential(2)}`);
  assert.ok(err <= 1e-4, `max error ${err}`);
  const info = readOnnxInfo(await exportOnnx(model));
  assert.deepEqual(
    info.outputs.map((o) => o.shape),
    [
      ['batch', 3],
      ['batch', 1],
      ['batch', 7, 8, 6],
    ],
  ); // 15×13 → pad 18×16 → same/2: 9×8 → valid 3×1: 7×8
  assert.equal(info.opCounts['Sum'], 1, 'a three-way Add is one Sum');
  assert.equal(info.opCounts['AveragePool'], 2);
  model.dispose();
});

test('nested models (a backbone used as a layer, a shared sub-model called twice, a Sequential) are flattened; a top-level Sequential exports too', async () => {
  const L = tfl.layers;
  const inner = tfl.sequential({
    name: 'backbone',
    layers: [
      L.conv2d({ inputShape: [9, 9, 1], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv' }),
      L.batchNormalization({ name: 'bn' }),
    ],
  });
  const a = tfl.input({ shape: [9, 9, 1], name: 'view_a' });
  const b = tfl.input({ shape: [9, 9, 1], name: 'view_b' });
  const fa = inner.apply(a) as ST;
  const fb = inner.apply(b) as ST; // same weights, second call
  const head = L.globalAveragePooling2d({ name: 'gap' });
  const out = L.dense({ units: 2, name: 'out' }).apply(
    L.concatenate({ name: 'cat' }).apply([head.apply(fa) as ST, head.apply(fb) as ST]) as ST,
  ) as ST;
  const model = tfl.model({ inputs: [a, b], outputs: out });
  randomizeWeights(model, 5);
  const err = await parity(model, { view_a: randomBatch([2, 9, 9, 1], 1), view_b: randomBatch([2, 9, 9, 1], 2) });
  assert.ok(err <= 1e-4, `max error ${err}`);
  const info = readOnnxInfo(await exportOnnx(model));
  assert.equal(info.opCounts['Conv'], 2, 'one Conv per call of the shared backbone');
  model.dispose();

  const seq = tfl.sequential({
    layers: [
      L.conv2d({ inputShape: [6, 6, 1], filters: 2, kernelSize: 3, name: 's_conv' }),
      L.flatten({ name: 's_flat' }),
      L.dense({ units: 3, activation: 'softmax', name: 's_out' }),
    ],
  });
  randomizeWeights(seq, 6);
  const seqErr = await parity(seq, { s_conv_input: randomBatch([2, 6, 6, 1], 3) }); // unbuilt: inputNames is still []
  assert.ok(seqErr <= 1e-4, `top-level Sequential: max error ${seqErr}`);
  seq.dispose();
});

test('the batch dimension is dynamic: one exported file serves batch 1 and batch 5; opset 17 works too', async () => {
  const i = tfl.input({ shape: [8, 8, 1], name: 'image' });
  const o = tfl.layers
    .dense({ units: 2, name: 'out' })
    .apply(
      tfl.layers
        .globalAveragePooling2d({})
        .apply(tfl.layers.conv2d({ filters: 3, kernelSize: 3 }).apply(i) as ST) as ST,
    ) as ST;
  const model = tfl.model({ inputs: i, outputs: o });
  randomizeWeights(model, 9);
  const p = await createOnnxPredictor(await exportOnnx(model, { opset: 17 }), {
    load,
    batchSize: 5,
    threads: 2,
    allowSpinning: false,
  });
  assert.deepEqual((await p.predict(randomBatch([1, 8, 8, 1], 1))).out!.shape, [1, 2]);
  assert.deepEqual((await p.predict(randomBatch([5, 8, 8, 1], 2))).out!.shape, [5, 2]);
  await p.dispose();
  assert.ok((await parity(model, { image: randomBatch([5, 8, 8, 1], 3) }, 17)) <= 1e-4);
  assert.equal(readOnnxInfo(await exportOnnx(model, { opset: 17 })).opset, 17);
  model.dispose();
});

test('unknown spatial size ([batch, null, null, c] input): SAME padding is resolved at run time and matches tfjs at two sizes', async () => {
  const i = tfl.input({ shape: [null, null, 2], name: 'image' });
  let x = tfl.layers.conv2d({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', name: 'c' }).apply(i) as ST;
  x = tfl.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same', name: 'mp' }).apply(x) as ST;
  x = tfl.layers.averagePooling2d({ poolSize: 3, strides: 1, padding: 'same', name: 'ap' }).apply(x) as ST;
  const model = tfl.model({ inputs: i, outputs: tfl.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as ST });
  randomizeWeights(model, 4);
  assert.deepEqual(readOnnxInfo(await exportOnnx(model)).inputs[0]!.shape, ['batch', 'd1', 'd2', 2]);
  for (const [h, w] of [
    [9, 7],
    [16, 11],
  ] as const) {
    const err = await parity(model, { image: randomBatch([2, h, w, 2], h) });
    assert.ok(err <= 1e-4, `${h}×${w}: max error ${err}`);
  }
  model.dispose();
});

test('metadata records model name, cxrkit version and preprocessing; inputs are NHWC with a dynamic batch', async () => {
  const i = tfl.input({ shape: [12, 10, 1], name: 'image' });
  const model = tfl.model({ inputs: i, outputs: tfl.layers.globalMaxPooling2d({}).apply(i) as ST, name: 'tiny' });
  const bytes = await expectNoLeaks(
    () => exportOnnx(model, { preprocessing: { normalize: 'zscore', size: 12 }, metadata: { site: 'test' } }),
    'exportOnnx',
  );
  const info = readOnnxInfo(bytes);
  assert.deepEqual(info.metadata, {
    'cxrkit.model_name': 'tiny',
    'cxrkit.version': CXRKIT_VERSION,
    'cxrkit.preprocessing': '{"normalize":"zscore","size":12}',
    'cxrkit.input_layout': 'NHWC',
    site: 'test',
  });
  assert.deepEqual(info.inputs, [{ name: 'image', shape: ['batch', 12, 10, 1] }]);
  assert.equal(info.producer, 'cxrkit');
  assert.equal(info.opset, 13);
  assert.equal(readOnnxInfo(await exportOnnx(model)).metadata['cxrkit.preprocessing'], 'unspecified');
  model.dispose();
});

test('unsupported layers and configurations raise typed errors naming the layer; nothing is exported', async () => {
  const i = tfl.input({ shape: [8, 8, 2], name: 'image' });
  const dw = tfl.model({
    inputs: i,
    outputs: tfl.layers.depthwiseConv2d({ kernelSize: 3, name: 'dw_conv' }).apply(i) as ST,
  });
  await assert.rejects(
    exportOnnx(dw),
    (e: unknown) =>
      isCxrkitError(e, 'ONNX_UNSUPPORTED_LAYER') &&
      /'dw_conv'/.test((e as Error).message) &&
      /DepthwiseConv2D/.test((e as Error).message),
  );

  const inner = tfl.sequential({
    name: 'inner',
    layers: [tfl.layers.upSampling2d({ inputShape: [8, 8, 2], name: 'up' })],
  });
  const nested = tfl.model({ inputs: i, outputs: inner.apply(i) as ST });
  await assert.rejects(
    exportOnnx(nested),
    (e: unknown) => isCxrkitError(e, 'ONNX_UNSUPPORTED_LAYER') && /'inner\/up'/.test((e as Error).message),
  );

  const cf = tfl.model({
    inputs: i,
    outputs: tfl.layers.conv2d({ filters: 2, kernelSize: 1, dataFormat: 'channelsFirst', name: 'cf' }).apply(i) as ST,
  });
  await assert.rejects(
    exportOnnx(cf),
    (e: unknown) => isCxrkitError(e, 'ONNX_UNSUPPORTED_CONFIG') && /'cf'/.test((e as Error).message),
  );

  const gelu = tfl.model({
    inputs: i,
    outputs: tfl.layers.activation({ activation: 'gelu' as 'relu', name: 'act_gelu' }).apply(i) as ST,
  });
  await assert.rejects(
    exportOnnx(gelu),
    (e: unknown) =>
      isCxrkitError(e, 'ONNX_UNSUPPORTED_LAYER') &&
      /'act_gelu'/.test((e as Error).message) &&
      /gelu/.test((e as Error).message),
  );

  const ok = tfl.model({ inputs: i, outputs: tfl.layers.flatten({}).apply(i) as ST });
  await assert.rejects(exportOnnx(ok, { opset: 11 }), (e: unknown) => isCxrkitError(e, 'ONNX_BAD_OPTION'));
  await assert.rejects(exportOnnx({} as tfl.LayersModel), (e: unknown) => isCxrkitError(e, 'ONNX_NOT_A_MODEL'));
  assert.ok(SUPPORTED_LAYERS.includes('Conv2D') && !SUPPORTED_LAYERS.includes('DepthwiseConv2D'));
  for (const m of [dw, nested, cf, gelu, ok]) m.dispose();
});

test('the onnxruntime predictor rejects a bad runtime, bad bytes and bad inputs with typed errors', async () => {
  const i = tfl.input({ shape: [4], name: 'x' });
  const model = tfl.model({ inputs: i, outputs: tfl.layers.dense({ units: 1, name: 'y' }).apply(i) as ST });
  const bytes = await exportOnnx(model);
  await assert.rejects(
    createOnnxPredictor(bytes, { load: () => Promise.reject(new Error('Cannot find module')) }),
    (e: unknown) => isCxrkitError(e, 'ONNX_RUNTIME_NOT_INSTALLED'),
  );
  await assert.rejects(createOnnxPredictor(bytes, { load: () => ({}) }), (e: unknown) =>
    isCxrkitError(e, 'ONNX_RUNTIME_INVALID'),
  );
  await assert.rejects(createOnnxPredictor(bytes, {} as never), (e: unknown) => isCxrkitError(e, 'ONNX_BAD_OPTION'));
  await assert.rejects(createOnnxPredictor(bytes, { load, threads: 0 }), (e: unknown) =>
    isCxrkitError(e, 'PREDICT_BAD_OPTION'),
  );
  await assert.rejects(createOnnxPredictor(new Uint8Array([1, 2, 3]), { load }), (e: unknown) =>
    isCxrkitError(e, 'ONNX_SESSION_FAILED'),
  );
  assert.throws(
    () => readOnnxInfo(new Uint8Array([0xff, 0xff, 0xff])),
    (e: unknown) => isCxrkitError(e, 'ONNX_NOT_ONNX'),
  );
  const p = await createOnnxPredictor(bytes, { load });
  assert.match(p.engine, /^onnxruntime-node \d+\.\d+/);
  await assert.rejects(
    p.predict({ xx: randomBatch([2, 4], 1) }),
    (e: unknown) => isCxrkitError(e, 'PREDICT_BAD_INPUT') && /did you mean 'x'/.test((e as Error).message),
  );
  await assert.rejects(p.predict({ data: new Float32Array(7), shape: [2, 4] }), (e: unknown) =>
    isCxrkitError(e, 'PREDICT_BAD_INPUT'),
  );
  await p.dispose();
  model.dispose();
});

test('the embedded schema is the vendored onnx.proto, and the metadata version is the package version', () => {
  const vendored = readFileSync(new URL('../proto/onnx.proto', import.meta.url), 'utf8');
  assert.equal(ONNX_PROTO_TEXT, vendored, 'run node packages/onnx/scripts/embed-schema.mjs');
  assert.match(vendored, /IR_VERSION = 0x0000000000000008;/);
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  assert.equal(CXRKIT_VERSION, pkg.version);
});
