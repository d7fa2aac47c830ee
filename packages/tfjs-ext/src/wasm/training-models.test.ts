// Whole-model gradients and a short training run on wasm (cxrkit's kernels) against cpu, on a small
// functional model holding every layer type InceptionV3, DenseNet and ResNet use. Same tolerance
// rule as training-kernels.test.ts (max-norm relative, 1e-4) for gradients; see below for weights.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { batchNormalization } from '@cxrkit/models';
import { registerWasmTrainingKernels } from './index.js';
import { values } from './test-values.js';

const initial = tf.getBackend();
after(async () => {
  await tf.setBackend(initial);
});

type T = tfl.SymbolicTensor;
/** A small net with every layer type of the three architectures (shapes in comments). */
function allLayersModel(): tfl.LayersModel {
  const L = tfl.layers;
  let seed = 100; // seeded initialisers: the same model every run
  const init = () => tfl.initializers.glorotUniform({ seed: seed++ });
  const conv = (
    x: T,
    filters: number,
    k: [number, number],
    strides = 1,
    padding: 'same' | 'valid' = 'same',
    useBias = false,
  ) => L.conv2d({ filters, kernelSize: k, strides, padding, useBias, kernelInitializer: init() }).apply(x) as T;
  const bn = (x: T, scale: boolean) =>
    batchNormalization({ axis: 3, scale, center: true, epsilon: 1e-3 }).apply(x) as T;
  const relu = (x: T) => L.activation({ activation: 'relu' }).apply(x) as T;
  const inp = tfl.input({ shape: [21, 21, 3] });
  // ResNet stem: ZeroPadding2D(3) + 7×7/2 valid → 11×11×4; Inception-style BN(scale=false).
  let a = L.zeroPadding2d({ padding: 3 }).apply(inp) as T;
  a = relu(bn(conv(a, 4, [7, 7], 2, 'valid'), false));
  // Inception-style branches at 11×11: 1×1; 1×7→7×1; avg-pool 3×3/1 same → 1×1; concat → 9 channels.
  const b1 = relu(bn(conv(a, 3, [1, 1]), true));
  const b2 = relu(conv(conv(a, 3, [1, 7]), 3, [7, 1]));
  const b3 = conv(
    L.averagePooling2d({ poolSize: 3, strides: 1, padding: 'same' }).apply(a) as T,
    3,
    [1, 1],
    1,
    'same',
    true,
  );
  const c = L.concatenate({ axis: 3 }).apply([b1, b2, b3]) as T;
  // ResNet-style residual: 3×3 same + BN, Add, ReLU.
  const d = relu(L.add().apply([bn(conv(c, 9, [3, 3]), true), c]) as T);
  // Reductions to 5×5: max-pool 3×3/2 valid (Inception), 3×3/2 valid conv, avg-pool 2×2/2 (DenseNet).
  const e = L.maxPooling2d({ poolSize: 3, strides: 2, padding: 'valid' }).apply(d) as T;
  const f = conv(d, 4, [3, 3], 2, 'valid');
  const g = L.averagePooling2d({ poolSize: 2, strides: 2 }).apply(d) as T;
  let h = L.concatenate({ axis: 3 }).apply([e, f, g]) as T;
  h = conv(h, 6, [1, 1], 2, 'valid'); // ResNet 1×1/2 shortcut → 3×3×6
  h = L.globalAveragePooling2d({}).apply(h) as T;
  h = L.dropout({ rate: 0.25, seed: 7 }).apply(h) as T;
  const out = L.dense({ units: 3, kernelInitializer: init() }).apply(h) as T;
  return tfl.model({ inputs: inp, outputs: out });
}

async function on<T>(backend: string, fn: () => T): Promise<T> {
  await tf.setBackend(backend);
  await tf.ready();
  return fn();
}

function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let maxRef = 0;
  let maxErr = 0;
  for (let i = 0; i < b.length; i++) {
    maxRef = Math.max(maxRef, Math.abs(b[i]!));
    maxErr = Math.max(maxErr, Math.abs(a[i]! - b[i]!));
  }
  return maxRef === 0 ? (maxErr === 0 ? 0 : Infinity) : maxErr / maxRef;
}

test('gradients of a model with every layer type match cpu (1e-4 max-norm relative)', async () => {
  registerWasmTrainingKernels();
  const model = await on('cpu', () => allLayersModel());
  const x = values(2 * 21 * 21 * 3, 3);
  const r = values(2 * 3, 5);
  const grads = () =>
    tf.tidy(() => {
      const xt = tf.tensor4d(x, [2, 21, 21, 3]);
      const rt = tf.tensor2d(r, [2, 3]);
      const { grads: g } = tf.variableGrads(
        () => tf.sum(tf.mul(rt, model.apply(xt, { training: true }) as tf.Tensor)) as tf.Scalar,
      );
      return Object.fromEntries(Object.entries(g).map(([k, v]) => [k, v.dataSync() as Float32Array]));
    });
  const ref = await on('cpu', grads);
  const got = await on('wasm', grads);
  const names = Object.keys(ref);
  assert.equal(names.length, model.trainableWeights.length, 'every trainable weight gets a gradient');
  assert.equal(names.length, 16);
  for (const k of names) {
    const e = relErr(got[k]!, ref[k]!);
    assert.ok(e <= 1e-4, `${k}: relative error ${e.toExponential(2)}`);
  }
});

test('a small model trains on wasm: loss falls and weights track a cpu run of the same Adam steps', async () => {
  registerWasmTrainingKernels();
  const model = await on('cpu', () => allLayersModel());
  const initialWeights = model.getWeights().map((w) => ({ shape: w.shape, data: w.dataSync().slice() }));
  const x = values(4 * 21 * 21 * 3, 17);
  const yTrue = values(4 * 3, 19);
  const run = () => {
    model.setWeights(initialWeights.map((w) => tf.tensor(w.data, w.shape)));
    const opt = tf.train.adam(1e-2);
    const xt = tf.tensor4d(x, [4, 21, 21, 3]);
    const yt = tf.tensor2d(yTrue, [4, 3]);
    const losses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const loss = opt.minimize(
        () => tf.losses.meanSquaredError(yt, model.apply(xt, { training: true }) as tf.Tensor) as tf.Scalar,
        true,
      )!;
      losses.push(loss.dataSync()[0]!);
      loss.dispose();
    }
    opt.dispose();
    tf.dispose([xt, yt]);
    return { losses, weights: model.getWeights().map((w) => w.dataSync().slice() as Float32Array) };
  };
  const ref = await on('cpu', run);
  const got = await on('wasm', run);
  assert.ok(
    got.losses[7]! < 0.5 * got.losses[0]!,
    `wasm loss did not fall: ${got.losses.map((l) => l.toFixed(4)).join(' → ')}`,
  );
  // Adam normalises each step by √v, so float32 rounding differences in the gradients move weights by
  // ≲ lr·(relative gradient error) per step; after 8 steps of lr 1e-2 that is ≪ 1e-3 of the weights'
  // scale (measured: ≤ 4e-6 with these seeds). Losses agree to 1e-4 relative.
  for (let i = 0; i < ref.losses.length; i++)
    assert.ok(
      Math.abs(got.losses[i]! - ref.losses[i]!) <= 1e-4 * Math.abs(ref.losses[i]!),
      `loss ${i}: ${got.losses[i]} vs ${ref.losses[i]}`,
    );
  got.weights.forEach((w, i) => {
    const e = relErr(w, ref.weights[i]!);
    if (process.env.CXRKIT_DEBUG_WASM) console.log(model.weights[i]!.name, e.toExponential(2));
    assert.ok(e <= 1e-3, `weight ${model.weights[i]!.name}: relative difference ${e.toExponential(2)}`);
  });
});
