// The C-STORE SCP on the wire: well-formed traffic (hand-built PDUs and dcmtk's storescu/echoscu) is stored
// and screened; hostile traffic (garbage, oversized PDUs, truncated and oversized C-STOREs, P-DATA before
// an association, a wrong AE title, a silent peer) gets an A-ABORT, an A-ASSOCIATE-RJ or a failure
// status — and the SCP keeps serving. Statuses and PDU layouts are those of PS3.4 / PS3.7 / PS3.8.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, readFileSync } from 'node:fs';
import { encodeDicom, synthesizeRadiograph } from '@cxrkit/core/tfjs-free';
import { screenDicomWithCard, type ScreeningPredictor } from '@cxrkit/serve';
import { sharedPath } from '../../../test/helpers.js';
import type { ResultObject } from './build-sr.js';
import { startDimseReceiver, type DimseReceiverHandle } from './dimse-scp.js';
import { createDicomReceiver, type ReceiverEvent } from './receiver.js';
import { readSourceHeader } from './source-header.js';
import { testCard } from './test-card.js';
import { associateRq, cEchoRq, commandStatus, cStoreRq, pdataTf, releaseRq, WireClient } from './test-dimse-wire.js';

const CR_STORAGE = '1.2.840.10008.5.1.4.1.1.1';
const EXPLICIT_LE = '1.2.840.10008.1.2.1';
const VERIFICATION = '1.2.840.10008.1.1';
const card = testCard();
const predictor: ScreeningPredictor = {
  inputNames: ['image', 'age', 'sex'],
  outputNames: ['y'],
  engine: 'stub',
  predict: async () => ({ y: { data: Float32Array.of(0.7), shape: [1, 1] } }),
};

const sent: ResultObject[][] = [];
const events: ReceiverEvent[] = [];
let gate: Promise<void> | undefined; // while set, every screen waits for it (to fill the queue)
const receiver = createDicomReceiver({
  card,
  // serve's screen (its intended-use gate decides what is screened) on a model that always answers 0.7
  screen: async (bytes) => {
    if (gate) await gate;
    return screenDicomWithCard(bytes, card, predictor);
  },
  destination: { description: 'memory', send: async (objects) => void sent.push(objects) },
  maxPending: 2,
  onEvent: (e) => events.push(e),
});
let scp: DimseReceiverHandle;

before(async () => {
  scp = await startDimseReceiver({
    receiver,
    aeTitle: 'CXRKIT',
    port: 0,
    maxPduLength: 16384,
    maxInstanceBytes: 1024 * 1024,
    associationTimeoutSeconds: 2,
    pduTimeoutSeconds: 5,
  });
});
after(() => scp.close());

/** A synthetic CR (CR Image Storage, explicit VR LE) and its data set bytes (after the file meta). */
// 256 px by default: the smallest film serve's intended-use gate screens
function syntheticCr(seed: number, size = 256) {
  const r = synthesizeRadiograph({ seed, size, age: 70, sex: 'F' });
  const file = encodeDicom({ image: r.image, labels: r.labels }, { seed, patientId: `P${seed}` });
  const metaLength = new DataView(file.buffer, file.byteOffset).getUint32(132 + 8, true);
  const header = readSourceHeader(file);
  return { file, dataset: Buffer.from(file.subarray(132 + 12 + metaLength)), header };
}

/** Opens an association proposing CR storage and verification; returns the client after the A-ASSOCIATE-AC. */
async function associate(called = 'CXRKIT') {
  const c = await WireClient.open(scp.port);
  c.send(
    associateRq(called, 'FUZZER', [
      { id: 1, abstract: CR_STORAGE, syntaxes: [EXPLICIT_LE] },
      { id: 3, abstract: VERIFICATION, syntaxes: ['1.2.840.10008.1.2'] },
    ]),
  );
  const answer = await c.nextPdu();
  return { c, answer };
}

/** Sends a C-STORE of `dataset` in PDVs of at most 8 KiB; returns the response status. */
async function store(c: WireClient, sopInstance: string, dataset: Buffer): Promise<number | undefined> {
  c.send(pdataTf(1, cStoreRq(CR_STORAGE, sopInstance), true, true));
  for (let i = 0; i < dataset.length || i === 0; i += 8192) {
    const end = Math.min(dataset.length, i + 8192);
    c.send(pdataTf(1, dataset.subarray(i, end), false, end === dataset.length));
  }
  const pdu = await c.nextPdu();
  return pdu?.type === 0x04 ? commandStatus(pdu) : undefined;
}

test('a C-STORE over a hand-built association is answered Success; its SR and SC are sent on', async () => {
  const cr = syntheticCr(1);
  const { c, answer } = await associate();
  assert.equal(answer?.type, 0x02, 'A-ASSOCIATE-AC');
  assert.equal(await store(c, cr.header.sopInstanceUid, cr.dataset), 0x0000);
  c.send(pdataTf(3, cEchoRq(2), true, true));
  assert.equal(commandStatus((await c.nextPdu())!), 0x0000, 'C-ECHO on the same association');
  c.send(releaseRq);
  assert.equal((await c.nextPdu())?.type, 0x06, 'A-RELEASE-RP');
  await receiver.idle();
  const last = sent.at(-1)!;
  assert.equal(last.length, 2);
  assert.deepEqual(
    last.map((o) => o.sopClassUid),
    ['1.2.840.10008.5.1.4.1.1.88.33', '1.2.840.10008.5.1.4.1.1.7'],
  );
  const sr = readSourceHeader(last[0]!.bytes);
  assert.equal(sr.studyInstanceUid, cr.header.studyInstanceUid);
  c.close();
});

test('hostile traffic gets an A-ABORT, an A-ASSOCIATE-RJ or a failure status, and the SCP keeps serving', async () => {
  // garbage instead of an A-ASSOCIATE-RQ → A-ABORT, reason 2 (unexpected PDU)
  const g = await WireClient.open(scp.port);
  g.send(Buffer.from('GET / HTTP/1.1\r\nHost: pacs\r\n\r\n'));
  const ga = await g.nextPdu();
  assert.deepEqual([ga?.type, ga?.body[3]], [0x07, 2]);
  assert.ok(await g.waitClosed());

  // an A-ASSOCIATE-RQ declaring 4 GiB → A-ABORT, reason 6 (invalid PDU parameter), nothing buffered
  const h = await WireClient.open(scp.port);
  h.send(Buffer.from([0x01, 0, 0xff, 0xff, 0xff, 0xf0, 0, 1]));
  const ha = await h.nextPdu();
  assert.deepEqual([ha?.type, ha?.body[3]], [0x07, 6]);
  assert.ok(await h.waitClosed());

  // P-DATA before any association → A-ABORT, reason 2
  const p = await WireClient.open(scp.port);
  p.send(pdataTf(1, cEchoRq(), true, true));
  const pa = await p.nextPdu();
  assert.deepEqual([pa?.type, pa?.body[3]], [0x07, 2]);

  // a wrong called AE title → A-ASSOCIATE-RJ (called AE title not recognized: source 1, reason 7)
  const w = await associate('NOT-CXRKIT');
  assert.equal(w.answer?.type, 0x03);
  assert.deepEqual([w.answer!.body[2], w.answer!.body[3]], [1, 7]);
  w.c.close();

  // inside an association: a P-DATA-TF over the announced maximum (16 KiB) → A-ABORT, reason 6
  const big = await associate();
  assert.equal(big.answer?.type, 0x02);
  big.c.send(Buffer.from([0x04, 0, 0xff, 0xff, 0xff, 0xf0, 0, 0, 0, 1]));
  const ba = await big.c.nextPdu();
  assert.deepEqual([ba?.type, ba?.body[3]], [0x07, 6]);

  // a truncated C-STORE (the data set cut inside its header) → C000 (cannot understand)
  const cr = syntheticCr(2);
  const huge = syntheticCr(3, 800); // 800 × 800 × 2 bytes (made before associating: idle associations time out)
  const t = await associate();
  assert.equal(await store(t.c, cr.header.sopInstanceUid, cr.dataset.subarray(0, 300)), 0xc000);
  // a C-STORE larger than maxInstanceBytes (1 MiB) → A700 (out of resources), the association goes on
  assert.ok(huge.dataset.length > 1024 * 1024);
  assert.equal(await store(t.c, huge.header.sopInstanceUid, huge.dataset), 0xa700);
  t.c.send(pdataTf(3, cEchoRq(9), true, true));
  assert.equal(commandStatus((await t.c.nextPdu())!), 0x0000);
  t.c.close();

  // a peer that connects and says nothing is dropped after the association timeout (2 s here)
  const silent = await WireClient.open(scp.port);
  assert.ok(await silent.waitClosed(6000), 'silent connection closed');

  // still serving: a fresh association stores and echoes
  const cr4 = syntheticCr(4);
  const ok = await associate();
  assert.equal(ok.answer?.type, 0x02);
  assert.equal(await store(ok.c, cr4.header.sopInstanceUid, cr4.dataset), 0x0000);
  ok.c.close();
  await receiver.idle();
  const open = await new Promise<number>((r) => scp.server.getConnections((_e, n) => r(n)));
  assert.ok(open <= 1, `${open} connections left open`);
});

test('a full queue answers A700 (out of resources) until it drains', async () => {
  let open!: () => void;
  gate = new Promise<void>((r) => (open = r));
  const crs = [10, 11, 12, 13, 20].map((seed) => syntheticCr(seed));
  const { c } = await associate();
  const results: (number | undefined)[] = [];
  for (const cr of crs.slice(0, 4)) results.push(await store(c, cr.header.sopInstanceUid, cr.dataset));
  // maxPending 2: the first two are queued (one in work, held), the rest refused
  assert.deepEqual(results, [0x0000, 0x0000, 0xa700, 0xa700]);
  gate = undefined;
  open();
  await receiver.idle();
  assert.equal(await store(c, crs[4]!.header.sopInstanceUid, crs[4]!.dataset), 0x0000);
  c.close();
  await receiver.idle();
  assert.ok(events.some((e) => e.type === 'refused' && e.code === 'DICOMNET_BUSY'));
});

const storescu = spawnSync('storescu', ['--version'], { stdio: 'ignore' }).error === undefined;
const cxr = sharedPath('dicom', 'torchxrayvision-tests', '1.2.276.0.7230010.3.1.4.8323329.6904.1517875201.850819.dcm');
const ct = sharedPath('dicom', 'nema-wg04', 'CT1_UNC');

test('dcmtk echoscu and storescu: a real CR (JPEG) gets an SR and an SC, a CT an SR that says not screened', {
  skip: !storescu
    ? 'needs storescu/echoscu (Debian package dcmtk)'
    : !existsSync(cxr) || !existsSync(ct)
      ? 'shared DICOM files missing'
      : false,
}, async () => {
  // (asynchronously: the SCP answers from this process's event loop)
  const run = promisify(execFile);
  await run('echoscu', ['-aec', 'CXRKIT', '127.0.0.1', String(scp.port)]);
  const before = sent.length;
  for (const f of [cxr, ct]) {
    const r = await run('storescu', ['-xy', '-aec', 'CXRKIT', '127.0.0.1', String(scp.port), f]);
    assert.doesNotMatch(r.stderr, /Failed/);
  }
  await receiver.idle();
  const mine = sent.slice(before);
  assert.deepEqual(
    mine.map((objs) => objs.length),
    [2, 1],
  );
  const ctSr = mine[1]![0]!;
  assert.equal(
    readSourceHeader(ctSr.bytes).studyInstanceUid,
    readSourceHeader(new Uint8Array(readFileSync(ct))).studyInstanceUid,
  );
});
