// @cxrkit-backends: cpu wasm webgpu
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, backendKindFromEnv, isCxrkitError, CxrkitError } from './index.js';

test('the test setup activated the backend named by CXRKIT_BACKEND', async () => {
  const kind = backendKindFromEnv();
  assert.equal(tf.getBackend(), kind);
  // data(), not dataSync(): webgpu in Node cannot read synchronously (tfjs reads through an OffscreenCanvas)
  const t = tf.add(tf.tensor1d([1, 2]), tf.tensor1d([3, 4]));
  const sum = await t.data();
  t.dispose();
  assert.deepEqual(Array.from(sum), [4, 6]);
});

test('an unknown kind is a typed error with a suggestion', async () => {
  await assert.rejects(
    initBackend({ kind: 'wsam' as never }),
    (e: unknown) =>
      isCxrkitError(e, 'BACKEND_UNKNOWN') &&
      /did you mean 'wasm'/.test((e as Error).message) &&
      /"wsam"/.test((e as Error).message),
  );
});

test('a missing backend package names the package and the fix', async () => {
  await assert.rejects(
    initBackend({ kind: 'node-gpu', load: () => import('@tensorflow/tfjs-node-gpu-not-here' as string) }),
    (e: unknown) =>
      e instanceof CxrkitError &&
      e.code === 'BACKEND_NOT_INSTALLED' &&
      e.message.includes('install @tensorflow/tfjs-node-gpu') &&
      e.message.includes('pass `load`'),
  );
});

test('the default loader (no `load`) reports tfjs-node as not installed on this machine', async () => {
  await assert.rejects(initBackend({ kind: 'node' }), (e: unknown) => isCxrkitError(e, 'BACKEND_NOT_INSTALLED'));
  assert.equal(tf.getBackend(), backendKindFromEnv(), 'a failed init must leave the active backend alone');
});

test('CXRKIT_BACKEND with a typo is refused', () => {
  assert.throws(
    () => backendKindFromEnv({ CXRKIT_BACKEND: 'cpuu' }),
    (e: unknown) => isCxrkitError(e, 'BACKEND_UNKNOWN'),
  );
  assert.equal(backendKindFromEnv({}), 'cpu');
});
