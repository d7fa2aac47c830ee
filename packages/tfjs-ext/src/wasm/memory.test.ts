// The wasm heap limit: the pre-flight estimate (hand-computed on a tiny model), the typed error, and
// the runtime guard that turns a failed wasm allocation into WASM_OUT_OF_MEMORY while the backend
// stays usable. Runs once and switches to wasm itself (the guard test fills the 4 GiB heap).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { isCxrkitError } from '@cxrkit/core';
import {
  WASM_HEAP_LIMIT_BYTES,
  WASM_TRAIN_BYTES_PER_ACTIVATION,
  assertWasmTrainingFits,
  estimateWasmTrainingMemory,
  installWasmMemoryGuard,
  isWasmOutOfMemoryError,
} from './index.js';

const initial = tf.getBackend();
after(async () => {
  await tf.setBackend(initial);
});

/** input [h, w, 3] → conv 3×3 same, 4 filters (+bias). */
function tinyConv(h: number, w: number): tfl.LayersModel {
  const inp = tfl.input({ shape: [h, w, 3] });
  const out = tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same' }).apply(inp) as tfl.SymbolicTensor;
  return tfl.model({ inputs: inp, outputs: out });
}

test('the estimate is Σ layer outputs × batch × bytes/activation + 16 B/parameter + 256 MiB', () => {
  const model = tinyConv(10, 10);
  const est = estimateWasmTrainingMemory(model, 3);
  // By hand: input 10·10·3 = 300 and conv output 10·10·4 = 400 floats per sample; 3·3·3·4 + 4 = 112 parameters.
  assert.equal(est.activationsPerSample, 700);
  assert.equal(est.params, 112);
  assert.equal(est.bytes, 112 * 16 + 256 * 2 ** 20 + 700 * 3 * WASM_TRAIN_BYTES_PER_ACTIVATION);
  assert.equal(est.limitBytes, WASM_HEAP_LIMIT_BYTES);
});

test('a configuration that cannot fit is a typed WASM_OUT_OF_MEMORY error naming the batch that fits (wasm only)', async () => {
  // 2048×2048×(3+4) = 29.4 M floats/sample → ×14 B ≈ 0.41 GB/sample; (4,294,901,760 − 1,792 − 256 MiB) /
  // 411,041,792 = 9.8: batch 9 fits, batch 16 cannot.
  const model = tinyConv(2048, 2048);
  const { maxBatchSize } = estimateWasmTrainingMemory(model, 1);
  assert.equal(
    maxBatchSize,
    Math.floor(
      (WASM_HEAP_LIMIT_BYTES - 112 * 16 - 256 * 2 ** 20) / (2048 * 2048 * 7 * WASM_TRAIN_BYTES_PER_ACTIVATION),
    ),
  );
  assert.equal(maxBatchSize, 9);
  await tf.setBackend('cpu');
  assert.doesNotThrow(() => assertWasmTrainingFits(model, 16), 'no-op on cpu');
  await tf.setBackend('wasm');
  assert.doesNotThrow(() => assertWasmTrainingFits(model, maxBatchSize));
  assert.throws(
    () => assertWasmTrainingFits(model, 16),
    (e: unknown) =>
      isCxrkitError(e, 'WASM_OUT_OF_MEMORY') &&
      isWasmOutOfMemoryError(e) &&
      (e as Error).message.includes(
        `batchSize ${maxBatchSize} with accumulationSteps ${Math.ceil(16 / maxBatchSize)}`,
      ) &&
      (e as { received: { maxBatchSize: number } }).received.maxBatchSize === maxBatchSize,
  );
});

test('an allocation beyond the 4 GiB heap throws WASM_OUT_OF_MEMORY and the backend keeps working', async () => {
  await tf.setBackend('wasm');
  assert.equal(installWasmMemoryGuard(), true);
  const held: tf.Tensor[] = [];
  let error: unknown;
  try {
    for (let i = 0; i < 8; i++) held.push(tf.fill([256, 1024, 1024], 1)); // 1 GiB each
  } catch (e) {
    error = e;
  }
  assert.ok(isCxrkitError(error, 'WASM_OUT_OF_MEMORY'), `expected WASM_OUT_OF_MEMORY, got ${String(error)}`);
  assert.ok(held.length >= 1 && held.length < 4, `${held.length} GiB tensors fitted`);
  tf.dispose(held);
  const sum = tf.tidy(() => tf.sum(tf.add(tf.ones([1000]), tf.ones([1000]))).dataSync()[0]);
  assert.equal(sum, 2000);
});
