// The committed kernels.wasm.ts must be what kernels.wat compiles to (wabt, scripts/build-wasm-simd.mjs),
// and both variants must be valid WebAssembly importing exactly one memory. The kernels' numerics are
// tested where they are used (batch-norm-training.test.ts, adam.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { KERNELS_WASM_PLAIN, KERNELS_WASM_SHARED } from './kernels.wasm.js';

const root = fileURLToPath(new URL('../../../../../', import.meta.url));

test('kernels.wasm.ts is up to date with kernels.wat', () => {
  const r = spawnSync(process.execPath, ['scripts/build-wasm-simd.mjs', '--check'], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
});

test('both compiled variants are valid and import one memory (shared for the threaded build only)', () => {
  for (const [b64, shared] of [
    [KERNELS_WASM_SHARED, true],
    [KERNELS_WASM_PLAIN, false],
  ] as const) {
    const bytes = Buffer.from(b64, 'base64');
    assert.ok(WebAssembly.validate(bytes));
    const mod = new WebAssembly.Module(bytes);
    assert.deepEqual(WebAssembly.Module.imports(mod), [{ module: 'env', name: 'memory', kind: 'memory' }]);
    assert.deepEqual(
      WebAssembly.Module.exports(mod)
        .map((e) => e.name)
        .sort(),
      ['adam', 'affine', 'affine2', 'avgPoolGrad', 'gradMoments', 'maxPoolGrad', 'moments'],
    );
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared } as WebAssembly.MemoryDescriptor);
    assert.doesNotThrow(() => new WebAssembly.Instance(mod, { env: { memory } }));
  }
});
