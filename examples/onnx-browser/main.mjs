// Browser side: onnxruntime-web (wasm) runs the file written by export-model.ts on a chest radiograph, with
// the model card read from the file itself (preprocessing, fusion encodings, threshold, intended use). A DICOM
// is decoded in the page by cxrkit's reader and checked by the service's intended-use gate first; a PNG/JPEG
// (no header: no modality, body part or view to check) is run with the age and sex of the form.
import * as ort from '/ort/ort.wasm.min.mjs';

const $ = (id) => document.getElementById(id);
const log = (msg) => ($('log').textContent += `${msg}\n`);

ort.env.wasm.wasmPaths = '/ort/';
ort.env.wasm.numThreads = self.crossOriginIsolated ? Math.min(4, navigator.hardwareConcurrency || 1) : 1;

const bytes = new Uint8Array(await (await fetch('model.onnx')).arrayBuffer());
// the session first: with several wasm threads, onnxruntime-web's worker start-up was seen to hang in
// headless Chromium when cxrkit's code was loaded before it (see README)
const session = await ort.InferenceSession.create(bytes, {
  executionProviders: ['wasm'],
  graphOptimizationLevel: 'all',
});
const { cardFromOnnx, isDicom, rgbaToGray, runScreening, screenDicomBytes } = await import('./screening.mjs');
const card = cardFromOnnx(bytes);
log(
  `model ${card.name} (card ${card.id.slice(0, 19)}…, cxrkit ${card.cxrkitVersion})${card.description ? `: ${card.description}` : ''}`,
);
log(`inputs ${session.inputNames.join(', ')}; wasm threads ${ort.env.wasm.numThreads}`);
const fused = card.fusion.map((f) => f.input).join(', ') || 'none';
log(`preprocessing: ${JSON.stringify(card.preprocessing)} at ${card.architecture.inputSize} px; fusion: ${fused}`);

async function run(img) {
  // the radiograph at its own size: the card's preprocessing (clip, bicubic resize, normalisation) does the rest
  const canvas = $('canvas');
  canvas.width = img.naturalWidth;
  canvas.height = img.naturalHeight;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  ctx.drawImage(img, 0, 0);
  const gray = rgbaToGray(ctx.getImageData(0, 0, canvas.width, canvas.height).data, canvas.width, canvas.height);
  const patient = { age: Number($('age').value), sex: $('sex').value };
  const r = await runScreening(ort, session, card, gray, patient);
  const verdict = card.threshold
    ? ` → ${r.positive ? 'positive' : 'negative'} at threshold ${card.threshold.value.toFixed(3)}`
    : '';
  const scores = Array.from(r.output, (v) => v.toFixed(4)).join(', ');
  const warnings = r.warnings.length ? ` — ${r.warnings.join(' ')}` : '';
  $('result').textContent = `score ${scores}${verdict} in ${r.ms.toFixed(0)} ms${warnings}`;
  log(`RESULT ${Array.from(r.output).join(',')} ${r.ms.toFixed(1)}ms`);
}

const load = (src) =>
  new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = reject;
    img.src = src;
  });
/** Shows a gray image (values 0–1) on the canvas. */
function drawGray(gray) {
  const canvas = $('canvas');
  canvas.width = gray.width;
  canvas.height = gray.height;
  const rgba = new Uint8ClampedArray(4 * gray.width * gray.height);
  for (let i = 0; i < gray.data.length; i++) {
    const v = Math.round(255 * Math.min(1, Math.max(0, gray.data[i])));
    rgba.set([v, v, v, 255], 4 * i);
  }
  canvas.getContext('2d').putImageData(new ImageData(rgba, gray.width, gray.height), 0, 0);
}

/** A DICOM file, decoded here by cxrkit's reader and checked by the service's intended-use gate. */
async function runDicom(bytes) {
  const fallback = { age: Number($('age').value), sex: $('sex').value };
  let r;
  try {
    r = await screenDicomBytes(ort, session, card, bytes, fallback);
  } catch (e) {
    $('result').textContent = e?.code
      ? `This DICOM file could not be read here (${e.code}): ${e.code === 'DICOM_CODEC_NOT_INSTALLED' ? 'its compression (JPEG, JPEG-LS or JPEG 2000) needs codecs this page does not load — export it uncompressed' : 'it may be damaged'}.`
      : `This file could not be read: ${e?.message ?? e}`;
    return;
  }
  if (r.prepared.preview) drawGray(r.prepared.preview);
  if (!r.result) {
    $('result').textContent = `Not screened: ${r.prepared.verdict.reasons.join(' ')}`;
    log('NOT SCREENED');
    return;
  }
  const { score, positive, warnings, ms, output } = r.result;
  const verdict = card.threshold
    ? ` → ${positive ? 'positive' : 'negative'} at threshold ${card.threshold.value.toFixed(3)}`
    : '';
  const warned = warnings.length ? ` — ${warnings.join(' ')}` : '';
  const { age, sex } = r.prepared.patient;
  $('result').textContent =
    `score ${score.toFixed(4)}${verdict} in ${ms.toFixed(0)} ms (age ${age ?? '?'}, sex ${sex ?? '?'})${warned}`;
  log(`RESULT ${Array.from(output).join(',')} ${ms.toFixed(1)}ms`);
}

$('file').addEventListener('change', async (e) => {
  const f = e.target.files?.[0];
  if (!f) return;
  const bytes = new Uint8Array(await f.arrayBuffer());
  if (isDicom(bytes, f.name)) await runDicom(bytes);
  else await run(await load(URL.createObjectURL(f)));
});
$('sample').addEventListener('click', async () => run(await load('sample.png')));
await run(await load('sample.png'));
document.body.dataset.done = 'yes';
