// Shared helpers for tests across packages: where the real data lives, and a tensor-leak check.
import * as tf from '@tensorflow/tfjs-core';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';

/** Repository root (the folder holding the root package.json). */
export const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/** `../shared/data` beside the checkout, or `$CXRKIT_DATA`. Throws a clear error when absent. */
export function dataDir(...parts: string[]): string {
  const base = process.env.CXRKIT_DATA ? resolve(process.env.CXRKIT_DATA) : resolve(repoRoot, '..', 'shared', 'data');
  if (!existsSync(base)) throw new Error(`shared data not found at ${base}: set CXRKIT_DATA to the folder holding dicom/ and cxr/`);
  return join(base, ...parts);
}

/** Folder for files a test writes for people to look at (ignored by git). */
export function testOutputDir(...parts: string[]): string {
  return join(repoRoot, 'test-output', ...parts);
}

/** Runs `fn` and returns its result, asserting that it leaves no new tensors behind. */
export async function expectNoLeaks<T>(fn: () => T | Promise<T>, label = 'operation'): Promise<T> {
  const before = tf.memory().numTensors;
  const out = await fn();
  const after = tf.memory().numTensors;
  if (after !== before) throw new Error(`${label} leaked ${after - before} tensor(s) (${before} → ${after})`);
  return out;
}
