// prepareWasmThreads in a fresh Node process (threads are fixed when the wasm backend initialises,
// and the test runner's process already initialised a backend): the threaded build starts with 2
// XNNPACK threads on this 2-core machine (tfjs alone would give 1), computes the same filter gradient
// as the cpu backend here, and the process exits by itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { testOutputDir } from '../../../../test/helpers.js';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';

const INDEX = fileURLToPath(new URL('./index.ts', import.meta.url));
const SHAPES = { x: [2, 9, 9, 5], dy: [2, 4, 4, 6], filter: [3, 3, 5, 6] } as const;

// Same deterministic values in both processes.
const VALUES_SRC = `(n, seed) => { const o = new Float32Array(n); let s = seed >>> 0; for (let i = 0; i < n; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; o[i] = s / 2 ** 31 - 1; } return o; }`;
const values = eval(VALUES_SRC) as (n: number, seed: number) => Float32Array;

const CHILD = `
const tf = await import('@tensorflow/tfjs-core');
const wasm = await import('@tensorflow/tfjs-backend-wasm');
const m = await import(${JSON.stringify(INDEX)});
const values = ${VALUES_SRC};
const plan = await m.prepareWasmThreads(wasm, { threads: 2 });
await tf.setBackend('wasm'); await tf.ready();
m.registerWasmTrainingKernels();
const x = tf.tensor4d(values(2 * 9 * 9 * 5, 3), [2, 9, 9, 5]);
const dy = tf.tensor4d(values(2 * 4 * 4 * 6, 5), [2, 4, 4, 6]);
const dw = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: 2, pad: 'valid', dataFormat: 'NHWC', filterShape: [3, 3, 5, 6] });
console.log('RESULT ' + JSON.stringify({ plan, threads: m.getWasmThreadsCount(), dw: Array.from(dw.dataSync()) }));
`;

test('prepareWasmThreads runs the wasm backend on 2 threads in Node, with the same results', () => {
  // A file, not --eval: worker threads inherit execArgv, and --input-type is refused by workers.
  // Inside the repo (test-output/) so that the child resolves packages from its node_modules.
  mkdirSync(testOutputDir(), { recursive: true });
  const dir = mkdtempSync(join(testOutputDir(), 'wasm-threads-'));
  const script = join(dir, 'child.mjs');
  writeFileSync(script, CHILD);
  const r = spawnSync(process.execPath, ['--conditions=cxrkit-source', '--import', 'tsx', script], {
    encoding: 'utf8',
    timeout: 60_000,
    cwd: fileURLToPath(new URL('../../../..', import.meta.url)),
  });
  rmSync(dir, { recursive: true, force: true });
  assert.equal(r.status, 0, `child failed (${r.signal ?? r.status}): ${(r.stderr ?? '').split('\n').filter((l) => !/^\s+at /.test(l) && l.length < 500).join(' ').slice(0, 800)}`);
  const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  assert.ok(line, `no result line in: ${r.stdout.slice(-400)}`);
  const got = JSON.parse(line.slice(7)) as { plan: { enabled: boolean; threads: number }; threads: number; dw: number[] };
  assert.deepEqual(got.plan, { enabled: true, threads: 2 });
  assert.equal(got.threads, 2, 'XNNPACK pool size (tfjs alone caps it at cores/2 = 1 here)');
  const ref = tf.tidy(() => {
    const x = tf.tensor4d(values(2 * 9 * 9 * 5, 3), [...SHAPES.x]);
    const dy = tf.tensor4d(values(2 * 4 * 4 * 6, 5), [...SHAPES.dy]);
    const dw = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: 2, pad: 'valid', dataFormat: 'NHWC', filterShape: SHAPES.filter } as never) as unknown as tf.Tensor;
    return Array.from(dw.dataSync());
  });
  assert.equal(got.dw.length, 3 * 3 * 5 * 6);
  const scale = Math.max(...ref.map(Math.abs));
  const err = Math.max(...got.dw.map((v, i) => Math.abs(v - ref[i]!)));
  assert.ok(err <= 1e-4 * scale, `threaded wasm vs cpu: ${err} > 1e-4 × ${scale}`);
});

test('prepareWasmThreads declines cleanly when it cannot apply', async () => {
  const { prepareWasmThreads } = await import('./index.js');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  // An untested tfjs-backend-wasm version: nothing is patched.
  const plan = await prepareWasmThreads({ ...wasm, version_wasm: '9.9.9' } as never, { threads: 2 });
  assert.equal(plan.enabled, false);
  assert.match(plan.reason ?? '', /9\.9\.9/);
});
