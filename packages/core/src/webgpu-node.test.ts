// initBackend({ kind: 'webgpu' }) outside the browser: installing an injected WebGPU implementation and
// the typed errors when it, its driver or the registration is missing. The child processes start from a
// clean realm (no navigator.gpu), as an application does; the real run on a driver is backend.test.ts
// and packages/tfjs-ext/src/webgpu/*.test.ts and packages/models/src/webgpu-conformance.test.ts under the runner's `webgpu` backend.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { assertWebGpuAdapter, currentGpu, installWebGpu } from './webgpu-node.js';
import { isCxrkitError } from './errors.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const dawnMissing = (() => {
  try {
    createRequire(import.meta.url).resolve('webgpu');
    return undefined;
  } catch {
    return "npm package 'webgpu' (Dawn's Node binding) is not installed";
  }
})();

/** Runs `code` (an ES module using @cxrkit/core from source) in a fresh Node; returns its stdout. */
function child(code: string, env: Record<string, string> = {}): { status: number | null; out: string; err: string } {
  const r = spawnSync(
    process.execPath,
    ['--conditions=cxrkit-source', '--import', 'tsx', '--input-type=module', '-e', code],
    {
      cwd: root,
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, ...env, CXRKIT_BACKEND: '' },
    },
  );
  return { status: r.status, out: r.stdout, err: r.stderr };
}

test('something that is neither Dawn nor a GPU is refused with the fix', {
  skip: currentGpu() ? 'navigator.gpu already exists in this realm' : false,
}, () => {
  assert.throws(
    () => installWebGpu({ version: 1 }),
    (e: unknown) =>
      isCxrkitError(e, 'BACKEND_INIT_FAILED') &&
      /import\('webgpu'\)/.test((e as Error).message) &&
      /version/.test((e as Error).message),
  );
  assert.equal(currentGpu(), undefined, 'nothing was installed');
});

test('no navigator.gpu, and a GPU without adapters, are typed errors naming the driver', async () => {
  if (!currentGpu()) {
    await assert.rejects(
      assertWebGpuAdapter(undefined),
      (e: unknown) =>
        isCxrkitError(e, 'BACKEND_INIT_FAILED') && /gpu: \(\) => import\('webgpu'\)/.test((e as Error).message),
    );
  }
  await assert.rejects(
    assertWebGpuAdapter({ requestAdapter: async () => null }),
    (e: unknown) =>
      isCxrkitError(e, 'BACKEND_INIT_FAILED') &&
      /no adapter/.test((e as Error).message) &&
      /mesa-vulkan-drivers/.test((e as Error).message),
  );
});

test("Dawn without a Vulkan driver: BACKEND_INIT_FAILED, and tfjs's backend is left alone", {
  skip: dawnMissing ?? false,
}, () => {
  const r = child(
    `import * as tf from '@tensorflow/tfjs-core';
     import '@tensorflow/tfjs-backend-cpu';
     import { initBackend } from '@cxrkit/core';
     await tf.setBackend('cpu');
     const load = () => import('@tensorflow/tfjs-backend-webgpu');
     try {
       await initBackend({ kind: 'webgpu', gpu: () => import('webgpu'), load });
       console.log('STARTED');
     } catch (e) { console.log(e.code, tf.getBackend(), JSON.stringify(e.message)); }`,
    // the Vulkan loader finds no driver through a manifest that does not exist
    { VK_ICD_FILENAMES: '/nonexistent/cxrkit-no-driver.json', VK_DRIVER_FILES: '/nonexistent/cxrkit-no-driver.json' },
  );
  assert.equal(r.status, 0, r.err);
  assert.match(r.out, /^BACKEND_INIT_FAILED cpu ".*no adapter.*Vulkan driver/m);
});

test('a backend package imported before navigator.gpu existed is BACKEND_NOT_REGISTERED with the fix', () => {
  // A fake GPU with an adapter: the registration check is reached without a driver.
  const r = child(
    `import '@tensorflow/tfjs-backend-webgpu';
     import { initBackend } from '@cxrkit/core';
     const load = () => import('@tensorflow/tfjs-backend-webgpu');
     try {
       await initBackend({ kind: 'webgpu', gpu: () => ({ requestAdapter: async () => ({}) }), load });
       console.log('STARTED');
     } catch (e) { console.log(e.code, JSON.stringify(e.message)); }`,
  );
  assert.equal(r.status, 0, r.err);
  assert.match(r.out, /^BACKEND_NOT_REGISTERED ".*load: \(\) => import\('@tensorflow\/tfjs-backend-webgpu'\)/m);
});
