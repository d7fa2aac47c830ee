// The DOM-free part of the example: the model card from the ONNX file, the model's inputs from a radiograph
// with cxrkit's own modelInputs (bundled from @cxrkit/models/card into cxrkit-card.js by build-card.mjs: the
// same preprocessing and fusion encodings as the service), and one onnxruntime-web run. Used by main.mjs in
// the browser; DOM-free so it can run in a worker, or in Node (the repository's card round-trip test does).
import { intendedUseWarnings, modelInputs, prepareDicom, readOnnxCard } from './cxrkit-card.js';

/** The model card embedded in ONNX bytes by exportOnnx(model, { card }); throws when the file has none. */
export function cardFromOnnx(bytes) {
  const card = readOnnxCard(bytes);
  if (!card) throw new Error('this model.onnx has no model card (export it with exportOnnx(model, { card }))');
  return card;
}

/** A gray image (values 0–1, bone bright) from RGBA pixels of `width × height` (ITU-R BT.601 luma). */
export function rgbaToGray(rgba, width, height) {
  const data = new Float32Array(width * height);
  for (let i = 0; i < data.length; i++)
    data[i] = (0.299 * rgba[i * 4] + 0.587 * rgba[i * 4 + 1] + 0.114 * rgba[i * 4 + 2]) / 255;
  return { data, width, height };
}

/**
 * The onnxruntime feeds for one radiograph: `gray` at any size, `patient` = { age (years), sex ('F' | 'M') }.
 * Preprocessing and encodings are the card's (cxrkit's modelInputs), keyed by the model's input names.
 */
export function screeningFeeds(ort, card, gray, patient) {
  const inputs = modelInputs(gray, patient, card);
  return Object.fromEntries(
    Object.entries(inputs).map(([name, b]) => [name, new ort.Tensor('float32', b.data, b.shape)]),
  );
}

/**
 * Runs the model on one radiograph and judges the score with the card's threshold and intended use.
 * Returns { output: Float32Array, score, positive, warnings, ms }.
 */
export async function runScreening(ort, session, card, gray, patient) {
  const feeds = screeningFeeds(ort, card, gray, patient);
  const t0 = performance.now();
  const result = await session.run(feeds);
  const ms = performance.now() - t0;
  const output = result[session.outputNames[0]].data;
  const score = output[0];
  const positive = card.threshold !== undefined && score >= card.threshold.value;
  return { output, score, positive, warnings: intendedUseWarnings(card, { age: patient.age }), ms };
}

/** True for DICOM bytes (the `DICM` marker at byte 128) or a `.dcm` / `.dicom` file name. */
export function isDicom(bytes, name = '') {
  const marker = bytes.length > 132 && String.fromCharCode(bytes[128], bytes[129], bytes[130], bytes[131]) === 'DICM';
  return marker || /\.(dcm|dicom)$/i.test(name);
}

/**
 * A DICOM file screened the way the service does it (its prepareDicom: the reader with chest-film limits,
 * the intended-use gate and lung-field check, the card's inputs): `{ prepared, result }`, where `result` is
 * absent when the image is not screened (`prepared.verdict.reasons` say why). Age and sex come from the
 * header; `fallback` ({ age, sex }) fills what the header lacks when the model needs it.
 */
export async function screenDicomBytes(ort, session, card, bytes, fallback = {}) {
  let prepared;
  try {
    prepared = await prepareDicom({ bytes, card, previewSide: 512 });
  } catch (e) {
    if (e?.code !== 'SCREEN_MISSING_INPUT') throw e;
    prepared = await prepareDicom({ bytes, card, overrides: fallback, previewSide: 512 });
  }
  if (!prepared.verdict.screened) return { prepared };
  const feeds = Object.fromEntries(
    Object.entries(prepared.inputs).map(([name, b]) => [name, new ort.Tensor('float32', b.data, b.shape)]),
  );
  const t0 = performance.now();
  const out = await session.run(feeds);
  const ms = performance.now() - t0;
  const output = out[session.outputNames[0]].data;
  const score = output[0];
  const positive = card.threshold !== undefined && score >= card.threshold.value;
  return { prepared, result: { output, score, positive, warnings: prepared.verdict.warnings, ms } };
}
