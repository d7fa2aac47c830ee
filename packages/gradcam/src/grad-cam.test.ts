// @cxrkit-backends: cpu wasm
// Grad-CAM against references that do not use gradcam's graph walker:
//  - Zhou et al. 2016 CAM (Σ_k w_kc A_k), derived by hand for GAP → Dense: Grad-CAM = ReLU(CAM)/(H·W);
//  - for branching, nested, fusion models: α_k = (∂score/∂bias_k)/(H·W), the bias gradient taken by tfjs'
//    own model execution (tf.variableGrads over model.apply), A_k from tf.model(…conv.output).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

type AnyLayer = ReturnType<tfl.LayersModel['getLayer']>;
import { isCxrkitError, resize, type GrayImage } from '@cxrkit/core';
import { expectNoLeaks, repoRoot } from '../../../test/helpers.js';
import {
  MIXED10_CONVS,
  denseNetLikeBackbone,
  inceptionLikeBackbone,
  randomizeBatchNorm,
  resNetLikeBackbone,
  screeningModel,
  type Head,
} from '../../../test/fixtures/gradcam/models.js';
import { gradCam, gradCamDetailed, type GradCamTargetLike } from './grad-cam.js';

function randomInputs(model: tfl.LayersModel, batch: number, seed: number): tf.Tensor[] {
  return model.inputs.map((inp, i) => {
    const shape = [batch, ...(inp.shape.slice(1) as number[])];
    return inp.name.startsWith('image')
      ? tf.randomUniform(shape, 0, 1, 'float32', seed + i)
      : tf.randomUniform(shape, -1, 1, 'float32', seed + i);
  });
}

/** Core's resize as Grad-CAM uses it for heat maps: plain bilinear interpolation. */
const bilinear = (map: GrayImage, width: number, height: number) =>
  resize(map, { width, height, filter: 'bilinear', antialias: false });

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, label: string): void {
  assert.equal(actual.length, expected.length, `${label}: length`);
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]!));
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i]! - expected[i]!);
    assert.ok(d <= rtol * scale + 1e-7, `${label}[${i}]: ${actual[i]} vs ${expected[i]} (scale ${scale})`);
  }
}

/**
 * Stock wasm has no Conv2DBackpropFilter, so the bias-gradient reference cannot run there: on wasm the
 * reference is computed on the cpu backend (tensors move between backends) and compared with wasm's maps.
 */
const RTOL = 2e-4;
async function onReferenceBackend<T>(fn: () => T): Promise<T> {
  const active = tf.getBackend();
  if (tf.getKernel('Conv2DBackpropFilter', active) !== undefined) return fn();
  await import('@tensorflow/tfjs-backend-cpu');
  await tf.setBackend('cpu');
  try {
    return fn();
  } finally {
    await tf.setBackend(active);
  }
}

type RefTarget = { kind: 'logit'; unit: number; sign: 1 | -1 } | { kind: 'prob'; unit: number };

/** Reference Grad-CAM map of image `b` on conv `convName` of the nested backbone, at layer resolution. */
function referenceCam(
  model: tfl.LayersModel,
  xs: tf.Tensor[],
  b: number,
  convName: string,
  target: RefTarget,
): Float32Array {
  return tf.tidy(() => {
    const backbone = model.getLayer('backbone') as tfl.LayersModel;
    const convLayer = backbone.getLayer(convName) as unknown as {
      bias: { read(): tf.Variable };
      output: tfl.SymbolicTensor;
    };
    const biasVar = convLayer.bias.read();
    const single = xs.map((x) => tf.slice(x, b, 1));
    const head = model.getLayer('predictions') as AnyLayer;
    const features = tfl.model({ inputs: model.inputs, outputs: head.input as tfl.SymbolicTensor });
    const [kernel, bias] = head.getWeights();
    const score = (): tf.Scalar => {
      if (target.kind === 'prob') {
        const p = model.apply(single) as tf.Tensor;
        return tf.sum(tf.slice(p, [0, target.unit], [1, 1])) as tf.Scalar;
      }
      const h = features.apply(single) as tf.Tensor;
      const z = tf.add(tf.matMul(h as tf.Tensor2D, kernel as tf.Tensor2D), bias!);
      return tf.mul(tf.sum(tf.slice(z, [0, target.unit], [1, 1])), target.sign) as tf.Scalar;
    };
    const biasGrad = tf.variableGrads(score, [biasVar]).grads[biasVar.name]!;
    const act = tfl.model({ inputs: backbone.inputs, outputs: convLayer.output }).predict(single[0]!) as tf.Tensor4D;
    const [, hh, ww] = act.shape;
    const alpha = tf.div(biasGrad, hh * ww);
    return tf.relu(tf.sum(tf.mul(act, alpha), -1)).dataSync() as Float32Array;
  });
}

test('Grad-CAM on the last conv of GAP → Dense equals CAM (Zhou et al. 2016) up to a positive factor', async () => {
  const input = tfl.input({ shape: [12, 10, 1] });
  const convOut = tfl.layers
    .conv2d({ filters: 5, kernelSize: 3, padding: 'same', activation: 'relu', name: 'last_conv' })
    .apply(input) as tfl.SymbolicTensor;
  const gap = tfl.layers.globalAveragePooling2d({}).apply(convOut) as tfl.SymbolicTensor;
  const out = tfl.layers
    .dense({ units: 3, activation: 'softmax', name: 'fc', biasInitializer: 'glorotNormal' as never })
    .apply(gap) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: out });
  const x = tf.randomUniform([2, 12, 10, 1], 0, 1, 'float32', 7);
  const features = tfl.model({ inputs: input, outputs: convOut });
  const A = features.predict(x) as tf.Tensor4D;
  const aData = A.arraySync();
  const W = model.getLayer('fc').getWeights()[0]!.arraySync() as number[][]; // [5, 3]
  for (const c of [0, 1, 2]) {
    const maps = await expectNoLeaks(
      () => gradCam(model, x, { layers: 'last_conv', target: c, size: 'layer' }),
      'gradCam',
    );
    for (let b = 0; b < 2; b++) {
      // CAM_c(i, j) = Σ_k w_kc A_k(i, j); by hand, ∂z_c/∂A_k(i, j) = w_kc / (H·W), so Grad-CAM = ReLU(CAM_c) / (H·W).
      const cam = new Float32Array(120);
      for (let i = 0; i < 12; i++)
        for (let j = 0; j < 10; j++) {
          let s = 0;
          for (let k = 0; k < 5; k++) s += W[k]![c]! * aData[b]![i]![j]![k]!;
          cam[i * 10 + j] = Math.max(0, s) / 120;
        }
      assert.equal(maps[b]!.width, 10);
      assert.equal(maps[b]!.height, 12);
      assertClose(maps[b]!.data, cam, 1e-5, `class ${c} image ${b}`);
    }
  }
  tf.dispose([x, A]);
  model.dispose();
});

const BACKBONES = {
  inception: { build: inceptionLikeBackbone, convs: ['conv2d_94', 'conv2d_87', 'conv2d_90'] },
  densenet: { build: denseNetLikeBackbone, convs: ['conv5_block1_2_conv', 'last_conv'] },
  resnet: { build: resNetLikeBackbone, convs: ['conv5_block1_0_conv', 'conv5_block1_3_conv', 'conv5_block1_1_conv'] },
} as const;

const CASES: { head: Head; target: GradCamTargetLike | undefined; ref: RefTarget; score?: 'output' }[] = [
  { head: 'binary', target: undefined, ref: { kind: 'logit', unit: 0, sign: 1 } },
  { head: 'binary', target: { task: 'binary', class: 'negative' }, ref: { kind: 'logit', unit: 0, sign: -1 } },
  { head: 'binary', target: 'positive', ref: { kind: 'prob', unit: 0 }, score: 'output' },
  { head: 'multiclass', target: { task: 'multiclass', class: 2 }, ref: { kind: 'logit', unit: 2, sign: 1 } },
  { head: 'multiclass', target: 0, ref: { kind: 'logit', unit: 0, sign: 1 } },
  { head: 'regression', target: undefined, ref: { kind: 'logit', unit: 0, sign: 1 } },
  { head: 'regression', target: { task: 'regression', sign: -1 }, ref: { kind: 'logit', unit: 0, sign: -1 } },
];

for (const [name, spec] of Object.entries(BACKBONES)) {
  test(`${name}-like backbone nested in a fusion screening model: every task matches the bias-gradient reference`, async () => {
    for (const [ci, c] of CASES.entries()) {
      const model = screeningModel(spec.build(32), c.head);
      randomizeBatchNorm(model, 3 + ci);
      const xs = randomInputs(model, 2, 11 + ci);
      const inputs = { image: xs[0]!, age: xs[1]!, sex: xs[2]! };
      const res = await expectNoLeaks(
        () =>
          gradCamDetailed(model, inputs, { layers: [...spec.convs], target: c.target, size: 'layer', score: c.score }),
        `${name} ${c.head}`,
      );
      for (const [l, conv] of spec.convs.entries()) {
        for (let b = 0; b < 2; b++) {
          const ref = await onReferenceBackend(() => referenceCam(model, xs, b, conv, c.ref));
          assertClose(
            res.perLayer[l]![b]!.data,
            ref,
            RTOL,
            `${name} ${c.head} ${JSON.stringify(c.target)} ${conv} image ${b}`,
          );
        }
      }
      tf.dispose(xs);
      model.dispose();
    }
  });
}

test('multi-layer averaging over the nine convs of mixed10, with and without per-layer normalisation', async () => {
  const model = screeningModel(inceptionLikeBackbone(32), 'binary');
  randomizeBatchNorm(model, 5);
  const xs = randomInputs(model, 2, 3);
  const res = await expectNoLeaks(() => gradCamDetailed(model, xs, { layers: MIXED10_CONVS }), 'gradCam 9 layers');
  const norm = gradCam(model, xs, { layers: MIXED10_CONVS, normalizeEach: true });
  assert.deepEqual(
    res.layers,
    MIXED10_CONVS.map((n) => `backbone/${n}`),
  );
  for (let b = 0; b < 2; b++) {
    assert.equal(res.heatmaps[b]!.width, 32);
    assert.equal(res.heatmaps[b]!.height, 32);
    const n = 32 * 32;
    const mean = new Float32Array(n);
    const meanNorm = new Float32Array(n);
    for (let l = 0; l < 9; l++) {
      const d = res.perLayer[l]![b]!.data;
      const max = Math.max(...d);
      for (let i = 0; i < n; i++) {
        mean[i] += d[i]! / 9;
        meanNorm[i] += (max > 0 ? d[i]! / max : 0) / 9;
      }
    }
    assertClose(res.heatmaps[b]!.data, mean, 1e-6, 'mean');
    assertClose(norm[b]!.data, meanNorm, 1e-6, 'normalised mean');
    assert.ok(Math.max(...norm[b]!.data) <= 1 + 1e-6);
  }
  // each of the nine layers also matches the reference (total derivative through later target layers)
  const conv88 = res.perLayer[MIXED10_CONVS.indexOf('conv2d_87')]!;
  const small = gradCamDetailed(model, xs, { layers: ['conv2d_87', 'conv2d_88', 'conv2d_89'], size: 'layer' });
  for (let b = 0; b < 2; b++) {
    const ref = await onReferenceBackend(() =>
      referenceCam(model, xs, b, 'conv2d_87', { kind: 'logit', unit: 0, sign: 1 }),
    );
    assertClose(small.perLayer[0]![b]!.data, ref, RTOL, 'conv2d_87');
    assert.equal(conv88[b]!.width, 32);
  }
  tf.dispose(xs);
  model.dispose();
});

test('a batch gives the same maps as the images one at a time; multiclass "predicted" explains the arg-max', async () => {
  const model = screeningModel(resNetLikeBackbone(32), 'multiclass', false);
  randomizeBatchNorm(model, 9);
  const x = tf.randomUniform([3, 32, 32, 1], 0, 1, 'float32', 5);
  const all = gradCamDetailed(model, x, { layers: 'conv5_block1_3_conv', target: 'predicted' });
  const probs = model.predict(x) as tf.Tensor;
  assert.deepEqual(all.classes, Array.from(tf.argMax(probs, -1).dataSync()));
  for (let b = 0; b < 3; b++) {
    const xb = tf.slice(x, b, 1);
    const one = gradCam(model, xb, { layers: 'conv5_block1_3_conv', target: all.classes[b] });
    assertClose(all.heatmaps[b]!.data, one[0]!.data, 1e-5, `image ${b}`);
    xb.dispose();
  }
  tf.dispose([x, probs]);
  model.dispose();
});

test('sequential models and block outputs (mixed10) work; upsampling is Pillow-exact bilinear', async () => {
  const seq = tfl.sequential({
    layers: [
      tfl.layers.conv2d({
        inputShape: [8, 8, 1],
        filters: 3,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        name: 'c1',
      }),
      tfl.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', name: 'c2' }),
      tfl.layers.globalAveragePooling2d({}),
      tfl.layers.dense({ units: 1, activation: 'sigmoid' }),
    ],
  });
  const x = tf.randomUniform([1, 8, 8, 1], 0, 1, 'float32', 1);
  const [layerMap] = gradCam(seq, x, { layers: 'c2', size: 'layer' });
  const [full] = await expectNoLeaks(() => gradCam(seq, x, { layers: 'c2' }), 'sequential');
  assert.equal(layerMap!.width, 4);
  assert.equal(full!.width, 8);
  assertClose(full!.data, bilinear(layerMap!, 8, 8).data, 1e-6, 'upsampled');
  const [sized] = gradCam(seq, x, { layers: 'c2', size: [10, 12] });
  assert.deepEqual([sized!.height, sized!.width], [10, 12]);
  assertClose(sized!.data, bilinear(layerMap!, 12, 10).data, 1e-6, 'explicit size');
  // a two-unit softmax read as binary: "positive" is unit 1's logit, "negative" unit 0's
  const two = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [8, 8, 1], filters: 3, kernelSize: 3, padding: 'same', name: 'k' }),
      tfl.layers.globalAveragePooling2d({}),
      tfl.layers.dense({ units: 2, activation: 'softmax', name: 'sm' }),
    ],
  });
  for (const [cls, unit] of [
    ['positive', 1],
    ['negative', 0],
  ] as const) {
    const viaBinary = gradCamDetailed(two, x, { layers: 'k', target: { task: 'binary', class: cls }, size: 'layer' });
    const viaIndex = gradCamDetailed(two, x, { layers: 'k', target: unit, size: 'layer' });
    assert.deepEqual(viaBinary.classes, [unit]);
    assertClose(viaBinary.heatmaps[0]!.data, viaIndex.heatmaps[0]!.data, 1e-7, `binary ${cls}`);
  }
  two.dispose();
  const model = screeningModel(inceptionLikeBackbone(32), 'binary');
  const xs = randomInputs(model, 1, 2);
  const [m10] = gradCam(model, xs, { layers: 'mixed10' });
  assert.equal(m10!.data.length, 32 * 32);
  assert.ok(m10!.data.every((v) => v >= 0 && Number.isFinite(v)));
  tf.dispose([x, ...xs]);
  seq.dispose();
  model.dispose();

  const fx = JSON.parse(readFileSync(`${repoRoot}/test/fixtures/gradcam/resize-bilinear.json`, 'utf8'));
  const r = bilinear(
    { data: Float32Array.from(fx.src.data), width: fx.src.width, height: fx.src.height },
    fx.dst.width,
    fx.dst.height,
  );
  assertClose(r.data, fx.dst.data, 1e-5, 'Pillow BILINEAR');
});

test('typed errors: unknown layer (did you mean), non-spatial layer, bad target, missing fusion input', () => {
  const model = screeningModel(denseNetLikeBackbone(32), 'binary');
  const xs = randomInputs(model, 1, 1);
  const expectCode = (fn: () => unknown, code: string, text?: RegExp): void => {
    assert.throws(fn, (e: unknown) => isCxrkitError(e, code) && (!text || text.test((e as Error).message)));
  };
  expectCode(() => gradCam(model, xs, { layers: 'last_cnov' }), 'GRADCAM_LAYER_NOT_FOUND', /did you mean "last_conv"/);
  expectCode(() => gradCam(model, xs, { layers: 'fc1' }), 'GRADCAM_LAYER_NOT_SPATIAL');
  expectCode(() => gradCam(model, xs, { layers: 'last_conv', target: 4 }), 'GRADCAM_BAD_TARGET');
  expectCode(
    () => gradCam(model, xs, { layers: 'last_conv', target: { task: 'binnary' } as never }),
    'GRADCAM_BAD_TARGET',
    /did you mean task: "binary"/,
  );
  expectCode(
    () => gradCam(model, { image: xs[0]!, agee: xs[1]!, sex: xs[2]! }, { layers: 'last_conv' }),
    'GRADCAM_INPUT_MISSING',
    /did you mean "age"/,
  );
  expectCode(() => gradCam(model, xs, { layers: [] }), 'GRADCAM_NO_LAYERS');
  expectCode(() => gradCam({} as never, xs, { layers: 'x' }), 'GRADCAM_NOT_A_MODEL');
  assert.equal(gradCam(model, xs, { layers: 'backbone/last_conv' }).length, 1);
  expectCode(() => gradCam(model, xs, { layers: ['last_conv', 'backbone/last_conv'] }), 'GRADCAM_LAYER_DUPLICATE');
  // two outputs: a layer that only feeds the second output cannot explain the first
  const inp = tfl.input({ shape: [8, 8, 1] });
  const a = tfl.layers
    .conv2d({ filters: 2, kernelSize: 3, padding: 'same', name: 'a' })
    .apply(inp) as tfl.SymbolicTensor;
  const b = tfl.layers
    .conv2d({ filters: 2, kernelSize: 3, padding: 'same', name: 'b' })
    .apply(inp) as tfl.SymbolicTensor;
  const oa = tfl.layers
    .dense({ units: 1, name: 'out_a' })
    .apply(tfl.layers.globalAveragePooling2d({}).apply(a)) as tfl.SymbolicTensor;
  const ob = tfl.layers
    .dense({ units: 1, name: 'out_b' })
    .apply(tfl.layers.globalAveragePooling2d({}).apply(b)) as tfl.SymbolicTensor;
  const two = tfl.model({ inputs: inp, outputs: [oa, ob] });
  const x8 = tf.zeros([1, 8, 8, 1]);
  const before = tf.memory().numTensors;
  expectCode(
    () => gradCam(two, x8, { layers: 'b', target: { task: 'regression', output: 'out_a' } }),
    'GRADCAM_LAYER_NOT_ON_PATH',
  );
  assert.equal(tf.memory().numTensors, before, 'no tensors left after an error');
  assert.equal(gradCam(two, x8, { layers: 'b', target: { task: 'regression', output: 'out_b' } }).length, 1);
  expectCode(
    () => gradCam(two, x8, { layers: 'b', target: { task: 'regression', output: 'out_c' } }),
    'GRADCAM_OUTPUT_NOT_FOUND',
    /did you mean/,
  );
  x8.dispose();
  two.dispose();
  tf.dispose(xs);
  model.dispose();
});

test("gradients through 'same' average pooling use the in-bounds count (tfjs 4.22's own AvgPool gradient does not)", async () => {
  // score = Σ_k w_k · mean_ij P_k(i, j), P = avgPool3×3/1 'same'(A) dividing each window by its in-bounds
  // count n(u, v). By hand: ∂score/∂A_k(i, j) = w_k / (H·W) · Σ over windows (u, v) that contain (i, j) of 1 / n(u, v).
  const H = 5;
  const W = 6;
  const input = tfl.input({ shape: [H, W, 1] });
  const convOut = tfl.layers
    .conv2d({ filters: 2, kernelSize: 1, name: 'c', biasInitializer: 'glorotNormal' as never })
    .apply(input) as tfl.SymbolicTensor;
  const pooled = tfl.layers
    .averagePooling2d({ poolSize: 3, strides: 1, padding: 'same' })
    .apply(convOut) as tfl.SymbolicTensor;
  const gap = tfl.layers.globalAveragePooling2d({}).apply(pooled) as tfl.SymbolicTensor;
  const out = tfl.layers.dense({ units: 1, name: 'fc' }).apply(gap) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: out });
  const x = tf.randomUniform([1, H, W, 1], 0, 1, 'float32', 4);
  const A = (tfl.model({ inputs: input, outputs: convOut }).predict(x) as tf.Tensor).arraySync() as number[][][][];
  const w = (model.getLayer('fc').getWeights()[0]!.arraySync() as number[][]).map((r) => r[0]!);
  const n = (u: number, v: number): number =>
    (Math.min(u + 1, H - 1) - Math.max(u - 1, 0) + 1) * (Math.min(v + 1, W - 1) - Math.max(v - 1, 0) + 1);
  let sumInv = 0; // Σ over (i, j) of Σ over windows containing (i, j) of 1/n = Σ over windows of (n · 1/n) = H·W
  for (let i = 0; i < H; i++)
    for (let j = 0; j < W; j++)
      for (let u = i - 1; u <= i + 1; u++)
        for (let v = j - 1; v <= j + 1; v++) if (u >= 0 && v >= 0 && u < H && v < W) sumInv += 1 / n(u, v);
  const expected = new Float32Array(H * W);
  for (let i = 0; i < H; i++)
    for (let j = 0; j < W; j++) {
      let s = 0;
      for (let k = 0; k < 2; k++) s += (((w[k]! / (H * W)) * sumInv) / (H * W)) * A[0]![i]![j]![k]!; // α_k = mean over (i, j) of the gradient
      expected[i * W + j] = Math.max(0, s);
    }
  const res = await expectNoLeaks(
    () => gradCamDetailed(model, x, { layers: 'c', target: { task: 'regression' } }),
    'avg pool',
  );
  assertClose(res.heatmaps[0]!.data, expected, 1e-5, 'avg pool same');
  // the rewritten pooling computes the same forward values as tfjs (score = the model's output)
  const y = model.predict(x) as tf.Tensor;
  assert.ok(Math.abs(res.scores[0]! - y.dataSync()[0]!) < 1e-5);
  // strided 'same' pooling on odd sizes: forward unchanged too
  const inp2 = tfl.input({ shape: [7, 9, 1] });
  const c2 = tfl.layers
    .conv2d({ filters: 3, kernelSize: 3, padding: 'same', name: 'c2' })
    .apply(inp2) as tfl.SymbolicTensor;
  const p2 = tfl.layers.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same' }).apply(c2) as tfl.SymbolicTensor;
  const o2 = tfl.layers.dense({ units: 1 }).apply(tfl.layers.flatten().apply(p2)) as tfl.SymbolicTensor;
  const m2 = tfl.model({ inputs: inp2, outputs: o2 });
  const x2 = tf.randomUniform([2, 7, 9, 1], 0, 1, 'float32', 5);
  const r2 = gradCamDetailed(m2, x2, { layers: 'c2', target: { task: 'regression' } });
  const y2 = m2.predict(x2) as tf.Tensor;
  assertClose(r2.scores, y2.dataSync(), 1e-5, 'strided same pool forward');
  tf.dispose([x, y, x2, y2]);
  model.dispose();
  m2.dispose();
});
