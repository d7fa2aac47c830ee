#!/usr/bin/env node
// End-to-end check of the example in a real browser engine: serves the page, loads it in headless
// Chromium (Debian: apt-get install -y chromium) and checks the page read the model card from model.onnx and
// ran the model on the sample image.
//   npx tsx --conditions=cxrkit-source examples/onnx-browser/export-model.ts out/demo/model   (or --untrained)
//   node examples/onnx-browser/check-headless.mjs
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const chrome = ['chromium', 'chromium-browser', 'google-chrome'].find(
  (c) => spawnSync(c, ['--version'], { stdio: 'ignore' }).status === 0,
);
if (!chrome) {
  console.log('SKIPPED: no chromium on PATH (apt-get install -y chromium)');
  process.exit(0);
}
const port = 8300 + Math.floor(Math.random() * 600);
const server = spawn(process.execPath, [`${here}serve.mjs`, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
// serve.mjs bundles the card code first, then prints its URL once it listens
await new Promise((resolve, reject) => {
  server.stdout.on('data', (d) => String(d).includes('http://') && resolve());
  server.once('exit', (code) => reject(new Error(`serve.mjs exited with ${code}`)));
});
try {
  const r = spawnSync(
    chrome,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--virtual-time-budget=60000',
      '--dump-dom',
      `http://127.0.0.1:${port}/`,
    ],
    { encoding: 'utf8', timeout: 120_000 },
  );
  const m = r.stdout.match(/RESULT ([-\d.e,]+) /);
  const values = m ? m[1].split(',').map(Number) : [];
  // the page read the model card from model.onnx (its id in the log, its threshold in the result)
  const cardRead = /card sha256:[0-9a-f]{12}/.test(r.stdout) && /at threshold \d/.test(r.stdout);
  const ok = r.stdout.includes('data-done="yes"') && cardRead && values.length > 0 && values.every(Number.isFinite);
  console.log(
    ok
      ? `OK: the page ran model.onnx on onnxruntime-web in ${chrome}: output ${values.join(', ')}`
      : `FAILED:\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-1000)}`,
  );
  process.exitCode = ok ? 0 : 1;
} finally {
  server.kill();
}
