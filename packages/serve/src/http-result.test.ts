// The JSON result with a real model: a seeded InceptionV3 (1/16 width, 160 px, age + sex fusion) with its card,
// on tfjs with the thesis's Grad-CAM (mixed10's nine convolutions averaged) and on onnxruntime without one.
// The result carries the card summary, the Grad-CAM overlay as a PNG, a preview when asked, no Patient ID
// unless asked; Grad-CAM can be switched off per request; files outside the intended use get no score.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { decodePng } from '@cxrkit/core/tfjs-free';
import { createGradCamExplainer } from '@cxrkit/gradcam';
import { createTfjsPredictor, loadModelWithCard } from '@cxrkit/models';
import type { ModelCard } from '@cxrkit/models/card';
import { createOnnxPredictor } from '@cxrkit/onnx';
import { sharedPath, testOutputDir } from '../../../test/helpers.js';
import { GRADCAM_UNAVAILABLE_DEFAULT, startScreeningServer, type RunningService } from './index.js';
import { gradCamReference, readTestOnnx, writeTestModel } from './testing/test-model.js';

const file = (p: string) => sharedPath('dicom', p);
const NIH = 'nhsx-nccid-testdata/1.3.6.1.4.1.11129.5.5.110503645592756492463169821050252582267888.dcm';
const CT = 'nema-wg04/CT1_UNC';
const RGB = 'pydicom-data/HTJ2K_08_RGB.dcm';
const missing = [NIH, CT, RGB].find((f) => !existsSync(file(f)));
const skip = missing ? `shared data file missing: ${missing} (set CXRKIT_DATA)` : false;
const dir = testOutputDir(`serve-http-result-${process.pid}`);
const MIXED10 = Array.from({ length: 9 }, (_, i) => `conv2d_${86 + i}`);

let model: Awaited<ReturnType<typeof loadModelWithCard>>['model'];
let card: ModelCard;
let tfjsServer: RunningService;
let onnxServer: RunningService;

before(async () => {
  if (skip) return;
  await writeTestModel(dir);
  ({ model, card } = await loadModelWithCard(dir));
  tfjsServer = await startScreeningServer({
    predictor: createTfjsPredictor(model),
    card,
    explainer: createGradCamExplainer(model, card),
    port: 0,
  });
  const onnx = await createOnnxPredictor(await readTestOnnx(dir), {
    load: () => import('onnxruntime-node'),
    threads: 1,
  });
  onnxServer = await startScreeningServer({ predictor: onnx, card, port: 0 });
});
after(async () => {
  await tfjsServer?.close();
  await onnxServer?.close();
  model?.dispose();
  await rm(dir, { recursive: true, force: true });
});

const post = async (server: RunningService, path: string, query = '') => {
  const r = await fetch(`${server.url}/v1/screen${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/dicom' },
    body: (await readFile(file(path))) as unknown as string,
  });
  // biome-ignore lint/suspicious/noExplicitAny: the reply's JSON, checked field by field below
  return { status: r.status, json: (await r.json()) as Record<string, any> };
};

test('a screened chest: card summary, the mixed10 Grad-CAM as a PNG over the radiograph, no Patient ID', {
  skip,
}, async () => {
  const { status, json } = await post(tfjsServer, NIH, '?include=image');
  assert.equal(status, 200);
  assert.equal(json.screened, true);
  assert.deepEqual(json.reasons, []);
  assert.equal(typeof json.score, 'number');
  assert.equal(json.positive, json.score >= 0.5);
  assert.deepEqual(json.model, {
    id: card.id,
    name: 'serve_test_osteoporosis',
    condition: 'osteoporosis',
    threshold: 0.5,
    intendedUse: card.intendedUse,
  });
  assert.deepEqual(Object.keys(json.patient).sort(), ['age', 'ageSource', 'sex'], 'no patient identifier');
  assert.equal(JSON.stringify(json).includes('Covid0000'), false, "the file's Patient ID is nowhere in the reply");
  // the Grad-CAM: the thesis's nine layers, a PNG of the radiograph's shape (1024² shrunk to 512²)
  assert.deepEqual(json.gradcam.layers, MIXED10);
  assert.equal(json.gradcamUnavailable, undefined);
  const overlay = decodePng(new Uint8Array(Buffer.from(json.gradcam.png, 'base64')));
  assert.deepEqual([overlay.width, overlay.height, json.gradcam.width, json.gradcam.height], [512, 512, 512, 512]);
  const preview = decodePng(new Uint8Array(Buffer.from(json.image.png, 'base64')));
  assert.deepEqual([preview.width, preview.height], [512, 512]);
  // the overlay is the heat map blended over the preview: it is not the gray preview itself
  let differ = 0;
  for (let i = 0; i < preview.data.length; i++) if (Math.abs(overlay.data[i]! - preview.data[i]!) > 0.05) differ++;
  assert.ok(differ > 0.05 * preview.data.length, `${differ} pixels differ from the radiograph`);
  assert.ok(json.timingsMs.gradcam > 0);
});

test('the explainer gives the Grad-CAM of gradcam itself on the service’s own inputs', { skip }, async () => {
  const explainer = createGradCamExplainer(model, card);
  const size = card.architecture.inputSize;
  const image = Float32Array.from({ length: size * size }, (_, i) => Math.sin(i / 37));
  const inputs = {
    image: { data: image, shape: [1, size, size, 1] },
    age: { data: Float32Array.of(0.7), shape: [1, 1] },
    sex: { data: Float32Array.of(1), shape: [1, 1] },
  };
  const map = await explainer.explain(inputs);
  const expected = gradCamReference(model, inputs, MIXED10); // gradcam's gradCam on tensors made from `inputs`
  assert.deepEqual([map.width, map.height], [size, size]);
  assert.deepEqual(Array.from(map.data), Array.from(expected.data));
});

test('?gradcam=0 skips the backward pass; ?include=patient adds the Patient ID', { skip }, async () => {
  const { json } = await post(tfjsServer, NIH, '?gradcam=0&include=patient');
  assert.equal(json.screened, true);
  assert.equal(json.gradcam, undefined);
  assert.equal(json.gradcamUnavailable, undefined);
  assert.equal(json.timingsMs.gradcam, undefined);
  assert.equal(json.image, undefined, 'no preview unless asked');
  assert.equal(json.patient.id, 'Covid0000'); // Patient ID (0010,0020) of the file, as pydicom reads it
  const bad = await post(tfjsServer, NIH, '?include=patients');
  assert.equal(bad.status, 400);
  assert.match(bad.json.error.detail, /did you mean 'patient'/);
});

test('on onnxruntime there is no Grad-CAM, and the result says why; the score matches tfjs', { skip }, async () => {
  const viaOnnx = await post(onnxServer, NIH);
  const viaTfjs = await post(tfjsServer, NIH, '?gradcam=0');
  assert.equal(viaOnnx.json.screened, true);
  assert.equal(viaOnnx.json.gradcam, undefined);
  assert.equal(viaOnnx.json.gradcamUnavailable, GRADCAM_UNAVAILABLE_DEFAULT);
  assert.match(viaOnnx.json.engine, /^onnxruntime/);
  assert.ok(Math.abs(viaOnnx.json.score - viaTfjs.json.score) < 1e-4, `${viaOnnx.json.score} vs ${viaTfjs.json.score}`);
});

test('a CT slice and the colour file without Modality (?age=70&sex=F): 200, not screened, no score', {
  skip,
}, async () => {
  for (const [path, query, reason] of [
    [CT, '?include=image', /This is a CT image/],
    [RGB, '?age=70&sex=F', /colour/],
  ] as const) {
    const { status, json } = await post(tfjsServer, path, query);
    assert.equal(status, 200, path);
    assert.equal(json.screened, false, path);
    for (const key of ['score', 'positive', 'recommendation', 'threshold', 'gradcam', 'gradcamUnavailable']) {
      assert.equal(json[key], undefined, `${path}: ${key}`);
    }
    assert.ok(
      (json.reasons as string[]).some((r) => reason.test(r)),
      (json.reasons as string[]).join(' | '),
    );
    assert.equal(json.model.id, card.id);
    if (query.includes('image')) assert.ok(json.image.png.length > 100, 'the page can show what was refused');
  }
});

test('the test model folder holds the card, the tfjs weights and the ONNX export', { skip }, async () => {
  for (const f of ['model.json', 'model-card.json', 'model.onnx']) assert.ok(existsSync(join(dir, f)), f);
});
