#!/usr/bin/env node
// End-to-end check of the example in a real browser engine: serves the page, loads it in headless
// Chromium (Debian: apt-get install -y chromium) and checks the page ran the model on the sample image.
//   npx tsx --conditions=cxrkit-source examples/onnx-browser/export-model.ts && node examples/onnx-browser/check-headless.mjs
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const chrome = ['chromium', 'chromium-browser', 'google-chrome'].find((c) => spawnSync(c, ['--version'], { stdio: 'ignore' }).status === 0);
if (!chrome) {
  console.log('SKIPPED: no chromium on PATH (apt-get install -y chromium)');
  process.exit(0);
}
const port = 8300 + Math.floor(Math.random() * 600);
const server = spawn(process.execPath, [`${here}serve.mjs`, String(port)], { stdio: 'ignore' });
await new Promise((r) => setTimeout(r, 800));
try {
  const r = spawnSync(chrome, ['--headless', '--no-sandbox', '--disable-gpu', '--virtual-time-budget=60000', '--dump-dom', `http://localhost:${port}/`], { encoding: 'utf8', timeout: 120_000 });
  const m = r.stdout.match(/RESULT ([-\d.e,]+) /);
  const values = m ? m[1].split(',').map(Number) : [];
  const ok = r.stdout.includes('data-done="yes"') && values.length > 0 && values.every(Number.isFinite);
  console.log(ok ? `OK: the page ran model.onnx on onnxruntime-web in ${chrome}: output ${values.join(', ')}` : `FAILED:\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-1000)}`);
  process.exitCode = ok ? 0 : 1;
} finally {
  server.kill();
}
