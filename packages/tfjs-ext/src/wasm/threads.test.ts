// prepareWasmThreads in a fresh Node process (threads are fixed when the wasm backend initialises,
// and the test runner's process already initialised a backend): the threaded build starts with 2
// XNNPACK threads on this 2-core machine (tfjs alone would give 1), computes the same filter gradient
// as the cpu backend here, runs the SIMD kernels (batch norm, pooling gradients, Adam) on its shared
// memory with cpu-equal results, and the process exits by itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { testOutputDir } from '../../../../test/helpers.js';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-layers'; // registers tfjs-core's gradients for the cpu references

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
// The SIMD kernels on the threaded build's SHARED memory: fused batch norm (and its gradient), pooling
// gradients, fused Adam.
const bx = tf.tensor4d(values(2 * 5 * 5 * 8, 7), [2, 5, 5, 8]);
const bw = tf.tensor4d(values(2 * 5 * 5 * 8, 8), [2, 5, 5, 8]);
const [g, b] = [tf.add(tf.tensor1d(values(8, 9)), 1.5), tf.tensor1d(values(8, 10))];
const bnDx = tf.grad((t) => { const r = m.batchNormTraining(t, g, b, 1e-3); tf.dispose([r.mean, r.variance]); return tf.sum(tf.mul(r.y, bw)); })(bx);
const px = tf.relu(tf.tensor4d(values(2 * 7 * 7 * 8, 11), [2, 7, 7, 8]));
const maxDx = tf.grad((t) => tf.sum(tf.mul(tf.maxPool(t, 3, 2, 'valid'), tf.tensor4d(values(2 * 3 * 3 * 8, 12), [2, 3, 3, 8]))))(px);
const avgDx = tf.grad((t) => tf.sum(tf.mul(tf.avgPool(t, 3, 1, 'same'), tf.tensor4d(values(2 * 7 * 7 * 8, 13), [2, 7, 7, 8]))))(px);
const v = tf.variable(tf.tensor1d(values(37, 14)));
const opt = m.fusedAdam(0.01);
for (let i = 0; i < 3; i++) opt.applyGradients({ [v.name]: tf.mul(v, i + 1) });
console.log('RESULT ' + JSON.stringify({ plan, threads: m.getWasmThreadsCount(), dw: Array.from(dw.dataSync()),
  bnDx: Array.from(bnDx.dataSync()), maxDx: Array.from(maxDx.dataSync()), avgDx: Array.from(avgDx.dataSync()), adam: Array.from(v.dataSync()) }));
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
  assert.equal(
    r.status,
    0,
    `child failed (${r.signal ?? r.status}): ${(r.stderr ?? '')
      .split('\n')
      .filter((l) => !/^\s+at /.test(l) && l.length < 500)
      .join(' ')
      .slice(0, 800)}`,
  );
  const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  assert.ok(line, `no result line in: ${r.stdout.slice(-400)}`);
  const got = JSON.parse(line.slice(7)) as {
    plan: { enabled: boolean; threads: number };
    threads: number;
    dw: number[];
    bnDx: number[];
    maxDx: number[];
    avgDx: number[];
    adam: number[];
  };
  assert.deepEqual(got.plan, { enabled: true, threads: 2 });
  assert.equal(got.threads, 2, 'XNNPACK pool size (tfjs alone caps it at cores/2 = 1 here)');
  const ref = tf.tidy(() => {
    const x = tf.tensor4d(values(2 * 9 * 9 * 5, 3), [...SHAPES.x]);
    const dy = tf.tensor4d(values(2 * 4 * 4 * 6, 5), [...SHAPES.dy]);
    const dw = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, {
      strides: 2,
      pad: 'valid',
      dataFormat: 'NHWC',
      filterShape: SHAPES.filter,
    } as never) as unknown as tf.Tensor;
    return Array.from(dw.dataSync());
  });
  assert.equal(got.dw.length, 3 * 3 * 5 * 6);
  const scale = Math.max(...ref.map(Math.abs));
  const err = Math.max(...got.dw.map((v, i) => Math.abs(v - ref[i]!)));
  assert.ok(err <= 1e-4 * scale, `threaded wasm vs cpu: ${err} > 1e-4 × ${scale}`);

  // The SIMD kernels on shared memory, against tfjs's own ops on cpu.
  const refs = tf.tidy(() => {
    const bx = tf.tensor4d(values(2 * 5 * 5 * 8, 7), [2, 5, 5, 8]);
    const bw = tf.tensor4d(values(2 * 5 * 5 * 8, 8), [2, 5, 5, 8]);
    const [g, b] = [tf.add(tf.tensor1d(values(8, 9)), 1.5), tf.tensor1d(values(8, 10))];
    const bnDx = tf.grad((t: tf.Tensor) => {
      const { mean, variance } = tf.moments(t, [0, 1, 2]);
      return tf.sum(tf.mul(tf.batchNorm(t, mean, variance, b, g, 1e-3), bw));
    })(bx);
    const px = tf.relu(tf.tensor4d(values(2 * 7 * 7 * 8, 11), [2, 7, 7, 8]));
    const maxDx = tf.grad((t: tf.Tensor) =>
      tf.sum(tf.mul(tf.maxPool(t as tf.Tensor4D, 3, 2, 'valid'), tf.tensor4d(values(2 * 3 * 3 * 8, 12), [2, 3, 3, 8]))),
    )(px);
    // tfjs's own AvgPool gradient is wrong at 'same' borders (see avg-pool-grad.ts); the child has the fix registered.
    const avgDx = tf.grad((t: tf.Tensor) =>
      tf.sum(tf.mul(tf.avgPool(t as tf.Tensor4D, 3, 1, 'same'), tf.tensor4d(values(2 * 7 * 7 * 8, 13), [2, 7, 7, 8]))),
    )(px);
    return {
      bnDx: Array.from(bnDx.dataSync()),
      maxDx: Array.from(maxDx.dataSync()),
      avgDx: Array.from(avgDx.dataSync()),
    };
  });
  const close = (a: number[], e: number[], label: string) => {
    const s = Math.max(...e.map(Math.abs));
    const d = Math.max(...a.map((v, i) => Math.abs(v - e[i]!)));
    assert.ok(a.length === e.length && s > 0 && d <= 1e-4 * s, `${label}: threaded wasm vs cpu ${d} > 1e-4 × ${s}`);
  };
  close(got.bnDx, refs.bnDx, 'fused batch-norm gradient');
  close(got.maxDx, refs.maxDx, 'MaxPoolGrad');
  // Only input pixels whose every window is interior (rows/columns 2..4), where tfjs's unfixed AvgPool gradient is right.
  const interior = (a: number[]) =>
    a.filter((_, i) => {
      const r = Math.floor(i / 56) % 7;
      const c = Math.floor(i / 8) % 7;
      return r > 1 && r < 5 && c > 1 && c < 5;
    });
  close(interior(got.avgDx), interior(refs.avgDx), 'AvgPoolGrad (interior)');
  const v = tf.variable(tf.tensor1d(values(37, 14)));
  const opt = tf.train.adam(0.01);
  for (let i = 0; i < 3; i++) tf.tidy(() => opt.applyGradients({ [v.name]: tf.mul(v, i + 1) } as never));
  close(got.adam, Array.from(v.dataSync()), 'fused Adam');
  v.dispose();
  opt.dispose();
});

test('prepareWasmThreads declines cleanly when it cannot apply', async () => {
  const { prepareWasmThreads } = await import('./index.js');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  // An untested tfjs-backend-wasm version: nothing is patched.
  const plan = await prepareWasmThreads({ ...wasm, version_wasm: '9.9.9' } as never, { threads: 2 });
  assert.equal(plan.enabled, false);
  assert.match(plan.reason ?? '', /9\.9\.9/);
});
