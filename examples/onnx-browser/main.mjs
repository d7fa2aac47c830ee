// Browser side: onnxruntime-web (wasm) runs the file written by export-model.ts on a chest radiograph.
import * as ort from '/ort/ort.wasm.min.mjs';
import { rgbaToGray, runScreening } from './screening.mjs';

const $ = (id) => document.getElementById(id);
const log = (msg) => ($('log').textContent += `${msg}\n`);

ort.env.wasm.wasmPaths = '/ort/';
ort.env.wasm.numThreads = self.crossOriginIsolated ? Math.min(4, navigator.hardwareConcurrency || 1) : 1;

const info = await (await fetch('model.json')).json();
const session = await ort.InferenceSession.create('model.onnx', { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
log(`model ${info.metadata['cxrkit.model_name']} (cxrkit ${info.metadata['cxrkit.version']}), inputs ${session.inputNames.join(', ')}; wasm threads ${ort.env.wasm.numThreads}`);
log(`preprocessing: ${info.metadata['cxrkit.preprocessing']}`);

async function run(img) {
  const canvas = $('canvas');
  canvas.width = canvas.height = info.size;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(img, 0, 0, info.size, info.size);
  const gray = rgbaToGray(ctx.getImageData(0, 0, info.size, info.size).data);
  const { output, ms } = await runScreening(ort, session, gray, info.size, { ageYears: Number($('age').value), sex: Number($('sex').value) });
  $('result').textContent = `output ${Array.from(output, (v) => v.toFixed(4)).join(', ')} in ${ms.toFixed(0)} ms`;
  log(`RESULT ${Array.from(output).join(',')} ${ms.toFixed(1)}ms`);
}

const load = (src) => new Promise((resolve, reject) => {
  const img = new Image();
  img.onload = () => resolve(img);
  img.onerror = reject;
  img.src = src;
});
$('file').addEventListener('change', async (e) => {
  const f = e.target.files?.[0];
  if (f) await run(await load(URL.createObjectURL(f)));
});
$('sample').addEventListener('click', async () => run(await load('sample.png')));
await run(await load('sample.png'));
document.body.dataset.done = 'yes';
