// The SR and SC made for a screening outcome, held to outside readers: dciodvfy (no errors), dsrdump (the
// content tree), pydicom (the values, the references, the copied Patient/Study modules, the pixels).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { encodeDicom, synthesizeRadiograph } from '@cxrkit/core/tfjs-free';
import { testCard } from './test-card.js';
import { sharedPath } from '../../../test/helpers.js';
import { buildResultObjects } from './result-objects.js';
import type { ScreeningOutcome } from './screening-outcome.js';
import { dciodvfy, dsrdump, PY_SR_TREE, pydicomJson, skipDciodvfy, skipDsrdump, skipPydicom } from './test-tools.js';

const card = testCard();
const cxr = sharedPath('dicom', 'torchxrayvision-tests', '1.2.276.0.7230010.3.1.4.8323329.6904.1517875201.850819.dcm');
const skipCxr = existsSync(cxr) ? false : `the shared chest radiograph is missing (${cxr}); set CXRKIT_DATA`;

/** A synthetic CR (CR Image Storage) with known patient facts, written by core's encoder. */
function syntheticCr(): Uint8Array {
  const r = synthesizeRadiograph({ seed: 5, size: 128, age: 71, sex: 'F' });
  return encodeDicom(
    { image: r.image, labels: r.labels },
    { patientId: 'PAT-4711', patientName: 'DOE^JANE', studyDate: '20250102', seed: 5 },
  );
}

const screened: ScreeningOutcome = {
  condition: 'osteoporosis',
  score: 0.8123456789,
  threshold: 0.5,
  positive: true,
  recommendation: 'High risk of osteoporosis on screening: refer for a DXA scan.',
  warnings: ['View position AP: the model was trained on PA chest radiographs.'],
  cardId: card.id!,
  engine: 'test',
  disclaimer: card.disclaimer,
};
// the gate's shape (issue 14 item 1): screened false, reasons, no score
const notScreened: ScreeningOutcome = {
  screened: false,
  reasons: ['Modality CT: the screen reads CR or DX radiographs only.', 'Body part HEAD: not a chest.'],
  condition: 'osteoporosis',
  cardId: card.id!,
  engine: 'test',
  disclaimer: card.disclaimer,
};

type Node = { type: string; rel: string | null; concept: string[] | null; value?: unknown; children: Node[] };
type Tree = {
  sopClass: string;
  modality: string;
  study: string;
  series: string;
  patientId: string;
  patientName: string;
  birthDate: string;
  template: string;
  evidence: string[];
  root: Node;
};
const find = (n: Node, code: string): Node[] =>
  (n.concept?.[0] === code ? [n] : []).concat(n.children.flatMap((c) => find(c, code)));

const PY_SOURCE = `
import json, sys, pydicom
ds = pydicom.dcmread(sys.argv[1], stop_before_pixels=True)
print(json.dumps({'study': ds.StudyInstanceUID, 'series': ds.SeriesInstanceUID, 'sop': ds.SOPInstanceUID,
  'sopClass': ds.SOPClassUID, 'patientId': str(ds.PatientID), 'patientName': str(ds.PatientName)}))`;

test('a screened result: SR with score, threshold, finding, warnings and algorithm; SC; both valid DICOM', {
  skip: skipDciodvfy || skipPydicom || skipDsrdump || skipCxr,
}, async () => {
  const source = new Uint8Array(readFileSync(cxr));
  const src = pydicomJson<Record<string, string>>(source, PY_SOURCE);
  const made = await buildResultObjects(screened, source, { card });
  assert.equal(made.screened, true);
  assert.ok(made.sc, 'a screened image gets an SC');

  for (const obj of [made.sr, made.sc!]) {
    const v = dciodvfy(obj.bytes);
    assert.deepEqual(v.errors, [], v.output);
  }
  const tree = pydicomJson<Tree>(made.sr.bytes, PY_SR_TREE);
  assert.equal(tree.sopClass, '1.2.840.10008.5.1.4.1.1.88.33'); // Comprehensive SR
  assert.equal(tree.modality, 'SR');
  assert.equal(tree.template, '1500');
  assert.equal(tree.study, src.study); // same study…
  assert.notEqual(tree.series, src.series); // …new series
  assert.equal(tree.patientId, src.patientId);
  assert.equal(tree.patientName, src.patientName);
  assert.deepEqual(tree.evidence, [src.study, src.series, src.sop]);
  assert.deepEqual(tree.root.concept, ['126000', 'DCM', 'Imaging Measurement Report']);
  const image = find(tree.root, '260753009')[0]!;
  assert.deepEqual(image.value, [src.sopClass, src.sop]);
  assert.equal(find(tree.root, 'SCORE')[0]!.value, 0.8123456789);
  assert.deepEqual(find(tree.root, 'SCORE')[0]!.children, []);
  assert.equal(find(tree.root, 'THRESHOLD')[0]!.value, 0.5);
  assert.deepEqual(find(tree.root, '121071')[0]!.value, ['64859006', 'SCT', 'Osteoporosis']);
  assert.deepEqual(find(tree.root, 'REFER_DXA')[0]!.value, ['373066001', 'SCT', 'Yes']);
  assert.deepEqual(
    find(tree.root, 'WARNING').map((n) => n.value),
    screened.warnings,
  );
  assert.equal(find(tree.root, '111001')[0]!.value, card.name); // TID 4019 algorithm name
  assert.equal(find(tree.root, '111003')[0]!.value, `cxrkit ${card.cxrkitVersion}`);
  assert.ok(find(tree.root, '111002').some((n) => n.value === `model card ${card.id}`));
  assert.equal(find(tree.root, 'MODEL_CARD_ID')[0]!.value, card.id);
  assert.equal(find(tree.root, 'SCREENED').length, 0);

  const dump = dsrdump(made.sr.bytes);
  assert.equal(dump.status, 0, dump.text);
  for (const s of [
    'Imaging Measurement Report',
    'Measurement Group',
    'Screening score',
    'Refer for DXA',
    'Algorithm Name',
  ]) {
    assert.match(dump.text, new RegExp(s));
  }
  assert.match(dump.text, /\(SCORE,99CXRKIT,"Screening score"\)="0\.8123456789"/);
});

test('a "not screened" result: an SR with the reasons and no score, and no SC', {
  skip: skipDciodvfy || skipPydicom || skipDsrdump,
}, async () => {
  const source = syntheticCr();
  const made = await buildResultObjects(notScreened, source, { card });
  assert.equal(made.screened, false);
  assert.equal(made.sc, undefined);
  const v = dciodvfy(made.sr.bytes);
  assert.deepEqual(v.errors, [], v.output);
  const tree = pydicomJson<Tree>(made.sr.bytes, PY_SR_TREE);
  assert.equal(tree.patientId, 'PAT-4711');
  assert.equal(tree.patientName, 'DOE^JANE');
  assert.deepEqual(find(tree.root, 'SCREENED')[0]!.value, ['373067005', 'SCT', 'No']);
  assert.deepEqual(
    find(tree.root, 'NOT_SCREENED_WHY').map((n) => n.value),
    notScreened.reasons,
  );
  for (const code of ['SCORE', 'THRESHOLD', 'REFER_DXA', '121071', 'RECOMMENDATION']) {
    assert.equal(find(tree.root, code).length, 0, `${code} in a not-screened report`);
  }
  assert.equal(find(tree.root, '111001')[0]!.value, card.name);
  assert.equal(dsrdump(made.sr.bytes).status, 0);
});

const PY_PIXELS = `
import json, sys, pydicom
ds = pydicom.dcmread(sys.argv[1])
a = ds.pixel_array
print(json.dumps({'shape': list(a.shape), 'pi': ds.PhotometricInterpretation, 'modality': ds.Modality,
  'type': list(ds.ImageType), 'src': ds.SourceImageSequence[0].ReferencedSOPInstanceUID,
  'burned': ds.BurnedInAnnotation, 'lossy': ds.LossyImageCompression, 'study': ds.StudyInstanceUID,
  'top': a[:512, :512, :].reshape(-1).tolist()[:: 997], 'band': a[512:, :, :].reshape(-1, 3).tolist()}))`;

test('the SC shows the Grad-CAM overlay as given, with the result burned in below it', {
  skip: skipDciodvfy || skipPydicom,
}, async () => {
  const source = syntheticCr();
  // a 512 × 512 overlay with a known pattern (kept at its size: no resampling)
  const overlay = new Uint8ClampedArray(4 * 512 * 512);
  for (let i = 0; i < 512 * 512; i++) {
    overlay[4 * i] = i % 251;
    overlay[4 * i + 1] = (i >> 9) % 256;
    overlay[4 * i + 2] = 200;
    overlay[4 * i + 3] = 255;
  }
  const withCam: ScreeningOutcome = {
    ...screened,
    positive: false,
    score: 0.2,
    gradcam: { overlay: { data: overlay, width: 512, height: 512, channels: 4 }, layers: ['mixed10'] },
  };
  const made = await buildResultObjects(withCam, source, { card });
  const v = dciodvfy(made.sc!.bytes);
  assert.deepEqual(v.errors, [], v.output);
  const px = pydicomJson<{
    shape: number[];
    pi: string;
    modality: string;
    type: string[];
    src: string;
    burned: string;
    lossy: string;
    top: number[];
    band: number[][];
  }>(made.sc!.bytes, PY_PIXELS);
  assert.equal(px.pi, 'RGB');
  assert.equal(px.shape[1], 512);
  assert.equal(px.shape[2], 3);
  assert.ok(px.shape[0]! > 512, 'a text band below the picture');
  assert.deepEqual(px.type, ['DERIVED', 'SECONDARY']);
  assert.equal(px.burned, 'NO'); // no patient identifiers burned in
  assert.equal(px.lossy, '00'); // the synthetic source is uncompressed
  const expected: number[] = [];
  for (let i = 0; i < 512 * 512 * 3; i++) {
    const p = Math.floor(i / 3);
    const c = i % 3;
    if (i % 997 === 0) expected.push(overlay[4 * p + c]!);
  }
  assert.deepEqual(px.top, expected);
  // the first line of the band is the yellow "screening aid" line; a low-risk verdict line is green
  const yellow = px.band.filter(([r, g, b]) => r === 255 && g === 220 && b === 0).length;
  const green = px.band.filter(([r, g, b]) => r === 120 && g === 230 && b === 120).length;
  assert.ok(yellow > 100 && green > 100, `yellow ${yellow}, green ${green}`);
});

test('the SC of a JPEG-compressed radiograph without an overlay is marked lossy and shows the radiograph', {
  skip: skipDciodvfy || skipPydicom || skipCxr,
}, async () => {
  const source = new Uint8Array(readFileSync(cxr));
  const made = await buildResultObjects(screened, source, { card });
  const px = pydicomJson<{ shape: number[]; lossy: string; top: number[] }>(made.sc!.bytes, PY_PIXELS);
  assert.equal(px.lossy, '01'); // once lossy, always lossy (the source is JPEG baseline)
  assert.deepEqual(px.shape.slice(1), [1024, 3]); // 1024 × 1024 source, longer side kept at 1024
  // the picture is grey (R = G = B): the radiograph, no overlay
  const full = pydicomJson<{ grey: boolean }>(
    made.sc!.bytes,
    `import json, sys, pydicom
ds = pydicom.dcmread(sys.argv[1]); a = ds.pixel_array[:1024]
print(json.dumps({'grey': bool((a[..., 0] == a[..., 1]).all() and (a[..., 1] == a[..., 2]).all())}))`,
  );
  assert.equal(full.grey, true);
});
