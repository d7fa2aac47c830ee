// The HTTP side, through serve's routes option: STOW-RS (PS3.18 10.5: multipart/related in, DICOM JSON
// Store Instances Response out, 200/202/409/503/415) and POST /v1/screen?return=sr,sc (the SR and SC back).
// Request bodies are built here by hand, not with the package's own multipart writer.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { encodeDicom, synthesizeRadiograph } from '@cxrkit/core/tfjs-free';
import { screenDicomWithCard, startScreeningServer, type ScreeningPredictor } from '@cxrkit/serve';
import { sharedPath } from '../../../test/helpers.js';
import type { ResultObject } from './build-sr.js';
import { dicomwebRoutes } from './dicomweb-routes.js';
import { createDicomReceiver } from './receiver.js';
import { readSourceHeader } from './source-header.js';
import { testCard } from './test-card.js';

const card = testCard();
// score = age / 100 (the card feeds age × 0.01)
const predictor: ScreeningPredictor = {
  inputNames: ['image', 'age', 'sex'],
  outputNames: ['y'],
  engine: 'stub',
  predict: async (x) => {
    const age = (x as Record<string, { data: Float32Array }>).age!.data[0]!;
    return { y: { data: Float32Array.of(age), shape: [1, 1] } };
  },
};
// the receiver screens with serve's own screen (its intended-use gate included), as the routes do through the service
const screen = (bytes: Uint8Array) => screenDicomWithCard(bytes, card, predictor);

const sent: ResultObject[][] = [];
let gate: Promise<void> | undefined;
const receiver = createDicomReceiver({
  card,
  screen: async (b) => {
    if (gate) await gate;
    return screen(b);
  },
  destination: { description: 'memory', send: async (o) => void sent.push(o) },
  maxPending: 2,
});
let server: Awaited<ReturnType<typeof startScreeningServer>>;
let bare: Awaited<ReturnType<typeof startScreeningServer>>; // no destination: STOW-RS off
before(async () => {
  server = await startScreeningServer({
    predictor,
    card,
    port: 0,
    routes: dicomwebRoutes({ card, receiver }),
  });
  bare = await startScreeningServer({ predictor, card, port: 0, routes: dicomwebRoutes({ card }) });
});
after(async () => {
  await server.close();
  await bare.close();
});

// 256 px: the smallest film serve's intended-use gate screens (a 96 px one is "too small", not screened)
function cr(seed: number, age = 72): Uint8Array {
  const r = synthesizeRadiograph({ seed, size: 256, age, sex: 'F' });
  return encodeDicom({ image: r.image, labels: r.labels }, { seed });
}

/** A multipart/related body: each part's Content-Type (or none) and bytes. */
function related(parts: { type?: string; bytes: Uint8Array }[], boundary = 'b0undary-x') {
  const chunks: Buffer[] = [Buffer.from('preamble, ignored\r\n')];
  for (const p of parts) {
    const head = p.type ? `--${boundary}\r\nContent-Type: ${p.type}\r\n\r\n` : `--${boundary}\r\n\r\n`;
    chunks.push(Buffer.from(head), Buffer.from(p.bytes), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), boundary };
}

async function stow(base: string, body: Buffer, contentType: string) {
  const r = await fetch(`${base}/dicomweb/studies`, {
    method: 'POST',
    headers: { 'content-type': contentType, accept: 'application/dicom+json' },
    body: body as unknown as string,
  });
  const text = await r.text();
  return { status: r.status, headers: r.headers, json: text ? (JSON.parse(text) as DicomJson) : {} };
}
/** A DICOM JSON data set (PS3.18 F.2), or the service's error object. */
type DicomJson = Record<string, { vr?: string; Value?: DicomJson[] & (string | number)[] } | undefined> & {
  error?: { code: string };
};
const seq = (json: DicomJson, tag: string) => (json[tag]?.Value ?? []) as DicomJson[];
const seqUids = (json: DicomJson, tag: string) => seq(json, tag).map((i) => i['00081155']?.Value?.[0] as string);
const reasons = (json: DicomJson) => seq(json, '00081198').map((i) => i['00081197']?.Value?.[0] as number);

test('STOW-RS: several instances in one request; readable ones stored (202 with both sequences)', async () => {
  const a = cr(1);
  const b = cr(2);
  const { body, boundary } = related([
    { type: 'application/dicom', bytes: a },
    { bytes: b }, // no part Content-Type: the request's type applies
    { type: 'application/dicom', bytes: new TextEncoder().encode('garbage, not DICOM') },
    { type: 'text/plain', bytes: new TextEncoder().encode('hello') },
  ]);
  const before = sent.length;
  const r = await stow(server.url, body, `multipart/related; type="application/dicom"; boundary=${boundary}`);
  assert.equal(r.status, 202);
  assert.match(r.headers.get('content-type')!, /^application\/dicom\+json/);
  assert.deepEqual(seqUids(r.json, '00081199'), [
    readSourceHeader(a).sopInstanceUid,
    readSourceHeader(b).sopInstanceUid,
  ]);
  assert.deepEqual(reasons(r.json), [0xc000, 0xc000]);
  await receiver.idle();
  assert.deepEqual(
    sent.slice(before).map((o) => o.map((x) => x.sopClassUid)),
    [
      ['1.2.840.10008.5.1.4.1.1.88.33', '1.2.840.10008.5.1.4.1.1.7'],
      ['1.2.840.10008.5.1.4.1.1.88.33', '1.2.840.10008.5.1.4.1.1.7'],
    ],
  );
});

test('STOW-RS statuses: 200 all stored, 409 none, 415 wrong media type, 405 wrong method, 503 without a destination', async () => {
  const one = related([{ type: 'application/dicom', bytes: cr(3) }]);
  const ct = `multipart/related; type="application/dicom"; boundary=${one.boundary}`;
  const ok = await stow(server.url, one.body, ct);
  assert.equal(ok.status, 200);
  assert.equal(ok.json['00081198'], undefined);
  const bad = related([{ type: 'application/dicom', bytes: new Uint8Array(200) }]);
  const none = await stow(
    server.url,
    bad.body,
    `multipart/related; type="application/dicom"; boundary=${bad.boundary}`,
  );
  assert.equal(none.status, 409);
  assert.deepEqual(reasons(none.json), [0xc000]);
  const json = await stow(
    server.url,
    one.body,
    `multipart/related; type="application/dicom+json"; boundary=${one.boundary}`,
  );
  assert.equal(json.status, 415);
  assert.equal((await stow(server.url, Buffer.from(cr(4)), 'application/dicom')).status, 415);
  const get = await fetch(`${server.url}/dicomweb/studies`);
  assert.equal(get.status, 405);
  await get.text();
  const off = await stow(bare.url, one.body, ct);
  assert.equal(off.status, 503);
  assert.equal(off.json.error?.code, 'DICOMWEB_NO_DESTINATION');
  await receiver.idle();
});

test('STOW-RS when the queue is full: the extra instances fail with A700; all refused → 503 + Retry-After', async () => {
  let open!: () => void;
  gate = new Promise<void>((r) => (open = r));
  const parts = [5, 6, 7].map((s) => ({ type: 'application/dicom', bytes: cr(s) }));
  const first = related(parts);
  const r1 = await stow(
    server.url,
    first.body,
    `multipart/related; type="application/dicom"; boundary=${first.boundary}`,
  );
  assert.equal(r1.status, 202);
  assert.deepEqual(reasons(r1.json), [0xa700]); // maxPending 2: the third refused
  const second = related([{ type: 'application/dicom', bytes: cr(8) }]);
  const r2 = await stow(
    server.url,
    second.body,
    `multipart/related; type="application/dicom"; boundary=${second.boundary}`,
  );
  assert.equal(r2.status, 503);
  assert.equal(r2.headers.get('retry-after'), '30');
  gate = undefined;
  open();
  await receiver.idle();
});

/** Splits a multipart body on its boundary (independently of the package's reader). */
function splitParts(body: Buffer, contentType: string): { type: string; bytes: Buffer }[] {
  const boundary = /boundary=([^;]+)/.exec(contentType)![1]!;
  const delimiter = Buffer.from(`--${boundary}`);
  const out: { type: string; bytes: Buffer }[] = [];
  let p = body.indexOf(delimiter);
  while (p >= 0) {
    const next = body.indexOf(delimiter, p + delimiter.length);
    if (next < 0) break;
    const part = body.subarray(p + delimiter.length + 2, next - 2);
    const split = part.indexOf('\r\n\r\n');
    out.push({
      type: /content-type: ([^\r]+)/i.exec(part.subarray(0, split).toString())![1]!,
      bytes: part.subarray(split + 4),
    });
    p = next;
  }
  return out;
}

test('POST /v1/screen?return=sr,sc answers the SR and SC; with json, the JSON result first; without, serve’s JSON', async () => {
  const file = cr(9, 64);
  const source = readSourceHeader(file);
  const post = (q: string) =>
    fetch(`${server.url}/v1/screen${q}`, { method: 'POST', body: Buffer.from(file) as unknown as string });
  const r = await post('?return=sr,sc');
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('x-cxrkit-screened'), 'true');
  const parts = splitParts(Buffer.from(await r.arrayBuffer()), r.headers.get('content-type')!);
  assert.deepEqual(
    parts.map((p) => p.type),
    ['application/dicom', 'application/dicom'],
  );
  const [sr, sc] = parts.map((p) => readSourceHeader(new Uint8Array(p.bytes)));
  assert.equal(sr!.sopClassUid, '1.2.840.10008.5.1.4.1.1.88.33');
  assert.equal(sc!.sopClassUid, '1.2.840.10008.5.1.4.1.1.7');
  assert.equal(sr!.studyInstanceUid, source.studyInstanceUid);

  const j = await post('?return=json,sr&age=55'); // (40 would be under the card's minimum age: not screened)
  const jparts = splitParts(Buffer.from(await j.arrayBuffer()), j.headers.get('content-type')!);
  assert.match(j.headers.get('content-type')!, /type="application\/json"/);
  assert.equal(jparts[0]!.type, 'application/json');
  const result = JSON.parse(jparts[0]!.bytes.toString()) as { score: number; positive: boolean };
  assert.equal(result.score, Math.fround(0.55)); // the override ?age=55 reached the screen
  assert.equal(result.positive, true); // 0.55 ≥ the card's threshold 0.5
  assert.equal(jparts.length, 2);

  const plain = await post('');
  assert.match(plain.headers.get('content-type')!, /application\/json/);
  assert.equal(((await plain.json()) as { score: number }).score, Math.fround(0.64));
  const badReturn = await post('?return=sr,pdf');
  assert.equal(badReturn.status, 400);
  await badReturn.text();
});

const ctFile = sharedPath('dicom', 'nema-wg04', 'CT1_UNC');
test('POST /v1/screen?return=sr,sc for a CT: only an SR, saying not screened (the reason: its modality); a bad ?sex= is a 400', {
  skip: existsSync(ctFile) ? false : `shared file missing: ${ctFile}`,
}, async () => {
  const body = readFileSync(ctFile);
  const r = await fetch(`${server.url}/v1/screen?return=sr,sc`, { method: 'POST', body: body as unknown as string });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('x-cxrkit-screened'), 'false');
  const parts = splitParts(Buffer.from(await r.arrayBuffer()), r.headers.get('content-type')!);
  assert.equal(parts.length, 1);
  // the reason is serve's intended-use gate's, in its words
  assert.match(parts[0]!.bytes.toString('latin1'), /This is a CT image, not a CR or DX radiograph/);
  const bad = await fetch(`${server.url}/v1/screen?return=sr&sex=X`, {
    method: 'POST',
    body: Buffer.from(cr(11)) as unknown as string,
  });
  assert.equal(bad.status, 400);
  assert.equal(((await bad.json()) as { error: { code: string } }).error.code, 'SCREEN_BAD_OVERRIDE');
});
