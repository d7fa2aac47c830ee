// Gradients of the wasm training kernels against tfjs's cpu backend, in one process (both backends
// imported; tf.setBackend switches). Runs once, whatever CXRKIT_BACKEND the runner set.
//
// Tolerance: max|wasm − cpu| ≤ 1e-4 · max|cpu| per gradient tensor (max-norm relative error). Both
// backends compute in float32 but sum in different orders (XNNPACK GEMM tiles vs the cpu kernels'
// loops); the rounding difference of a K-term float32 dot product is ~√K·2⁻²⁴ ≈ 1e-6 relative to
// the tensor's scale for the K ≤ 2,000 used here, so 1e-4 leaves two orders of margin for the deeper
// compositions (BN through moments, whole models) while still catching any indexing/padding bug,
// which shows up as O(1) relative error. Element-wise relative error is not used: gradients have
// entries that cancel to ~0, where it is meaningless.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels, unregisterWasmTrainingKernels } from './index.js';
import { assertClose, on, restoreBackendAfterTests, values } from './test-values.js';

restoreBackendAfterTests();

type Pad = 'same' | 'valid';
interface ConvCase {
  name: string;
  x: [number, number, number, number];
  k: [number, number];
  co: number;
  s: number;
  pad: Pad;
}

// Every conv geometry InceptionV3, DenseNet-121/169/201 and ResNet-50 use (odd and even input sides).
const CONV_CASES: ConvCase[] = [
  { name: '1×1 s1 same', x: [2, 6, 5, 7], k: [1, 1], co: 5, s: 1, pad: 'same' },
  { name: '1×1 s1 valid', x: [2, 6, 6, 9], k: [1, 1], co: 4, s: 1, pad: 'valid' },
  { name: '1×1 s2 valid (ResNet shortcut)', x: [2, 8, 7, 6], k: [1, 1], co: 5, s: 2, pad: 'valid' },
  { name: '3×3 s1 same', x: [2, 7, 6, 5], k: [3, 3], co: 6, s: 1, pad: 'same' },
  { name: '3×3 s1 valid', x: [2, 9, 8, 4], k: [3, 3], co: 3, s: 1, pad: 'valid' },
  { name: '3×3 s2 valid odd', x: [2, 9, 11, 4], k: [3, 3], co: 5, s: 2, pad: 'valid' },
  { name: '3×3 s2 valid even', x: [1, 10, 8, 3], k: [3, 3], co: 4, s: 2, pad: 'valid' },
  { name: '3×3 s2 same', x: [2, 8, 9, 3], k: [3, 3], co: 4, s: 2, pad: 'same' },
  { name: '5×5 s1 same', x: [2, 8, 7, 3], k: [5, 5], co: 4, s: 1, pad: 'same' },
  { name: '1×7 s1 same', x: [2, 9, 9, 4], k: [1, 7], co: 3, s: 1, pad: 'same' },
  { name: '7×1 s1 same', x: [2, 9, 9, 4], k: [7, 1], co: 3, s: 1, pad: 'same' },
  { name: '1×3 s1 same', x: [2, 6, 5, 4], k: [1, 3], co: 3, s: 1, pad: 'same' },
  { name: '3×1 s1 same', x: [2, 6, 5, 4], k: [3, 1], co: 3, s: 1, pad: 'same' },
  { name: '7×7 s2 same (DenseNet stem)', x: [2, 16, 15, 3], k: [7, 7], co: 4, s: 2, pad: 'same' },
  { name: '7×7 s2 valid (ResNet stem after ZeroPadding2D 3)', x: [1, 18, 17, 3], k: [7, 7], co: 4, s: 2, pad: 'valid' },
];

function convGrads(c: ConvCase): { dw: Float32Array; dx: Float32Array } {
  return tf.tidy(() => {
    const [n, h, w, ci] = c.x;
    const x = tf.tensor4d(values(n * h * w * ci, 11), c.x);
    const filterShape: [number, number, number, number] = [c.k[0], c.k[1], ci, c.co];
    const filter = tf.tensor4d(
      values(
        filterShape.reduce((a, b) => a * b),
        23,
      ),
      filterShape,
    );
    const yShape = tf.conv2d(x, filter, c.s, c.pad).shape;
    const dy = tf.tensor4d(
      values(
        yShape.reduce((a, b) => a * b),
        37,
      ),
      yShape,
    );
    const attrs = { strides: c.s, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: undefined };
    const dw = tf
      .engine()
      .runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape } as never) as tf.Tensor;
    const dx = tf
      .engine()
      .runKernel('Conv2DBackpropInput', { dy, filter }, { ...attrs, inputShape: c.x } as never) as tf.Tensor;
    return { dw: dw.dataSync() as Float32Array, dx: dx.dataSync() as Float32Array };
  });
}

test('Conv2DBackpropFilter/Input on wasm match cpu for every conv geometry of InceptionV3, DenseNet, ResNet', async () => {
  registerWasmTrainingKernels();
  for (const c of CONV_CASES) {
    const ref = await on('cpu', () => convGrads(c));
    const got = await on('wasm', () => convGrads(c));
    assertClose(got.dw, ref.dw, `${c.name}: filter gradient`);
    assertClose(got.dx, ref.dx, `${c.name}: input gradient`);
  }
});

test('the wasm kernels leave no tensors or heap buffers behind', async () => {
  registerWasmTrainingKernels();
  await on('wasm', () => {
    convGrads(CONV_CASES[5]!); // warm up
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const ids = backend.numDataIds();
    const tensors = tf.memory().numTensors;
    for (const c of CONV_CASES) convGrads(c);
    assert.equal(tf.memory().numTensors, tensors);
    assert.equal(backend.numDataIds(), ids);
  });
});

/** The gradient of Σ(R ⊙ batchNorm-in-training(x)) w.r.t. x, γ, β, computed as tfjs-layers / cxrkit's BN layer do. */
function bnGrads(shape: number[], withScale: boolean): Float32Array[] {
  return tf.tidy(() => {
    const c = shape[shape.length - 1]!;
    const size = shape.reduce((a, b) => a * b);
    const x = tf.add(tf.mul(tf.tensor(values(size, 5), shape), 3), 1.5);
    const r = tf.tensor(values(size, 7), shape);
    const gamma = tf.add(tf.tensor1d(values(c, 9)), 1.2);
    const beta = tf.tensor1d(values(c, 13));
    const axes = shape.slice(0, -1).map((_, i) => i);
    const f = (xx: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
      const { mean, variance } = tf.moments(xx, axes);
      // scale: false is fed as a constant ones vector, as cxrkit's KerasBatchNormalization does (tfjs-core
      // cannot differentiate batchNorm with an undefined scale).
      return tf.sum(tf.mul(r, tf.batchNorm(xx, mean, variance, b, withScale ? g : tf.onesLike(g), 1e-3)));
    };
    return tf
      .grads(f)([x, gamma, beta])
      .map((t) => t.dataSync() as Float32Array);
  });
}

test('batch-norm gradient in training mode (with and without scale, 4-D and 2-D) matches cpu', async () => {
  registerWasmTrainingKernels();
  for (const [shape, withScale] of [
    [[2, 5, 4, 6], true],
    [[2, 5, 4, 6], false],
    [[3, 7, 5, 2], true],
    [[8, 5], true],
  ] as const) {
    const ref = await on('cpu', () => bnGrads([...shape], withScale));
    const got = await on('wasm', () => bnGrads([...shape], withScale));
    const names = ['x', 'gamma', 'beta'];
    got.forEach((g, i) => {
      if (!withScale && i === 1) return; // γ unused: its gradient is zero on both
      assertClose(g, ref[i]!, `BN ${shape.join('×')} scale=${withScale}: d${names[i]}`);
    });
  }
});

test('registration is wasm-only, idempotent and reversible', async () => {
  unregisterWasmTrainingKernels();
  const cpuBefore = await on('cpu', () => bnGrads([2, 3, 3, 4], true).map((a) => Array.from(a)));
  assert.equal(tf.getKernel('Conv2DBackpropFilter', 'wasm'), undefined);
  assert.equal(registerWasmTrainingKernels(), true);
  assert.equal(registerWasmTrainingKernels(), false);
  assert.ok(tf.getKernel('Conv2DBackpropFilter', 'wasm'));
  // cpu keeps its own kernels and, bit for bit, its own BN gradient.
  assert.notEqual(
    tf.getKernel('Conv2DBackpropInput', 'cpu')?.kernelFunc,
    tf.getKernel('Conv2DBackpropInput', 'wasm')?.kernelFunc,
  );
  const cpuAfter = await on('cpu', () => bnGrads([2, 3, 3, 4], true).map((a) => Array.from(a)));
  assert.deepEqual(cpuAfter, cpuBefore);
  assert.equal(unregisterWasmTrainingKernels(), true);
  assert.equal(tf.getKernel('Conv2DBackpropFilter', 'wasm'), undefined);
  assert.ok(tf.getKernel('Conv2DBackpropInput', 'wasm'), "tfjs's own wasm Conv2DBackpropInput is restored");
  registerWasmTrainingKernels();
});
