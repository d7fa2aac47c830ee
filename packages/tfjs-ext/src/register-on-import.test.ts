// Importing @cxrkit/tfjs-ext is the only set-up: in a fresh Node process, `model.fit` of a small CNN on
// the wasm backend works with no registerWasmTrainingKernels() call — whether the wasm backend starts
// after the import (the setup hook) or was running before it — while stock tfjs 4.22 throws for the
// missing Conv2DBackpropFilter. Nothing is written to stdout/stderr by the registration (tfjs warns on
// a kernel registered twice; cxrkit's never is).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, testOutputDir } from '../../../test/helpers.js';

const FIT = `
const tfl = await import('@tensorflow/tfjs-layers');
const inp = tfl.input({ shape: [8, 8, 1] });
const init = (seed) => tfl.initializers.glorotUniform({ seed });
const conv = tfl.layers.conv2d({
  filters: 3, kernelSize: 3, padding: 'same',
  activation: 'relu', kernelInitializer: init(1),
});
let h = conv.apply(inp);
h = tfl.layers.averagePooling2d({ poolSize: 3, strides: 1, padding: 'same' }).apply(h);
h = tfl.layers.globalAveragePooling2d({}).apply(h);
const out = tfl.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: init(2) }).apply(h);
const model = tfl.model({ inputs: inp, outputs: out });
model.compile({ optimizer: tf.train.adam(1e-2), loss: 'binaryCrossentropy' });
const x = tf.randomUniform([6, 8, 8, 1], -1, 1, 'float32', 3);
const y = tf.tensor2d([0, 1, 0, 1, 0, 1], [6, 1]);
let result;
try {
  const h = await model.fit(x, y, { epochs: 2, batchSize: 3, shuffle: false, verbose: 0 });
  result = { ok: true, loss: h.history.loss };
} catch (e) {
  result = { ok: false, error: String(e.message ?? e) };
}
`;

const SCENARIOS = {
  // the usual order: cxrkit imported, then the backend injected and started
  'import, then start wasm': `
const tf = await import('@tensorflow/tfjs-core');
const ext = await import('@cxrkit/tfjs-ext');
await import('@tensorflow/tfjs-backend-wasm');
await tf.setBackend('wasm'); await tf.ready();
${FIT}
result.registered = ext.wasmTrainingKernelsRegistered();
result.filterKernel = tf.getKernel('Conv2DBackpropFilter', 'wasm') !== undefined;
`,
  'start wasm, then import': `
const tf = await import('@tensorflow/tfjs-core');
await import('@tensorflow/tfjs-backend-wasm');
await tf.setBackend('wasm'); await tf.ready();
const ext = await import('@cxrkit/tfjs-ext');
${FIT}
result.registered = ext.wasmTrainingKernelsRegistered();
result.filterKernel = tf.getKernel('Conv2DBackpropFilter', 'wasm') !== undefined;
`,
  'stock tfjs 4.22': `
const tf = await import('@tensorflow/tfjs-core');
await import('@tensorflow/tfjs-backend-wasm');
await tf.setBackend('wasm'); await tf.ready();
${FIT}
result.filterKernel = tf.getKernel('Conv2DBackpropFilter', 'wasm') !== undefined;
`,
} as const;

function runChild(name: keyof typeof SCENARIOS): { result: Record<string, unknown>; stdout: string; stderr: string } {
  mkdirSync(testOutputDir(), { recursive: true });
  const dir = mkdtempSync(join(testOutputDir(), 'register-on-import-'));
  const script = join(dir, 'child.mjs');
  writeFileSync(script, `${SCENARIOS[name]}\nconsole.log('RESULT ' + JSON.stringify(result));\n`);
  const r = spawnSync(process.execPath, ['--conditions=cxrkit-source', '--import', 'tsx', script], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 120_000,
  });
  rmSync(dir, { recursive: true, force: true });
  assert.equal(r.status, 0, `${name}: child failed (${r.signal ?? r.status}): ${(r.stderr ?? '').slice(0, 800)}`);
  const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  assert.ok(line, `${name}: no result in ${r.stdout.slice(-400)}`);
  return {
    result: JSON.parse(line.slice(7)) as Record<string, unknown>,
    stdout: r.stdout.replace(line, ''),
    stderr: r.stderr,
  };
}

/** What tfjs itself prints in Node (its "install tfjs-node" banner), which is not ours. */
const tfjsBanner = (s: string) =>
  s.replace(/=+\nHi, looks like you are running TensorFlow\.js in Node\.js[^\n]*\n=+\n?/g, '').trim();

for (const name of ['import, then start wasm', 'start wasm, then import'] as const) {
  test(`model.fit on wasm needs no set-up call (${name})`, () => {
    const { result, stdout, stderr } = runChild(name);
    assert.equal(result.ok, true, String(result.error));
    assert.equal(result.registered, true);
    assert.equal(result.filterKernel, true);
    const loss = result.loss as number[];
    assert.equal(loss.length, 2);
    assert.ok(loss.every(Number.isFinite), `losses ${loss}`);
    assert.equal(tfjsBanner(stdout), '', "nothing on stdout but tfjs's banner");
    assert.equal(tfjsBanner(stderr), '', 'nothing on stderr (no "already registered" warnings)');
  });
}

test('without @cxrkit/tfjs-ext, tfjs 4.22 cannot fit a CNN on wasm (the reason for the registration)', () => {
  const { result } = runChild('stock tfjs 4.22');
  assert.equal(result.ok, false);
  assert.equal(result.filterKernel, false);
  assert.match(String(result.error), /Conv2DBackpropFilter/);
});
