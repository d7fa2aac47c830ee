import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { encodeDicom, synthesizeRadiograph } from '@cxrkit/core/tfjs-free';
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
  fetch(`${server.url}/v1/screen${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/dicom' },
    body: body as unknown as string,
  });

test('POST /v1/screen with a real chest radiograph DICOM returns the screening result', {
  skip: data.missing,
}, async () => {
  const bytes = await readFile(
    dataDir('dicom', 'nhsx-nccid-testdata', '1.3.6.1.4.1.11129.5.5.110503645592756492463169821050252582267888.dcm'),
  );
  const r = await post(bytes);
  assert.equal(r.status, 200);
  const j = (await r.json()) as {
    screened: boolean;
    score: number;
    positive: boolean;
    patient: { age: number; sex: string };
    engine: string;
  };
  assert.equal(j.screened, true);
  assert.equal(j.patient.age, 81); // PatientAge 081Y in the header
  assert.equal(j.score, Math.fround(0.81)); // the test predictor echoes age × 0.01
  assert.equal(j.positive, true);
  assert.equal(j.engine, 'test');
  // at 40, below the card's minimum age (50), the image is not screened: 200, the reasons, and no score
  const calls = predictor.calls.length;
  const r2 = await post(bytes, '?age=40');
  assert.equal(r2.status, 200);
  const j2 = (await r2.json()) as { screened: boolean; reasons: string[]; score?: number; recommendation?: string };
  assert.equal(j2.screened, false);
  assert.ok(
    j2.reasons.some((w) => /40 years old/.test(w)),
    j2.reasons.join('; '),
  );
  assert.equal(j2.score, undefined);
  assert.equal(j2.recommendation, undefined);
  assert.equal(predictor.calls.length, calls, 'the model was not called');
});

test('a corrupt upload is a 400 with the reader’s code and a fix; an empty one too', async () => {
  const r = await post(
    'definitely not DICOM, just text of some length to get past the preamble check..........................................................................................................................................',
  );
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

// added routes: behind the token, tried before /v1/screen; `false` leaves a request to the service; '*' takes any
// method; the screen they are given leaves the caller's bytes whole (the decode pool moves a body it owns)
test('added routes: token, order, false to decline, any method, and a screen that keeps the bytes', async () => {
  const film = synthesizeRadiograph({ seed: 2, size: 256, age: 70, sex: 'F' });
  const bytes = encodeDicom({ image: film.image, labels: film.labels }, { seed: 2 });
  const service = await startScreeningServer({
    predictor,
    config,
    port: 0,
    token: 'secret',
    routes: [
      {
        method: 'POST',
        path: '/v1/screen',
        handle: async (req, res, context) => {
          if (!context.url.searchParams.has('mine')) return false;
          const body = await context.readBody(req);
          const { result } = await context.screen(body);
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.end(`${result.screened} ${result.screened ? result.score : ''} ${body.byteLength}`); // body still whole
        },
      },
      {
        method: '*',
        path: '/extra/',
        handle: (req, res) => {
          res.writeHead(204, { 'x-method': req.method ?? '' });
          res.end();
        },
      },
    ],
  });
  try {
    const headers = { authorization: 'Bearer secret', 'content-type': 'application/dicom' };
    const body = bytes as unknown as string;
    const mine = await fetch(`${service.url}/v1/screen?mine=1`, { method: 'POST', headers, body });
    assert.equal(await mine.text(), `true ${Math.fround(0.7)} ${bytes.byteLength}`);
    const plain = await fetch(`${service.url}/v1/screen`, { method: 'POST', headers, body });
    assert.equal(plain.status, 200);
    assert.equal(((await plain.json()) as { score: number }).score, Math.fround(0.7)); // the service's own JSON
    const anonymous = await fetch(`${service.url}/extra/x`, { method: 'DELETE' });
    assert.equal(anonymous.status, 401);
    await anonymous.text();
    const any = await fetch(`${service.url}/extra/x`, { method: 'DELETE', headers });
    assert.equal(any.status, 204);
    assert.equal(any.headers.get('x-method'), 'DELETE');
    // the handler's screen too: a body owning its whole buffer is not moved away from the caller
    const own = new Uint8Array(bytes);
    const out = await service.handler.screen(own);
    assert.equal(out.result.screened, true);
    assert.equal(own.byteLength, bytes.byteLength);
    assert.deepEqual(own.subarray(0, 200), bytes.subarray(0, 200));
  } finally {
    await service.close();
  }
});
