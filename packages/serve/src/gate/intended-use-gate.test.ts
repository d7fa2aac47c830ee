// The intended-use gate on header facts (table-driven) and on every file issue 14 names: the NEMA CT, MR,
// hip and extremity (age 25), the colour HTJ2K file without Modality (uploaded with ?age=70&sex=F),
// multi-frame files — all "not screened", with the reasons and without a score — and the real chest
// radiographs, screened. Expected verdicts come from the files' own headers (Modality, Body Part Examined,
// frames, photometric interpretation, age: see shared/data/README.md), not from this code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createModelCard } from '@cxrkit/models/card';
import { sharedPath } from '../../../../test/helpers.js';
import { screenDicom, type ScreeningResult } from '../index.js';
import { recordingPredictor } from '../test-predictors.js';
import { intendedUseGate, type ImageFacts } from './intended-use-gate.js';

const card = createModelCard({
  name: 'gate',
  architecture: { inputSize: 64, channels: 1 },
  preprocessing: { normalize: 'zscore' },
  task: { kind: 'binary', condition: 'osteoporosis', positive: 'refer for DXA' },
  threshold: { value: 0.5, rule: { method: 'fixed' } },
});
const chest: ImageFacts = {
  modality: 'DX',
  bodyPart: 'CHEST',
  viewPosition: 'PA',
  age: 67,
  frames: 1,
  samplesPerPixel: 1,
  photometric: 'MONOCHROME2',
  rows: 2500,
  columns: 2048,
};

test('a PA chest radiograph of an adult over the minimum age passes with no warning', () => {
  assert.deepEqual(intendedUseGate(card, chest), { screened: true, reasons: [], warnings: [] });
  assert.deepEqual(intendedUseGate(card, { ...chest, modality: 'cr', bodyPart: 'Upper thorax' }).screened, true);
  assert.deepEqual(intendedUseGate(card, { ...chest, lungFields: { found: true } }).warnings, []);
});

test('each way out of the intended use is a reason, in words, and the image is not screened', () => {
  const cases: [Partial<ImageFacts>, RegExp][] = [
    [{ modality: undefined }, /does not record what kind of image.*CR or DX/],
    [{ modality: 'CT' }, /This is a CT image, not a CR or DX radiograph/],
    [{ modality: 'XC' }, /modality XC/],
    [{ frames: 10 }, /holds 10 images/],
    [{ samplesPerPixel: 3, photometric: 'RGB' }, /colour \(rgb\)/],
    [{ photometric: 'PALETTE COLOR' }, /colour \(palette color\)/],
    [{ bodyPart: 'HIP' }, /of the hip .*not the chest or thorax/],
    [{ bodyPart: undefined, lungFields: { found: false } }, /lung fields .* not found/],
    [{ rows: 200, columns: 200 }, /only 200 × 200 pixels/],
    [{ rows: 300, columns: 1000 }, /long and narrow/],
    [{ viewPosition: 'LL' }, /lateral view \(LL\).*PA chest/],
    [{ age: 25 }, /25 years old.*aged 50 or more/],
  ];
  for (const [change, reason] of cases) {
    const v = intendedUseGate(card, { ...chest, ...change });
    assert.equal(v.screened, false, JSON.stringify(change));
    assert.equal(v.reasons.length, 1, `${JSON.stringify(change)}: ${v.reasons.join(' | ')}`);
    assert.match(v.reasons[0]!, reason);
    assert.deepEqual(v.warnings, [], 'no warnings for an image that is not screened');
  }
});

test('inside the intended use but unusual: warned, still screened', () => {
  const cases: [Partial<ImageFacts>, RegExp][] = [
    [{ viewPosition: 'AP' }, /View position AP: the model was trained on PA/],
    [{ age: undefined }, /^Age unknown: .*aged 50 or more/],
    [{ rows: 440, columns: 440 }, /Low resolution \(440 × 440 pixels\)/],
    [{ lungFields: { found: false } }, /says chest, but the two lung fields were not clearly found/],
  ];
  for (const [change, warning] of cases) {
    const v = intendedUseGate(card, { ...chest, ...change });
    assert.equal(v.screened, true, JSON.stringify(change));
    assert.equal(v.warnings.length, 1, v.warnings.join(' | '));
    assert.match(v.warnings[0]!, warning);
  }
  // no body part in the header, lung fields found: a chest, nothing to warn about; absent view: not warned
  assert.deepEqual(
    intendedUseGate(card, { ...chest, bodyPart: undefined, viewPosition: undefined, lungFields: { found: true } }),
    {
      screened: true,
      reasons: [],
      warnings: [],
    },
  );
});

const file = (p: string) => sharedPath('dicom', p);
const FILES = {
  ct: 'nema-wg04/CT1_UNC',
  mr: 'nema-wg04/MR4_UNC',
  hip: 'nema-wg04/RG2_JPLL',
  extremity: 'nema-wg04/RG3_JPLL',
  rgb: 'pydicom-data/HTJ2K_08_RGB.dcm',
  mrFrames: 'pydicom-data/emri_small.dcm',
  usClip: 'dicom.ts-test-files/US-PAL-8-10x-echo.dcm',
  ctFrames: 'dicomParser-testImages/encapsulated/multi-frame/CT0012.not_fragmented_bot_rle.dcm',
  nih: 'nhsx-nccid-testdata/1.3.6.1.4.1.11129.5.5.110503645592756492463169821050252582267888.dcm',
  siim: 'torchxrayvision-tests/1.2.276.0.7230010.3.1.4.8323329.6904.1517875201.850819.dcm',
  rg1: 'nema-wg04/RG1_JLSN',
  gdcm: 'dwv-tests-data/gdcm-CR-MONO1-10-chest.dcm',
};
const missing = Object.values(FILES).find((f) => !existsSync(file(f)));
const skip = missing ? `shared data file missing: ${missing} (set CXRKIT_DATA)` : false;

function notScreened(r: ScreeningResult, label: string): string[] {
  assert.equal(r.screened, false, `${label} was screened`);
  for (const key of ['score', 'positive', 'recommendation', 'threshold', 'gradcam']) {
    assert.ok(!(key in r), `${label}: a result that is not screened has no ${key}`);
  }
  assert.ok(r.reasons.length > 0);
  return r.reasons;
}

test('the files of issue 14 outside the intended use are not screened, with the reasons', { skip }, async () => {
  const p = recordingPredictor(['image'], 0.99);
  const screen = (f: string, overrides = {}) => screenDicom(file(f), { predictor: p, card, overrides });
  const has = (reasons: string[], re: RegExp, label: string) =>
    assert.ok(
      reasons.some((r) => re.test(r)),
      `${label}: no reason matching ${re} in ${reasons.join(' | ')}`,
    );

  has(notScreened(await screen(FILES.ct), 'CT1'), /This is a CT image/, 'CT1');
  has(notScreened(await screen(FILES.mr), 'MR4'), /This is an MR image/, 'MR4');
  const hip = notScreened(await screen(FILES.hip), 'RG2');
  has(hip, /of the hip/, 'RG2');
  const extremity = notScreened(await screen(FILES.extremity), 'RG3');
  has(extremity, /of the extremity/, 'RG3');
  has(extremity, /25 years old/, 'RG3'); // PatientAge 025Y
  // RG3 is AP: an AP view alone is warned about, not refused
  assert.ok(!extremity.some((r) => /view/i.test(r)), extremity.join(' | '));

  // the colour image without Modality that got "Low risk" with no warning (issue 14), uploaded with age and sex
  const rgb = notScreened(await screen(FILES.rgb, { age: 70, sex: 'F' }), 'HTJ2K RGB');
  has(rgb, /does not record what kind of image/, 'HTJ2K RGB');
  has(rgb, /colour \(rgb\)/, 'HTJ2K RGB');

  for (const [label, f, frames] of [
    ['MR, 10 frames', FILES.mrFrames, 10],
    ['US palette clip, 10 frames', FILES.usClip, 10],
    ['CT, 2 frames', FILES.ctFrames, 2],
  ] as const) {
    has(notScreened(await screen(f), label), new RegExp(`holds ${frames} images`), label);
  }
  assert.equal(p.calls.length, 0, 'no image outside the intended use reached the model');
});

test('the real chest radiographs are screened (warned where unusual)', { skip }, async () => {
  const p = recordingPredictor(['image'], 0.7);
  const screen = (f: string) => screenDicom(file(f), { predictor: p, card });
  for (const f of [FILES.nih, FILES.siim, FILES.rg1]) {
    const r = await screen(f);
    assert.ok(r.screened, `${f}: ${r.reasons.join(' | ')}`);
    assert.equal(r.score, Math.fround(0.7));
    assert.deepEqual(r.warnings, [], `${f}: ${r.warnings.join(' | ')}`);
  }
  // the 440 × 440 GDCM chest has no age in its header: screened, with the two warnings
  const gdcm = await screen(FILES.gdcm);
  assert.ok(gdcm.screened, gdcm.reasons.join(' | '));
  assert.equal(gdcm.warnings.length, 2, gdcm.warnings.join(' | '));
  assert.match(gdcm.warnings[0]!, /^Age unknown/);
  assert.match(gdcm.warnings[1]!, /Low resolution \(440 × 440/);
  assert.equal(p.calls.length, 4);
});
