// Test helpers for the wasm kernel tests (not exported from the package).
import { after } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { setSimdKernelsEnabled } from './simd/index.js';

/** Deterministic pseudo-random values in [-1, 1) from a 32-bit LCG (no dependence on either backend's RNG). */
export function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** Restores the runner's backend (and the SIMD kernels) after the file's tests, which switch backends. */
export function restoreBackendAfterTests(): void {
  const initial = tf.getBackend();
  after(async () => {
    setSimdKernelsEnabled(true);
    await tf.setBackend(initial);
  });
}

/** Runs `fn` on `backend` (both cpu and wasm are imported by these tests). */
export async function on<T>(backend: string, fn: () => T | Promise<T>): Promise<T> {
  await tf.setBackend(backend);
  await tf.ready();
  return fn();
}

/**
 * max|actual − expected| ≤ tol · max|expected| (max-norm relative error; element-wise relative error is
 * meaningless for gradients with entries that cancel to ~0). See training-kernels.test.ts for the 1e-4.
 */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, label: string, tol = 1e-4): void {
  assert.equal(actual.length, expected.length, `${label}: length`);
  let maxRef = 0;
  let maxErr = 0;
  for (let i = 0; i < expected.length; i++) {
    maxRef = Math.max(maxRef, Math.abs(expected[i]!));
    maxErr = Math.max(maxErr, Math.abs(actual[i]! - expected[i]!));
  }
  assert.ok(maxRef > 0, `${label}: reference is all zeros (test would be vacuous)`);
  assert.ok(
    maxErr <= tol * maxRef,
    `${label}: max |wasm − cpu| = ${maxErr.toExponential(2)} > ${tol} × ${maxRef.toExponential(2)}`,
  );
}
