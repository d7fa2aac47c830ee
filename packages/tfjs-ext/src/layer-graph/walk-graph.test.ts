// @cxrkit-backends: cpu wasm
// The one layer-graph walker against tfjs-layers itself: walking a model with each layer's own call
// gives model.predict's outputs (nested functional and Sequential models, a shared layer, two inputs,
// two outputs), every layer call is visited once in tfjs-layers' order (nodesByDepth, deepest first),
// and listLayers / layerFeedsOutput / outputLayer read the graph as Keras names it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expectNoLeaks } from '../../../../test/helpers.js';
import {
  allLayers,
  graphOf,
  inputNames,
  isContainer,
  layerFeedsOutput,
  listLayers,
  outputLayer,
  outputNames,
  walkGraph,
  type GraphLayer,
  type GraphNode,
} from './index.js';

type T = tfl.SymbolicTensor;
let seed = 40;
const init = () => tfl.initializers.glorotUniform({ seed: seed++ });

/** image [6, 6, 2] + age [1] → two outputs; a nested functional backbone, a nested Sequential, a shared Dense. */
function zoo(): tfl.LayersModel {
  const L = tfl.layers;
  const bIn = tfl.input({ shape: [6, 6, 2], name: 'b_in' });
  const c1 = L.conv2d({ filters: 3, kernelSize: 3, padding: 'same', kernelInitializer: init(), name: 'b_conv' }).apply(
    bIn,
  ) as T;
  const p1 = L.averagePooling2d({ poolSize: 3, strides: 1, padding: 'same', name: 'b_pool' }).apply(c1) as T;
  const cat = L.concatenate({ name: 'b_cat' }).apply([c1, p1]) as T;
  const backbone = tfl.model({
    inputs: bIn,
    outputs: L.globalAveragePooling2d({ name: 'b_gap' }).apply(cat) as T,
    name: 'backbone',
  });
  const head = tfl.sequential({
    name: 'head',
    layers: [
      L.dense({ inputShape: [7], units: 4, activation: 'relu', kernelInitializer: init(), name: 'h_dense' }),
      L.dense({ units: 2, kernelInitializer: init(), name: 'h_out' }),
    ],
  });
  const image = tfl.input({ shape: [6, 6, 2], name: 'image' });
  const age = tfl.input({ shape: [1], name: 'age' });
  const feats = backbone.apply(image) as T;
  const shared = L.dense({ units: 1, kernelInitializer: init(), name: 'shared' });
  const a = shared.apply(feats) as T;
  const fused = L.concatenate({ name: 'fusion' }).apply([feats, age]) as T; // 6 + 1 = 7
  const logits = head.apply(fused) as T;
  const to6 = L.dense({ units: 6, kernelInitializer: init(), name: 'to6' }).apply(logits) as T;
  const b = shared.apply(to6) as T; // second call of `shared`
  const out = L.add({ name: 'sum' }).apply([a, b]) as T;
  return tfl.model({
    inputs: [image, age],
    outputs: [out, L.activation({ activation: 'sigmoid', name: 'prob' }).apply(logits) as T],
    name: 'zoo',
  });
}

/** Runs each layer with its own call (nested models walked by walkGraph itself). */
function run(model: GraphLayer, xs: tf.Tensor[], seen: Array<[GraphLayer, GraphNode]> = []): tf.Tensor[] {
  const outs = walkGraph<tf.Tensor>(model, xs, (layer, args, node) => {
    seen.push([layer, node]);
    if (isContainer(layer)) return run(layer, args, seen);
    const r = layer.call(args.length === 1 ? args[0]! : args, { ...(node.callArgs ?? {}), training: false });
    return Array.isArray(r) ? r : [r];
  });
  return outs.map((o) => o!);
}

test("walking with each layer's own call gives model.predict (nested models, a shared layer)", async () => {
  const model = zoo();
  const x = tf.randomUniform([3, 6, 6, 2], -1, 1, 'float32', 5);
  const age = tf.tensor2d([[0.2], [0.5], [0.9]]);
  const ref = (model.predict([x, age]) as tf.Tensor[]).map((t) => t.dataSync());
  const seen: Array<[GraphLayer, GraphNode]> = [];
  const got = await expectNoLeaks(
    () => tf.tidy(() => run(model as unknown as GraphLayer, [x, age], seen).map((t) => t.dataSync())),
    'walk',
  );
  got.forEach((g, k) => assert.deepEqual(Array.from(g), Array.from(ref[k]!), `output ${k} bit-identical to predict`));
  // Each call once; `shared` twice (two nodes); nested models entered through the callback.
  const names = seen.map(([l]) => l.name);
  assert.equal(names.filter((n) => n === 'shared').length, 2);
  assert.equal(new Set(seen.map(([, n]) => n)).size, seen.length, 'no node visited twice');
  for (const n of [
    'backbone',
    'b_conv',
    'b_pool',
    'b_cat',
    'b_gap',
    'head',
    'h_dense',
    'h_out',
    'fusion',
    'to6',
    'sum',
    'prob',
  ])
    assert.ok(names.includes(n), n);
  assert.ok(!names.includes('image') && !names.includes('b_in'), 'input layers are not called');
  // tfjs-layers' order: the top graph's nodes by decreasing depth.
  const g = graphOf(model as unknown as GraphLayer);
  const expected = Object.keys(g.nodesByDepth)
    .map(Number)
    .sort((p, q) => q - p)
    .flatMap((d) => g.nodesByDepth[String(d)]!)
    .filter((n) => n.outboundLayer.getClassName() !== 'InputLayer');
  assert.deepEqual(
    seen.filter(([, n]) => expected.includes(n)).map(([, n]) => n),
    expected,
  );
  tf.dispose([x, age]);
  model.dispose();
});

test('values of any kind flow through the walk (the ONNX exporter passes tensor names)', () => {
  const model = zoo() as unknown as GraphLayer;
  const describe = (layer: GraphLayer, args: string[]): string[] =>
    isContainer(layer) ? walkGraph(layer, args, describe).map((s) => s!) : [`${layer.name}(${args.join(',')})`];
  const outs = walkGraph<string>(model, ['image', 'age'], describe);
  assert.equal(outs[1], 'prob(h_out(h_dense(fusion(b_gap(b_cat(b_conv(image),b_pool(b_conv(image)))),age))))');
  assert.match(outs[0]!, /^sum\(shared\(b_gap\(.*\)\),shared\(to6\(h_out\(/);
});

test('listLayers / allLayers: every layer with its path, depth-first into nested models', () => {
  const model = zoo();
  const paths = listLayers(model as unknown as GraphLayer).map((l) => l.path);
  for (const p of [
    'image',
    'age',
    'backbone',
    'backbone/b_in',
    'backbone/b_conv',
    'backbone/b_gap',
    'head',
    'head/h_dense',
    'head/h_out',
    'shared',
    'to6',
    'sum',
    'prob',
  ])
    assert.ok(paths.includes(p), p);
  assert.ok(paths.indexOf('backbone/b_conv') === paths.indexOf('backbone') + 2, 'nested layers follow their model');
  assert.deepEqual(allLayers(model).length, paths.length);
  assert.equal(allLayers(model).filter((l) => (l as GraphLayer).getClassName() === 'Conv2D').length, 1);
  model.dispose();
});

test('inputs, outputs and which layers feed which output', () => {
  const model = zoo();
  const m = model as unknown as GraphLayer;
  assert.deepEqual(inputNames(m), ['image', 'age']);
  assert.deepEqual(outputNames(m), ['sum', 'prob']);
  assert.equal(outputLayer(m, 1).name, 'prob');
  const layer = (path: string) => listLayers(m).find((l) => l.path === path)!.layer;
  assert.ok(layerFeedsOutput(m, 0, layer('backbone/b_pool')));
  assert.ok(layerFeedsOutput(m, 1, layer('head/h_out')));
  assert.ok(layerFeedsOutput(m, 0, layer('to6')));
  assert.ok(!layerFeedsOutput(m, 1, layer('to6')), 'to6 only feeds the first output');
  assert.ok(!layerFeedsOutput(m, 1, layer('shared')));
  assert.equal(isContainer(null), false);
  assert.equal(isContainer(tf.scalar(1)), false);
  assert.equal(isContainer(layer('head')), true);
  model.dispose();
});
