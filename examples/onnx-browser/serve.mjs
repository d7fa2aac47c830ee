#!/usr/bin/env node
// Static server for the example: the page, the exported model, cxrkit's model-card code bundled for the
// browser (cxrkit-card.js, built at start by build-card.mjs), onnxruntime-web's files under /ort/ and a
// sample radiograph from the shared data. Sends COOP/COEP so browsers allow multi-threaded wasm.
//   node examples/onnx-browser/serve.mjs [port] [--host 127.0.0.1] [--model path/to/model.onnx]   → http://127.0.0.1:8080/
// It listens on 127.0.0.1 only unless --host says otherwise (e.g. --host 0.0.0.0 to show it on a network you
// trust: it serves this folder, the model and a radiograph to anyone who can reach it).
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCardBundle } from './build-card.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const repo = resolve(here, '..', '..');
const ortDist = join(repo, 'node_modules', 'onnxruntime-web', 'dist');
const dataDir = process.env.CXRKIT_DATA ? resolve(process.env.CXRKIT_DATA) : resolve(repo, '..', 'shared', 'data');
const sample = join(dataDir, 'cxr', 'nih-thumbs64', 'NIH1000', 'test', '0_normal', '00000231_013.png');
const types = {
  '.html': 'text/html',
  '.mjs': 'text/javascript',
  '.js': 'text/javascript',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.png': 'image/png',
};
const args = process.argv.slice(2);
const hostAt = args.indexOf('--host');
const host = hostAt >= 0 ? args[hostAt + 1] : '127.0.0.1';
const modelAt = args.indexOf('--model');
const model = modelAt >= 0 ? resolve(args[modelAt + 1]) : join(here, 'model.onnx');
const port = Number(args.find((a, i) => /^\d+$/.test(a) && !['--host', '--model'].includes(args[i - 1])) ?? 8080);

await buildCardBundle();

createServer(async (req, res) => {
  const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  let file;
  if (path === '/') file = join(here, 'index.html');
  else if (path === '/model.onnx') file = model;
  else if (path === '/sample.png') file = sample;
  else if (path.startsWith('/ort/')) file = join(ortDist, normalize(path.slice(5)).replace(/^(\.\.[/\\])+/, ''));
  else file = join(here, normalize(path).replace(/^(\.\.[/\\])+/, ''));
  try {
    const body = await readFile(file);
    res.writeHead(200, {
      'content-type': types[extname(file)] ?? 'application/octet-stream',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
    });
    res.end(body);
  } catch {
    res.writeHead(404).end(`not found: ${path}`);
  }
}).listen(port, host, () => {
  const shown = host.includes(':') ? `[${host}]` : host;
  console.log(`cxrkit ONNX example on http://${shown}:${port}/ (model: run export-model.ts first)`);
});
