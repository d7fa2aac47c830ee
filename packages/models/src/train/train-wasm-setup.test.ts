// train() on the wasm backend with no set-up call, in a fresh Node process (the runner's own process
// may already hold registered kernels): import @cxrkit/models, initBackend wasm, train. Also: with the
// kernels removed again (unregisterWasmTrainingKernels), train() registers them itself; and when wasm
// still lacks Conv2DBackpropFilter after that (as with two copies of tfjs-core), it fails with the typed
// error naming the one call to make. Nothing is written to stdout/stderr by cxrkit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, testOutputDir } from '../../../../test/helpers.js';

const CHILD = `
const tf = await import('@tensorflow/tfjs-core');
const tfl = await import('@tensorflow/tfjs-layers');
const { initBackend } = await import('@cxrkit/core');
const models = await import('@cxrkit/models');
await initBackend({ kind: 'wasm', load: () => import('@tensorflow/tfjs-backend-wasm') });

const S = 8;
const net = () => {
  const inp = tfl.input({ shape: [S, S, 1] });
  const init = (seed) => tfl.initializers.glorotUniform({ seed });
  let x = tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', kernelInitializer: init(11) }).apply(inp);
  x = tfl.layers.batchNormalization({}).apply(x);
  x = tfl.layers.activation({ activation: 'relu' }).apply(x);
  x = tfl.layers.globalAveragePooling2d({}).apply(x);
  x = tfl.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: init(12) }).apply(x);
  return tfl.model({ inputs: inp, outputs: x });
};
const data = Array.from({ length: 16 }, (_, i) => ({
  image: {
    data: new Float32Array(S * S).map((_, p) => 0.5 * Math.sin(i * 7.1 + p * 1.3) + (i % 2 ? 0.6 : -0.6)),
    width: S,
    height: S,
  },
  target: i % 2,
}));
const run = async () => {
  try {
    const r = await models.train(net(), { train: data }, { epochs: 2, batchSize: 8, seed: 1 });
    return { ok: true, loss: r.history.map((h) => h.loss), registered: models.wasmTrainingKernelsRegistered() };
  } catch (e) {
    return { ok: false, code: e.code, message: String(e.message) };
  }
};
const out = {};
out.plain = await run();                                  // nothing but the import
models.unregisterWasmTrainingKernels();                   // tfjs's own kernels again, the hook disarmed
out.afterUnregister = { filterBefore: tf.getKernel('Conv2DBackpropFilter', 'wasm') !== undefined, ...(await run()) };
tf.unregisterKernel('Conv2DBackpropFilter', 'wasm');      // registered, yet missing: as with two tfjs-core copies
out.missing = await run();
console.log('RESULT ' + JSON.stringify(out));
`;

test('train() on wasm needs no registerWasmTrainingKernels() call, and names it when wasm still lacks a kernel', () => {
  mkdirSync(testOutputDir(), { recursive: true });
  const dir = mkdtempSync(join(testOutputDir(), 'train-wasm-setup-'));
  const script = join(dir, 'child.mjs');
  writeFileSync(script, CHILD);
  const r = spawnSync(process.execPath, ['--conditions=cxrkit-source', '--import', 'tsx', script], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 120_000,
  });
  rmSync(dir, { recursive: true, force: true });
  assert.equal(r.status, 0, `child failed (${r.signal ?? r.status}): ${(r.stderr ?? '').slice(0, 800)}`);
  const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  assert.ok(line, `no result in ${r.stdout.slice(-400)}`);
  const out = JSON.parse(line.slice(7)) as Record<
    string,
    { ok: boolean; loss?: number[]; registered?: boolean; code?: string; message?: string; filterBefore?: boolean }
  >;

  assert.equal(out.plain!.ok, true, out.plain!.message);
  assert.equal(out.plain!.registered, true);
  assert.ok(out.plain!.loss!.length === 2 && out.plain!.loss!.every(Number.isFinite));

  assert.equal(out.afterUnregister!.filterBefore, false, 'stock tfjs 4.22 wasm: no Conv2DBackpropFilter');
  assert.equal(out.afterUnregister!.ok, true, out.afterUnregister!.message);
  assert.equal(out.afterUnregister!.registered, true, 'train() registered the kernels itself');
  assert.deepEqual(out.afterUnregister!.loss, out.plain!.loss, 'the same run, the same numbers');

  assert.equal(out.missing!.ok, false);
  assert.equal(out.missing!.code, 'WASM_TRAINING_KERNELS_MISSING');
  assert.match(out.missing!.message!, /Conv2DBackpropFilter/);
  assert.match(out.missing!.message!, /Fix: call registerWasmTrainingKernels\(\) from @cxrkit\/tfjs-ext/);

  const banner = /=+\nHi, looks like you are running TensorFlow\.js in Node\.js[^\n]*\n=+\n?/g;
  assert.equal(r.stdout.replace(line, '').replace(banner, '').trim(), '', 'nothing on stdout');
  assert.equal(
    r.stderr.replace(banner, '').trim(),
    '',
    'nothing on stderr: train() reports progress through callbacks only',
  );
});
