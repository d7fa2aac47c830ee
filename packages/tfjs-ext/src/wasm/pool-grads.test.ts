// Pooling gradients: cxrkit's wasm MaxPoolGrad/AvgPoolGrad against the cpu backend (1e-4 max-norm
// relative, with ties from ReLU zeros, which decide where a max-pool gradient goes), and the AvgPool
// gradient fix for 'same' padding against a hand calculation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from './index.js';
import { setSimdKernelsEnabled } from './simd/index.js';
import { restoreBackendAfterTests, values } from './test-values.js';

restoreBackendAfterTests();

interface PoolCase {
  name: string;
  op: 'max' | 'avg';
  x: [number, number, number, number];
  size: number;
  stride: number;
  pad: 'same' | 'valid';
}

// InceptionV3: max 3×3/2 valid, avg 3×3/1 same; ResNet/DenseNet stems: max 3×3/2 valid (after
// ZeroPadding2D); DenseNet transitions: avg 2×2/2 valid; plus 'same' max pooling and odd/even sides.
const CASES: PoolCase[] = [
  { name: 'max 3×3/2 valid odd', op: 'max', x: [2, 11, 9, 5], size: 3, stride: 2, pad: 'valid' },
  { name: 'max 3×3/2 valid even', op: 'max', x: [2, 10, 12, 3], size: 3, stride: 2, pad: 'valid' },
  { name: 'max 3×3/1 same', op: 'max', x: [1, 7, 6, 4], size: 3, stride: 1, pad: 'same' },
  { name: 'max 2×2/2 same', op: 'max', x: [2, 7, 7, 3], size: 2, stride: 2, pad: 'same' },
  { name: 'avg 3×3/1 same', op: 'avg', x: [2, 8, 7, 5], size: 3, stride: 1, pad: 'same' },
  { name: 'avg 2×2/2 valid', op: 'avg', x: [2, 8, 10, 4], size: 2, stride: 2, pad: 'valid' },
  { name: 'avg 3×3/2 valid', op: 'avg', x: [1, 9, 9, 3], size: 3, stride: 2, pad: 'valid' },
  // 9 and 12 channels: whole SIMD lanes (and a tail) in the SIMD kernels
  { name: 'max 3×3/2 valid, 9 channels', op: 'max', x: [2, 9, 8, 9], size: 3, stride: 2, pad: 'valid' },
  { name: 'avg 3×3/1 same, 12 channels', op: 'avg', x: [2, 6, 7, 12], size: 3, stride: 1, pad: 'same' },
];

function poolGrad(c: PoolCase): Float32Array {
  return tf.tidy(() => {
    // ReLU'd values: about half are exact zeros, so windows have ties.
    const x = tf.relu(
      tf.tensor4d(
        values(
          c.x.reduce((a, b) => a * b),
          29,
        ),
        c.x,
      ),
    );
    const f = (t: tf.Tensor) => {
      const y =
        c.op === 'max'
          ? tf.maxPool(t as tf.Tensor4D, c.size, c.stride, c.pad)
          : tf.avgPool(t as tf.Tensor4D, c.size, c.stride, c.pad);
      return tf.sum(tf.mul(y, tf.tensor(values(y.size, 31), y.shape)));
    };
    return tf.grad(f)(x).dataSync() as Float32Array;
  });
}

for (const simd of [true, false]) {
  test(`MaxPoolGrad and AvgPoolGrad on wasm (${simd ? 'SIMD' : 'JavaScript'}) match cpu, ties included`, async () => {
    registerWasmTrainingKernels();
    for (const c of CASES) {
      await tf.setBackend('cpu');
      const ref = poolGrad(c);
      await tf.setBackend('wasm');
      setSimdKernelsEnabled(simd);
      let got: Float32Array;
      try {
        got = poolGrad(c);
      } finally {
        setSimdKernelsEnabled(true);
      }
      const scale = Math.max(...ref.map(Math.abs));
      const err = Math.max(...got.map((v, i) => Math.abs(v - ref[i]!)));
      assert.ok(scale > 0 && err <= 1e-4 * scale, `${c.name}: max |wasm − cpu| = ${err} (scale ${scale})`);
      // Max pooling routes each gradient to one position (the first maximum, as tfjs-cpu): the same
      // positions receive gradient (values may differ in the last bits: overlapping windows sum in
      // another order on cpu).
      if (c.op === 'max')
        assert.deepEqual(
          Array.from(got, (v) => v !== 0),
          Array.from(ref, (v) => v !== 0),
          `${c.name}: same positions as cpu`,
        );
    }
  });
}

test("AvgPool's gradient with 'same' padding is exact at the borders, on cpu and wasm", async () => {
  registerWasmTrainingKernels();
  // d/dx Σ avgPool3×3/1/same(x) on a 3×3 image: pixel i gets Σ over windows containing it of 1/count,
  // count = in-bounds pixels of the window (4 at corners, 6 at edges, 9 in the middle). By hand:
  // corner 1/4+1/6+1/6+1/9 = 25/36, edge 2/4+2/6+1/6+1/9 = 10/9, centre 4/4+4/6+1/9 = 16/9.
  const c = 25 / 36;
  const e = 10 / 9;
  const m = 16 / 9;
  const expected = [c, e, c, e, m, e, c, e, c];
  for (const backend of ['cpu', 'wasm']) {
    await tf.setBackend(backend);
    const g = tf.tidy(() =>
      tf
        .grad((t: tf.Tensor) => tf.sum(tf.avgPool(t as tf.Tensor4D, 3, 1, 'same')))(
          tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]),
        )
        .dataSync(),
    );
    Array.from(g).forEach((v, i) =>
      assert.ok(Math.abs(v - expected[i]!) < 1e-6, `${backend} pixel ${i}: ${v} vs ${expected[i]}`),
    );
  }
});
