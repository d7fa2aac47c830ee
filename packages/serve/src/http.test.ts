import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { startScreeningServer, resolveScreeningConfig } from './index.js';
import { recordingPredictor } from './test-predictors.js';
import { dataDir, sharedData } from '../../../test/helpers.js';

const data = sharedData('dicom/nhsx-nccid-testdata');
const config = resolveScreeningConfig({ inputSize: 64, threshold: 0.5 });
const predictor = recordingPredictor(['image', 'age'], (inputs) => inputs.age!.data[0]!); // score = age / 100
let server: Awaited<ReturnType<typeof startScreeningServer>>;

before(async () => {
  server = await startScreeningServer({ predictor, config, port: 0, maxUploadBytes: 4 * 2 ** 20 });
});
after(() => server.close());

const post = (body: Uint8Array | string, query = '') =>
  // (Node's fetch takes Uint8Array bodies; the DOM lib's BodyInit typing does not list it)
  fetch(`${server.url}/v1/screen${query}`, { method: 'POST', headers: { 'content-type': 'application/dicom' }, body: body as unknown as string });

test('POST /v1/screen with a real chest radiograph DICOM returns the screening result', { skip: data.missing }, async () => {
  const bytes = await readFile(dataDir('dicom', 'nhsx-nccid-testdata', '1.3.6.1.4.1.11129.5.5.110503645592756492463169821050252582267888.dcm'));
  const r = await post(bytes);
  assert.equal(r.status, 200);
  const j = (await r.json()) as { score: number; positive: boolean; patient: { age: number; sex: string }; engine: string };
  assert.equal(j.patient.age, 81); // PatientAge 081Y in the header
  assert.equal(j.score, Math.fround(0.81)); // the test predictor echoes age × 0.01
  assert.equal(j.positive, true);
  assert.equal(j.engine, 'test');
  const r2 = await post(bytes, '?age=40');
  const j2 = (await r2.json()) as { score: number; positive: boolean; warnings: string[] };
  assert.equal(j2.score, Math.fround(0.4));
  assert.equal(j2.positive, false);
  assert.ok(j2.warnings.some((w) => /aged 40/.test(w)));
});

test('a corrupt upload is a 400 with the reader’s code and a fix; an empty one too', async () => {
  const r = await post('definitely not DICOM, just text of some length to get past the preamble check..........................................................................................................................................');
  assert.equal(r.status, 400);
  const j = (await r.json()) as { error: { code: string; message: string } };
  assert.match(j.error.code, /^DICOM_/);
  const e = await post(new Uint8Array(0));
  assert.equal(e.status, 400);
  assert.equal(((await e.json()) as { error: { code: string } }).error.code, 'UPLOAD_EMPTY');
});

test('bad parameters, oversize uploads, wrong methods and unknown routes get their own status', async () => {
  const bad = await post(new Uint8Array(10), '?sex=X');
  assert.equal(bad.status, 400);
  assert.equal(((await bad.json()) as { error: { code: string } }).error.code, 'SCREEN_BAD_OVERRIDE');
  const big = await post(new Uint8Array(4 * 2 ** 20 + 1));
  assert.equal(big.status, 413);
  assert.equal(((await big.json()) as { error: { code: string } }).error.code, 'UPLOAD_TOO_LARGE');
  const get = await fetch(`${server.url}/v1/screen`);
  assert.equal(get.status, 405);
  assert.equal((await fetch(`${server.url}/nope`)).status, 404);
});

test('GET / serves the upload page and /healthz reports the engine', async () => {
  const page = await fetch(`${server.url}/`);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<input id="file" type="file"/);
  const h = (await (await fetch(`${server.url}/healthz`)).json()) as { ok: boolean; engine: string; inputSize: number };
  assert.deepEqual(h, { ok: true, engine: 'test', condition: 'osteoporosis', inputSize: 64 });
});
