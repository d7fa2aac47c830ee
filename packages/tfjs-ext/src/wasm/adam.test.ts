// The fused Adam update (wasm; SIMD and plain JavaScript) against tfjs's own AdamOptimizer on the same
// backend, step by step, and against tfjs-cpu. tfjs computes each operation in float32 (IEEE, no fused
// multiply-add on wasm), and the kernel repeats those operations in the same order, so on wasm the
// results must be bit-identical; the cpu backend runs the same float32 arithmetic too.
// Runs once, whatever CXRKIT_BACKEND the runner set (both backends imported; tf.setBackend switches).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from './index.js';
import { FusedAdamOptimizer, fusedAdam } from './adam.js';
import { setSimdKernelsEnabled } from './simd/index.js';
import { on, restoreBackendAfterTests, values } from './test-values.js';
import { expectNoLeaks } from '../../../../test/helpers.js';

restoreBackendAfterTests();

// Sizes 4k+1 (SIMD lanes and a scalar tail), 3 (tail only), and a matrix; 6 steps of a quadratic loss
// with a fixed per-step gradient scale so moments and bias corrections all move.
const SHAPES = [[37], [3], [8, 5]];

async function runSteps(optimizer: tf.Optimizer): Promise<{ weights: Float32Array[]; slots: Float32Array[] }> {
  const vars = SHAPES.map((s, i) =>
    tf.variable(
      tf.tensor(
        values(
          s.reduce((a, b) => a * b, 1),
          40 + i,
        ),
        s,
      ),
      true,
      `adam_test_${i}_${Math.random()}`,
    ),
  );
  const targets = SHAPES.map((s, i) =>
    tf.tensor(
      values(
        s.reduce((a, b) => a * b, 1),
        50 + i,
      ),
      s,
    ),
  );
  for (let step = 0; step < 6; step++) {
    tf.tidy(() => {
      const { grads } = tf.variableGrads(
        () => tf.addN(vars.map((v, i) => tf.mul(tf.sum(tf.square(tf.sub(v, targets[i]!))), step + 1))) as tf.Scalar,
        vars,
      );
      optimizer.applyGradients(grads);
    });
  }
  const weights = vars.map((v) => v.dataSync() as Float32Array);
  const slots = (await optimizer.getWeights()).slice(1).map((w) => w.tensor.dataSync() as Float32Array);
  tf.dispose([...vars, ...targets]);
  return { weights, slots };
}

for (const simd of [true, false]) {
  test(`fused Adam (${simd ? 'SIMD' : 'JavaScript'} path) is bit-identical to tfjs's AdamOptimizer on wasm and equal to it on cpu`, async () => {
    await on('wasm', () => registerWasmTrainingKernels());
    assert.ok(tf.getKernel('CxrkitAdam', 'wasm'), 'the fused kernel is registered, so the fused path runs');
    const cpu = await on('cpu', () => runSteps(tf.train.adam(0.01)));
    const stock = await on('wasm', () => runSteps(tf.train.adam(0.01)));
    setSimdKernelsEnabled(simd);
    try {
      const fused = await on('wasm', () => runSteps(fusedAdam(0.01)));
      assert.equal(fused.slots.length, 2 * SHAPES.length, 'first and second moments of every variable');
      fused.weights.forEach((w, i) =>
        assert.deepEqual(Array.from(w), Array.from(stock.weights[i]!), `weights ${i} (wasm)`),
      );
      fused.slots.forEach((w, i) => assert.deepEqual(Array.from(w), Array.from(stock.slots[i]!), `slot ${i} (wasm)`));
      fused.weights.forEach((w, i) =>
        w.forEach((x, j) => assert.ok(Math.abs(x - cpu.weights[i]![j]!) <= 1e-6, `weights ${i}[${j}] vs cpu`)),
      );
    } finally {
      setSimdKernelsEnabled(true);
    }
  });
}

test('FusedAdamOptimizer serialises as Adam, keeps tfjs behaviour off wasm, and leaks nothing', async () => {
  const opt = fusedAdam(0.002, 0.8, 0.99, 1e-6);
  assert.ok(opt instanceof tf.AdamOptimizer);
  assert.equal(opt.getClassName(), 'Adam');
  assert.deepEqual(opt.getConfig(), tf.train.adam(0.002, 0.8, 0.99, 1e-6).getConfig());
  const cpuFused = await on('cpu', () =>
    runSteps(new FusedAdamOptimizer(0.01, 0.9, 0.999, undefined as unknown as number)),
  );
  const cpuStock = await on('cpu', () => runSteps(tf.train.adam(0.01)));
  cpuFused.weights.forEach((w, i) => assert.deepEqual(Array.from(w), Array.from(cpuStock.weights[i]!)));
  await on('wasm', async () => {
    registerWasmTrainingKernels();
    const v = tf.variable(tf.ones([5]));
    const o = fusedAdam(0.1);
    o.applyGradients({ [v.name]: tf.ones([5]) } as never); // creates the slots (kept), then steady state:
    await expectNoLeaks(() => tf.tidy(() => o.applyGradients({ [v.name]: tf.ones([5]) } as never)), 'fused Adam step');
    o.dispose();
    v.dispose();
  });
});
