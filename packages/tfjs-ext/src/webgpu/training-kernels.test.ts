// @cxrkit-backends: webgpu
// cxrkit's webgpu kernels against the cpu backend, op by op: the convolution filter gradient for every
// conv geometry of InceptionV3, DenseNet and ResNet (plus sizes that split into several chunks), and
// matrix products that tfjs would send to its split-K program (repeatable with the fix, equal to cpu).
// Tolerance 1e-5 · max|cpu| (max-norm relative): one float32 dot product of K ≤ ~10⁴ terms in another
// order differs by ~√K·2⁻²⁴ ≈ 1e-5 at worst; an indexing or padding bug is O(1).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { registerWebGpuTrainingKernels, unregisterWebGpuTrainingKernels } from './index.js';
import { maxNormError, valuesIn } from './test-values.js';

const initial = tf.getBackend();
after(async () => {
  await tf.setBackend(initial);
});

interface ConvCase {
  name: string;
  x: [number, number, number, number];
  k: [number, number];
  co: number;
  s: number;
  pad: 'same' | 'valid';
}

// Every conv geometry InceptionV3, DenseNet-121/169/201 and ResNet-50 use (odd and even sides), and two
// larger ones whose B·Ho·Wo rows split into several chunks.
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
  { name: '7×7 s2 valid (ResNet stem, ZeroPadding2D 3)', x: [1, 18, 17, 3], k: [7, 7], co: 4, s: 2, pad: 'valid' },
  { name: '1×1 s1, 4 chunks', x: [2, 40, 40, 8], k: [1, 1], co: 6, s: 1, pad: 'same' },
  { name: '3×3 s2 valid, 4 chunks (InceptionV3 stem)', x: [2, 69, 65, 3], k: [3, 3], co: 8, s: 2, pad: 'valid' },
];

async function filterGradient(backend: string, c: ConvCase): Promise<Float32Array> {
  await tf.setBackend(backend);
  const [n, h, w, ci] = c.x;
  const filterShape: [number, number, number, number] = [c.k[0], c.k[1], ci, c.co];
  const outShape = tf.backend_util.computeConv2DInfo(c.x, filterShape, c.s, 1, c.pad).outShape;
  const x = tf.tensor4d(valuesIn(n * h * w * ci, 11), c.x);
  const dy = tf.tensor4d(
    valuesIn(
      outShape.reduce((a, b) => a * b),
      37,
    ),
    outShape,
  );
  const attrs = { strides: c.s, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape };
  const dw = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs as never) as tf.Tensor;
  const out = (await dw.data()) as Float32Array;
  tf.dispose([x, dy, dw]);
  return out;
}

test('Conv2DBackpropFilter by matrix products equals cpu for every conv geometry of the 3 architectures', async (t) => {
  unregisterWebGpuTrainingKernels();
  registerWebGpuTrainingKernels({ filterGradient: 'matmul' }); // every case through the new kernel
  let worst = 0;
  for (const c of CONV_CASES) {
    const ref = await filterGradient('cpu', c);
    const got = await filterGradient('webgpu', c);
    const e = maxNormError(got, ref);
    worst = Math.max(worst, e);
    assert.ok(e <= 1e-5, `${c.name}: max-norm relative error ${e.toExponential(2)}`);
  }
  t.diagnostic(`worst max-norm relative error ${worst.toExponential(1)}`);
});

test('the filter-gradient kernel leaves no tensors or GPU buffers behind', async () => {
  unregisterWebGpuTrainingKernels();
  registerWebGpuTrainingKernels({ filterGradient: 'matmul' });
  await filterGradient('webgpu', CONV_CASES[16]!); // warm up
  const backend = tf.backend() as unknown as { numDataIds(): number };
  const before = [tf.memory().numTensors, backend.numDataIds()];
  await filterGradient('webgpu', CONV_CASES[16]!);
  await filterGradient('webgpu', CONV_CASES[13]!);
  assert.deepEqual([tf.memory().numTensors, backend.numDataIds()], before);
});

async function product(backend: string, fused: boolean): Promise<Float32Array> {
  await tf.setBackend(backend);
  // A Dense layer on InceptionV3's 2,048 pooled features, batch 2: tfjs picks split-K here.
  const a = tf.tensor2d(valuesIn(2 * 4096, 5), [2, 4096]);
  const b = tf.tensor2d(valuesIn(4096 * 256, 6), [4096, 256]);
  const bias = tf.tensor1d(valuesIn(256, 7));
  const y = fused ? tf.fused.matMul({ a, b, bias, activation: 'relu' }) : tf.matMul(a, b);
  const out = (await y.data()) as Float32Array;
  tf.dispose([a, b, bias, y]);
  return out;
}

test('matrix products that tfjs would split over K are repeatable bit for bit and equal cpu', async (t) => {
  registerWebGpuTrainingKernels();
  for (const fused of [false, true]) {
    const ref = await product('cpu', fused);
    const runs: Float32Array[] = [];
    for (let i = 0; i < 4; i++) runs.push(await product('webgpu', fused));
    for (const r of runs.slice(1))
      assert.deepEqual(r, runs[0], `${fused ? '_FusedMatMul' : 'BatchMatMul'}: runs differ`);
    const e = maxNormError(runs[0]!, ref);
    assert.ok(e <= 1e-5, `${fused ? '_FusedMatMul' : 'BatchMatMul'}: max-norm relative error ${e.toExponential(2)}`);
  }
  // For the record: tfjs's own split-K program on this driver.
  unregisterWebGpuTrainingKernels();
  const stock = [await product('webgpu', false), await product('webgpu', false), await product('webgpu', false)];
  registerWebGpuTrainingKernels();
  const differing = stock[0]!.filter((v, i) => v !== stock[1]![i] || v !== stock[2]![i]).length;
  t.diagnostic(`tfjs's split-K: ${differing} of ${stock[0]!.length} elements differ across 3 runs`);
});
