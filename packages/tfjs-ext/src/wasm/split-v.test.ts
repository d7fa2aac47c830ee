// SplitV on wasm (heap row copies) against tf.split on the cpu backend, for every axis, equal and
// explicit (with −1) sizes, float32 and int32, and the gradient of a Concatenate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from './index.js';
import { on, restoreBackendAfterTests, values } from './test-values.js';
import { expectNoLeaks } from '../../../../test/helpers.js';

restoreBackendAfterTests();

const CASES: Array<{ shape: number[]; splits: number | number[]; axis: number; dtype: 'float32' | 'int32' }> = [
  { shape: [2, 3, 4, 10], splits: [3, 5, 2], axis: 3, dtype: 'float32' },
  { shape: [2, 3, 4, 10], splits: [3, -1, 2], axis: -1, dtype: 'float32' },
  { shape: [2, 6, 4, 5], splits: 3, axis: 1, dtype: 'float32' },
  { shape: [4, 3, 4, 5], splits: [1, 3], axis: 0, dtype: 'int32' },
  { shape: [2, 3, 8, 5], splits: [4, 4], axis: 2, dtype: 'float32' },
];

test('SplitV on wasm equals tf.split on cpu (every axis, sizes with −1, int32)', async () => {
  await on('wasm', () => registerWasmTrainingKernels());
  for (const c of CASES) {
    const n = c.shape.reduce((a, b) => a * b, 1);
    const data = c.dtype === 'int32' ? Int32Array.from(values(n, 7), (v) => Math.round(v * 1000)) : values(n, 7);
    const split = () =>
      tf.tidy(() =>
        tf
          .split(tf.tensor(data, c.shape, c.dtype), c.splits, c.axis)
          .map((t) => ({ shape: t.shape, data: Array.from(t.dataSync()) })),
      );
    const want = await on('cpu', split);
    const got = await on('wasm', split);
    assert.deepEqual(got, want, `split [${c.shape}] ${JSON.stringify(c.splits)} axis ${c.axis}`);
  }
});

test('the gradient of a channel Concatenate (a SplitV) on wasm equals cpu, without leaks', async () => {
  await on('wasm', () => registerWasmTrainingKernels());
  const grads = () =>
    tf.tidy(() => {
      const a = tf.tensor(values(2 * 5 * 5 * 3, 1), [2, 5, 5, 3]);
      const b = tf.tensor(values(2 * 5 * 5 * 6, 2), [2, 5, 5, 6]);
      const w = tf.tensor(values(2 * 5 * 5 * 9, 3), [2, 5, 5, 9]);
      return tf
        .grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.concat([x, y], 3), w)))([a, b])
        .map((g) => Array.from(g.dataSync()));
    });
  const want = await on('cpu', grads);
  const got = await on('wasm', async () => {
    let r: number[][] = [];
    await expectNoLeaks(() => {
      r = grads();
    }, 'concat gradient');
    return r;
  });
  assert.deepEqual(got, want);
});
