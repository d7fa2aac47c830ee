// The receive pipeline: every readable instance yields one SR at the destination (and a screened one an SC);
// outside the intended use or unreadable pixels → "not screened" with the reason; a failing destination is
// retried, then reported; the log events never carry a patient identifier.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { CxrkitError, encodeDicom, synthesizeRadiograph } from '@cxrkit/core/tfjs-free';
import { screenDicomWithCard, type ScreeningPredictor } from '@cxrkit/serve';
import { sharedPath } from '../../../test/helpers.js';
import type { ResultObject } from './build-sr.js';
import { createDicomReceiver, type ReceiverEvent } from './receiver.js';
import type { ScreeningOutcome } from './screening-outcome.js';
import { readSourceHeader } from './source-header.js';
import { testCard } from './test-card.js';
import { PY_SR_TREE, pydicomJson, skipPydicom } from './test-tools.js';

const card = testCard();
const PATIENT = { id: 'PAT-31337', name: 'ROE^RICHARD' };

function cr(seed: number): Uint8Array {
  const r = synthesizeRadiograph({ seed, size: 96, age: 80, sex: 'M' });
  return encodeDicom({ image: r.image, labels: r.labels }, { seed, patientId: PATIENT.id, patientName: PATIENT.name });
}

function setup(screen: (bytes: Uint8Array) => Promise<ScreeningOutcome>, send?: (o: ResultObject[]) => Promise<void>) {
  const sent: ResultObject[][] = [];
  const events: ReceiverEvent[] = [];
  const receiver = createDicomReceiver({
    card,
    screen,
    destination: { description: 'memory', send: send ?? (async (o) => void sent.push(o)) },
    sendAttempts: 2,
    onEvent: (e) => events.push(e),
  });
  return { receiver, sent, events };
}

const screenedOutcome = async (): Promise<ScreeningOutcome> => ({
  condition: 'osteoporosis',
  score: 0.3,
  threshold: 0.5,
  positive: false,
  warnings: [],
  cardId: card.id!,
});

type Node = { concept: string[] | null; value?: unknown; children: Node[] };
const find = (n: Node, code: string): Node[] =>
  (n.concept?.[0] === code ? [n] : []).concat(n.children.flatMap((c) => find(c, code)));

test('a screened CR yields SR + SC; a screen that throws yields an SR saying why it was not screened', {
  skip: skipPydicom,
}, async () => {
  let calls = 0;
  const { receiver, sent } = setup(async (bytes) => {
    calls++;
    if (calls === 2) {
      throw new CxrkitError('DICOM_TRUNCATED', 'pixel data ends early', { received: bytes.length, fix: 'resend' });
    }
    return screenedOutcome();
  });
  const a = cr(1);
  const b = cr(2);
  assert.equal(receiver.accept(a, 'test').accepted, true);
  assert.equal(receiver.accept(b, 'test').accepted, true);
  await receiver.idle();
  assert.deepEqual(
    sent.map((o) => o.length),
    [2, 1],
  );
  const tree = pydicomJson<{ study: string; root: Node }>(sent[1]![0]!.bytes, PY_SR_TREE);
  assert.equal(tree.study, readSourceHeader(b).studyInstanceUid);
  const why = find(tree.root, 'NOT_SCREENED_WHY').map((n) => n.value as string);
  assert.equal(why.length, 1);
  assert.match(why[0]!, /DICOM_TRUNCATED.*pixel data ends early/);
});

const ct = sharedPath('dicom', 'nema-wg04', 'CT1_UNC');
test('a CT (not CR/DX) is acknowledged and gets a "not screened" SR with the reason of serve\'s intended-use gate', {
  skip: skipPydicom || (existsSync(ct) ? false : `shared file missing: ${ct}`),
}, async () => {
  let called = 0;
  const predictor: ScreeningPredictor = {
    inputNames: ['image', 'age', 'sex'],
    outputNames: ['y'],
    engine: 'stub',
    predict: async () => {
      called++;
      return { y: { data: Float32Array.of(0.7), shape: [1, 1] } };
    },
  };
  const { receiver, sent } = setup((bytes) => screenDicomWithCard(bytes, card, predictor));
  assert.equal(receiver.accept(new Uint8Array(readFileSync(ct)), 'test').accepted, true);
  await receiver.idle();
  assert.equal(sent[0]!.length, 1);
  const tree = pydicomJson<{ root: Node }>(sent[0]![0]!.bytes, PY_SR_TREE);
  assert.deepEqual(find(tree.root, 'SCREENED')[0]!.value, ['373067005', 'SCT', 'No']);
  assert.match(
    find(tree.root, 'NOT_SCREENED_WHY')[0]!.value as string,
    /^This is a CT image, not a CR or DX radiograph/,
  );
  assert.equal(find(tree.root, 'SCORE').length, 0);
  assert.equal(called, 0, 'the model is never called for an image outside the intended use');
});

test('a result that says screened: false (the gate) is reported as such, whatever the header', {
  skip: skipPydicom,
}, async () => {
  const { receiver, sent } = setup(async () => ({
    screened: false,
    reasons: ['Patient aged 19: outside the intended use.'],
    condition: 'osteoporosis',
    cardId: card.id!,
  }));
  receiver.accept(cr(3), 'test');
  await receiver.idle();
  const tree = pydicomJson<{ root: Node }>(sent[0]![0]!.bytes, PY_SR_TREE);
  assert.deepEqual(
    find(tree.root, 'NOT_SCREENED_WHY').map((n) => n.value),
    ['Patient aged 19: outside the intended use.'],
  );
});

test('garbage is refused as unreadable; a failing destination is retried, then reported', async () => {
  let tries = 0;
  const { receiver, events } = setup(screenedOutcome, async () => {
    tries++;
    throw new Error('destination down');
  });
  const refused = receiver.accept(new TextEncoder().encode('not a DICOM file at all'), 'test');
  assert.equal(refused.accepted, false);
  assert.equal(!refused.accepted && refused.why, 'unreadable');
  receiver.accept(cr(4), 'test');
  await receiver.idle();
  assert.equal(tries, 2); // sendAttempts: 2
  const failed = events.find((e) => e.type === 'failed');
  assert.ok(failed && failed.type === 'failed' && failed.stage === 'forward' && /destination down/.test(failed.error));
});

test('no event carries the patient name, ID, birth date or a UID in the clear', async () => {
  const { receiver, events } = setup(screenedOutcome);
  const files = [cr(5), cr(6)];
  for (const f of files) receiver.accept(f, 'test');
  receiver.accept(new Uint8Array(10), 'test');
  await receiver.idle();
  const log = JSON.stringify(events);
  const h = readSourceHeader(files[0]!);
  const birth = String(h.dataset.PatientBirthDate ?? '');
  assert.match(birth, /^\d{8}$/);
  for (const secret of [
    PATIENT.id,
    'ROE',
    'RICHARD',
    birth,
    h.studyInstanceUid,
    h.sopInstanceUid,
    h.seriesInstanceUid,
  ]) {
    assert.ok(!log.includes(secret), `the log holds ${secret}`);
  }
  assert.ok(events.some((e) => e.type === 'forwarded'));
  assert.match(log, /uid:[0-9a-f]{16}/);
});
