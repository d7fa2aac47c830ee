#!/usr/bin/env node
// Bundles card-entry.ts (cxrkit's model card, modelInputs and the ONNX metadata reader) for the browser
// with esbuild (installed with tsup) into cxrkit-card.js beside the page. serve.mjs runs it at start; the
// repository's round-trip test runs it too, then imports screening.mjs in Node.
//   node examples/onnx-browser/build-card.mjs   → examples/onnx-browser/cxrkit-card.js
import { build } from 'esbuild';
import { rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));

// Modules the bundle reaches but never runs in the page: Node built-ins, the PNG/JPEG codecs of core's
// file helpers (imported at the top of core/src/image/png.ts, whose checkImage the preprocessing uses), and
// the DICOM reader's WASM codecs (loaded lazily for JPEG baseline, JPEG-LS, JPEG 2000, HTJ2K and 12-bit JPEG:
// their .wasm files are not served here). They resolve to a stub that throws if anything calls into it; the
// reader turns that into DICOM_CODEC_NOT_INSTALLED.
const NODE_ONLY =
  /^(node:.*|fs|path|util|stream|zlib|assert|crypto|os|url|module|worker_threads|pngjs|jpeg-js|@cornerstonejs\/codec-.*|dcmjs-codecs)$/;
const nodeOnlyStub = {
  name: 'node-only-stub',
  setup(b) {
    b.onResolve({ filter: NODE_ONLY }, (args) => ({ path: args.path, namespace: 'node-only' }));
    b.onLoad({ filter: /.*/, namespace: 'node-only' }, (args) => {
      const message = JSON.stringify(`${args.path} is not available in the browser`);
      const get = "(_, k) => (k === '__esModule' ? false : k === 'default' ? module.exports : fail)";
      return {
        contents: [
          `const fail = () => { throw new Error(${message}); };`,
          `module.exports = new Proxy({}, { get: ${get} });`,
        ].join('\n'),
        loader: 'js',
      };
    });
  },
};

/** Builds the bundle; resolves to { file, bytes }. Written atomically (temp file + rename). */
export async function buildCardBundle(outfile = join(here, 'cxrkit-card.js')) {
  const r = await build({
    entryPoints: [join(here, 'card-entry.ts')],
    absWorkingDir: resolve(here, '..', '..'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['cxrkit-source'],
    plugins: [nodeOnlyStub],
    write: false,
    minify: true,
    legalComments: 'eof',
    logLevel: 'silent',
  });
  const text = r.outputFiles[0].text;
  const tmp = `${outfile}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  await writeFile(tmp, text);
  await rename(tmp, outfile);
  return { file: outfile, bytes: Buffer.byteLength(text) };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { file, bytes } = await buildCardBundle();
  console.log(`wrote ${file} (${(bytes / 1024).toFixed(0)} KiB)`);
}
