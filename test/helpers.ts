// Shared helpers for tests across packages: where the real data lives, and a tensor-leak check.
import * as tf from '@tensorflow/tfjs-core';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';

/** Repository root (the folder holding the root package.json). */
export const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/** `../shared/data` beside the checkout, or `$CXRKIT_DATA` when set. */
export function sharedDataRoot(): string {
  return process.env.CXRKIT_DATA ? resolve(process.env.CXRKIT_DATA) : resolve(repoRoot, '..', 'shared', 'data');
}

/** The shared real data as a test sees it: where it is, and whether it can be used. */
export interface SharedData {
  /** The data folder (whether or not it exists). */
  root: string;
  /** Why tests that need the data must skip (pass it as `{ skip: data.missing }`), or false when present. */
  missing: string | false;
  /** A path inside the data folder; never throws (a skipped test never reads it). */
  path(...parts: string[]): string;
}

/**
 * The shared real data (`../shared/data` or `$CXRKIT_DATA`) and, when it or one of the `required` sub-paths
 * is absent, the reason to skip: `test('…', { skip: data.missing }, …)`. A fresh clone has no shared data;
 * its data tests are reported as skipped with this reason, never as passed.
 */
export function sharedData(...required: string[]): SharedData {
  const root = sharedDataRoot();
  const absent = [root, ...required.map((p) => join(root, p))].find((p) => !existsSync(p));
  const where = '../shared/data beside the checkout, or set CXRKIT_DATA';
  const missing = absent === undefined ? false : `shared real data not found: ${absent} (${where})`;
  return { root, missing, path: sharedPath };
}

/**
 * A path inside the shared data that never throws, for tests that check the files they need with `existsSync`
 * and skip with the reason when they are absent (module-level paths of a fresh clone without `../shared`).
 */
export function sharedPath(...parts: string[]): string {
  return join(sharedDataRoot(), ...parts);
}

/** `../shared/data` beside the checkout, or `$CXRKIT_DATA`. Throws a clear error when absent. */
export function dataDir(...parts: string[]): string {
  const base = sharedDataRoot();
  if (!existsSync(base))
    throw new Error(`shared data not found at ${base}: set CXRKIT_DATA to the folder holding dicom/ and cxr/`);
  return join(base, ...parts);
}

/** Folder with the in-repo fixtures (synthetic radiographs, one DICOM per transfer syntax): always present. */
export function fixtureDir(...parts: string[]): string {
  return join(repoRoot, 'test', 'fixtures', ...parts);
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
