// The .h5 loader in a browser: the registry and the weights code of @cxrkit/models (source), tfjs's cpu
// backend and h5wasm bundled for the browser by tsup (esbuild, browser conditions) and run in headless
// Chromium, where the page fetches two Keras .h5 files (whole-model and weights-only, written by h5py)
// and loads them into createModel('densenet121'). The weights it ends up with must be bit-for-bit those
// that were saved (a hash over every float32, compared with the same hash here). '@cxrkit/core' resolves
// to its tfjs-free entry: the main one also carries Node-only code (PNG files, datasets) that is not
// this test's subject.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { readFile, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { basename, join } from 'node:path';
import { build } from 'tsup';
import type * as tfl from '@tensorflow/tfjs-layers';
import { createModel } from '../index.js';
import { repoRoot } from '../../../../test/helpers.js';
import { h5pySkip, layersOf, tempDir, writeKerasH5 } from '../../../../test/keras-h5.js';
import { weightsHash } from '../../../../test/weights-hash.js';

const chrome = ['chromium', 'chromium-browser', 'google-chrome'].find(
  (c) => spawnSync(c, ['--version'], { stdio: 'ignore' }).status === 0,
);
const skip = h5pySkip || (chrome ? false : 'needs chromium on PATH (apt-get install -y chromium)');
const OPTIONS = { widthMultiplier: 1 / 16, inputShape: [32, 32, 3] } as const;

// The page's code: load both files into a fresh model each and post back what came in.
const PAGE_SCRIPT = `
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createModel } from '${join(repoRoot, 'packages/models/src/registry.ts')}';
import { loadKerasWeights } from '${join(repoRoot, 'packages/models/src/weights/index.ts')}';
import { weightsHash } from '${join(repoRoot, 'test/weights-hash.ts')}';
const out = {};
try {
  await tf.setBackend('cpu');
  for (const name of ['model', 'weights']) {
    const bytes = new Uint8Array(await (await fetch('/' + name + '.h5')).arrayBuffer());
    const model = createModel('densenet121', ${JSON.stringify(OPTIONS)});
    const report = await loadKerasWeights(model, bytes);
    const { file, copied, copiedParams } = report;
    out[name] = { layout: file.layout, copied: copied.length, params: copiedParams, hash: weightsHash(model) };
  }
} catch (e) { out.error = String(e && e.stack || e); }
await fetch('/result', { method: 'POST', body: JSON.stringify(out) });
`;

const PAGE = '<!doctype html><html><body><script type="module" src="/page.js"></script></body></html>';
let dir = '';
let cleanup = () => {};
let server: Server | undefined;
let resolveResult: (body: string) => void = () => {};
const result = new Promise<string>((resolve) => {
  resolveResult = resolve;
});
let source: tfl.LayersModel;

before(async () => {
  if (skip) return;
  ({ dir, cleanup } = tempDir());
  source = createModel('densenet121', OPTIONS);
  writeKerasH5(layersOf(source), join(dir, 'model.h5'), { layout: 'model' });
  writeKerasH5(layersOf(source), join(dir, 'weights.h5'), { layout: 'weights', naming: 'keras3' });
  await writeFile(join(dir, 'page.ts'), PAGE_SCRIPT);
  await build({
    config: false,
    entry: { page: join(dir, 'page.ts') },
    outDir: dir,
    format: ['esm'],
    platform: 'browser',
    target: 'es2022',
    noExternal: [/.*/],
    dts: false,
    sourcemap: false,
    silent: true,
    esbuildOptions: (o) => {
      o.conditions = ['cxrkit-source', 'browser', 'import'];
      o.nodePaths = [join(repoRoot, 'node_modules')];
    },
    esbuildPlugins: [
      {
        name: 'browser-resolution',
        setup(b) {
          b.onResolve({ filter: /^@cxrkit\/core$/ }, () => ({
            path: join(repoRoot, 'packages/core/src/tfjs-free.ts'),
          }));
          // Node built-ins become empty modules, as browser bundlers make them (the DICOM codecs and PNG
          // code that the tfjs-free entry also exports reach for them; nothing here calls them).
          const builtins = new RegExp(`^(node:.*|${builtinModules.join('|')})$`);
          b.onResolve({ filter: builtins }, (args) => ({ path: args.path, namespace: 'stub' }));
          b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
        },
      },
    ],
  });
  // The page, and every file in the folder: the bundle, its chunks (h5wasm is one, loaded on first use),
  // the .h5 files; the page posts its result to /result.
  server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/') return void res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
    if (path === '/result' && req.method === 'POST') {
      let body = '';
      for await (const chunk of req) body += chunk;
      res.writeHead(204).end();
      return void resolveResult(body);
    }
    const name = basename(path);
    try {
      const body = await readFile(join(dir, name));
      res
        .writeHead(200, { 'content-type': name.endsWith('.js') ? 'text/javascript' : 'application/octet-stream' })
        .end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
});

after(() => {
  server?.close();
  source?.dispose();
  cleanup();
});

test('in headless Chromium, the bundled loader reads both Keras layouts into densenet121 bit for bit', {
  skip,
}, async () => {
  const port = (server!.address() as { port: number }).port;
  const browser = spawn(
    chrome!,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      `--user-data-dir=${join(dir, 'profile')}`,
      `http://127.0.0.1:${port}/`,
    ],
    { stdio: 'ignore' },
  );
  let timer: NodeJS.Timeout | undefined;
  let posted: string;
  try {
    posted = await Promise.race([
      result,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('the page posted no result within 120 s')), 120_000);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    const exited = once(browser, 'exit');
    browser.kill();
    await exited; // before the temp folder (with its profile) is removed
  }
  const out = JSON.parse(posted) as Record<string, { layout: string; copied: number; params: number; hash: string }> & {
    error?: string;
  };
  assert.equal(out.error, undefined, out.error);
  const expected = weightsHash(source);
  for (const layout of ['model', 'weights'] as const) {
    assert.deepEqual(
      out[layout],
      {
        layout,
        copied: source.layers.filter((l) => l.weights.length > 0).length,
        params: source.countParams(),
        hash: expected,
      },
      layout,
    );
  }
});
