// The fused batch-norm training kernels (wasm, SIMD and JavaScript paths) against tfjs's own composition
// on the cpu backend: tf.moments + tf.batchNorm forward, and tfjs's autodiff through both for the
// gradients. Also: a large channel offset (cancellation), and KerasBatchNormalization's moving averages.
// Runs once, whatever CXRKIT_BACKEND the runner set (both backends imported; tf.setBackend switches).
// Tolerance as in training-kernels.test.ts: max|wasm − cpu| ≤ 1e-4 · max|cpu| per tensor.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from './index.js';
import { batchNormTraining } from './batch-norm-training.js';
import { setSimdKernelsEnabled } from './simd/index.js';
import { batchNormalization } from '@cxrkit/models';
import { assertClose, on, restoreBackendAfterTests, values } from './test-values.js';
import { expectNoLeaks } from '../../../../test/helpers.js';

restoreBackendAfterTests();

const EPS = 1e-3;

interface Case {
  shape: number[];
  seed: number;
}
// c = 3 and 5: scalar tails only / 4 + 1; c = 8, 64: whole SIMD lanes; rows 126 and 162: more than one
// 64-row block; rank 2 (a Dense-layer BN).
const CASES: Case[] = [
  { shape: [2, 5, 4, 3], seed: 1 },
  { shape: [3, 7, 6, 8], seed: 2 },
  { shape: [162, 5], seed: 3 },
  { shape: [2, 9, 9, 64], seed: 4 },
];

/** y, mean, variance and the gradients of Σ y·w with respect to x, gamma, beta. */
function run(c: Case, fused: boolean): Record<string, Float32Array> {
  const ch = c.shape.at(-1)!;
  const size = c.shape.reduce((a, b) => a * b, 1);
  const x = tf.tensor(values(size, c.seed), c.shape);
  const gamma = tf.add(tf.tensor1d(values(ch, c.seed + 10)), 1.5);
  const beta = tf.tensor1d(values(ch, c.seed + 20));
  const w = tf.tensor(values(size, c.seed + 30), c.shape);
  const axes = c.shape.slice(0, -1).map((_, i) => i);
  const forward = (xx: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
    if (fused) {
      const r = batchNormTraining(xx, g, b, EPS);
      assert.ok(r, 'the fused op is available on wasm after registerWasmTrainingKernels()');
      return r;
    }
    const { mean, variance } = tf.moments(xx, axes);
    return { y: tf.batchNorm(xx, mean, variance, b, g, EPS), mean, variance };
  };
  const out = forward(x, gamma, beta);
  const grads = tf.grads((xx: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
    const r = forward(xx, g, b);
    if (fused) tf.dispose([r.mean, r.variance]);
    return tf.sum(tf.mul(r.y, w));
  })([x, gamma, beta]);
  const result = {
    y: out.y.dataSync() as Float32Array,
    mean: out.mean.dataSync() as Float32Array,
    variance: out.variance.dataSync() as Float32Array,
    dx: grads[0]!.dataSync() as Float32Array,
    dgamma: grads[1]!.dataSync() as Float32Array,
    dbeta: grads[2]!.dataSync() as Float32Array,
  };
  tf.dispose([x, gamma, beta, w, out.y, out.mean, out.variance, ...grads]);
  return result;
}

for (const simd of [true, false]) {
  test(`fused batch-norm training (${simd ? 'SIMD' : 'JavaScript'} path) matches tf.moments + tf.batchNorm and their gradients on cpu`, async () => {
    await on('wasm', () => registerWasmTrainingKernels());
    for (const c of CASES) {
      const ref = await on('cpu', () => run(c, false));
      setSimdKernelsEnabled(simd);
      try {
        const got = await on('wasm', () => run(c, true));
        for (const key of Object.keys(ref)) assertClose(got[key]!, ref[key]!, `[${c.shape}] ${key}`);
      } finally {
        setSimdKernelsEnabled(true);
      }
    }
  });
}

test('fused batch-norm training: no cancellation for channels far from zero (x = 1000 + small noise)', async () => {
  await on('wasm', () => registerWasmTrainingKernels());
  const shape = [4, 16, 16, 6];
  const size = shape.reduce((a, b) => a * b, 1);
  const noise = values(size, 9);
  const xs = Float32Array.from(noise, (v, i) => 1000 + (i % 6) * 100 + 0.01 * v);
  // Float64 two-pass statistics of exactly these float32 values: the hand reference.
  const mean = new Float64Array(6);
  const variance = new Float64Array(6);
  for (let i = 0; i < size; i++) mean[i % 6] += xs[i]! / (size / 6);
  for (let i = 0; i < size; i++) variance[i % 6] += (xs[i]! - mean[i % 6]!) ** 2 / (size / 6);
  for (const simd of [true, false]) {
    setSimdKernelsEnabled(simd);
    try {
      await on('wasm', async () => {
        await expectNoLeaks(() => {
          const x = tf.tensor(xs, shape);
          const [g, b] = [tf.ones([6]), tf.zeros([6])];
          const r = batchNormTraining(x, g, b, EPS)!;
          const v = r.variance.dataSync();
          const m = r.mean.dataSync();
          for (let j = 0; j < 6; j++) {
            assert.ok(Math.abs(m[j]! - mean[j]!) <= 1e-7 * mean[j]!, `mean[${j}] ${m[j]} vs ${mean[j]}`);
            assert.ok(
              Math.abs(v[j]! - variance[j]!) <= 1e-3 * variance[j]!,
              `variance[${j}] ${v[j]} vs ${variance[j]} (${simd ? 'SIMD' : 'JS'})`,
            );
          }
          tf.dispose([x, g, b, r.y, r.mean, r.variance]);
        }, 'fused batch-norm op');
      });
    } finally {
      setSimdKernelsEnabled(true);
    }
  }
});

test('KerasBatchNormalization in training mode on wasm (fused) equals cpu: output and moving averages', async () => {
  await on('wasm', () => registerWasmTrainingKernels());
  const shape = [3, 5, 5, 7];
  const xs = values(
    shape.reduce((a, b) => a * b, 1),
    21,
  );
  const layerRun = () => {
    const bn = batchNormalization({ scale: false, momentum: 0.9, epsilon: EPS });
    const x = tf.tensor(xs, shape);
    bn.apply(x);
    const y = bn.apply(x, { training: true }) as tf.Tensor;
    const out = {
      y: y.dataSync() as Float32Array,
      mm: bn.getWeights()[1]!.dataSync() as Float32Array,
      mv: bn.getWeights()[2]!.dataSync() as Float32Array,
    };
    tf.dispose([x, y]);
    bn.dispose();
    return out;
  };
  const ref = await on('cpu', layerRun);
  const got = await on('wasm', layerRun);
  assertClose(got.y, ref.y, 'y');
  assertClose(got.mm, ref.mm, 'moving mean');
  assertClose(got.mv, ref.mv, 'moving variance');
});
