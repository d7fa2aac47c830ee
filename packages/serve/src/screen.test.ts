import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isCxrkitError, encodeDicom, synthesizeRadiograph } from '@cxrkit/core/tfjs-free';
import { screenDicom, resolveScreeningConfig } from './index.js';
import { recordingPredictor } from './test-predictors.js';
import { dataDir, sharedData } from '../../../test/helpers.js';

// The real NIH chest radiograph DICOM: DX, 1024×1024, PatientAge 081Y, PatientSex M (shared/data README).
const data = sharedData('dicom/nhsx-nccid-testdata');
const nccid = () => dataDir('dicom', 'nhsx-nccid-testdata', '1.3.6.1.4.1.11129.5.5.110503645592756492463169821050252582267888.dcm');
const config = resolveScreeningConfig({ inputSize: 64, threshold: 0.5 });

test('a real DICOM becomes a z-scored [1, 64, 64, 1] image, and the score is compared to the threshold', { skip: data.missing }, async () => {
  const p = recordingPredictor(['image'], 0.7);
  const r = await screenDicom(nccid(), { predictor: p, config });
  assert.equal(p.calls.length, 1);
  const img = p.calls[0]!.image!;
  assert.deepEqual(img.shape, [1, 64, 64, 1]);
  // z-score per image (thesis Part 2): mean 0, std 1 by construction of the definition
  const n = img.data.length;
  const mean = img.data.reduce((a, v) => a + v, 0) / n;
  const sd = Math.sqrt(img.data.reduce((a, v) => a + (v - mean) ** 2, 0) / n);
  assert.ok(Math.abs(mean) < 1e-5, `mean ${mean}`);
  assert.ok(Math.abs(sd - 1) < 1e-4, `sd ${sd}`);
  assert.equal(r.positive, true);
  assert.equal(r.score, Float32Array.of(0.7)[0]);
  assert.match(r.recommendation, /refer for a DXA scan/);
  assert.equal(r.patient.age, 81);
  assert.equal(r.patient.sex, 'M');
  assert.deepEqual([r.study.rows, r.study.columns], [1024, 1024]);
  assert.equal(r.warnings.length, 0, r.warnings.join('; '));
});

test('a score just below the threshold is negative; at the threshold it is positive', { skip: data.missing }, async () => {
  const below = await screenDicom(nccid(), { predictor: recordingPredictor(['image'], 0.4999), config });
  assert.equal(below.positive, false);
  assert.match(below.recommendation, /no DXA referral/);
  const at = await screenDicom(nccid(), { predictor: recordingPredictor(['image'], 0.5), config });
  assert.equal(at.positive, true);
});

test('fusion inputs are fed from the header (age × 0.01, sex M = 1) or from overrides', { skip: data.missing }, async () => {
  const p = recordingPredictor(['image', 'age', 'sex'], 0.2);
  await screenDicom(nccid(), { predictor: p, config: { ...config, channels: 3 } });
  assert.deepEqual(p.calls[0]!.image!.shape, [1, 64, 64, 3]);
  assert.equal(p.calls[0]!.age!.data[0], Math.fround(0.81));
  assert.equal(p.calls[0]!.sex!.data[0], 1);
  const r = await screenDicom(nccid(), { predictor: p, config, overrides: { age: 45, sex: 'F' } });
  assert.equal(p.calls[1]!.age!.data[0], Math.fround(0.45));
  assert.equal(p.calls[1]!.sex!.data[0], 0);
  assert.equal(r.patient.ageSource, 'upload');
  assert.ok(r.warnings.some((w) => /aged 45/.test(w) && /50 or more/.test(w)), r.warnings.join('; '));
});

test('a model that needs age, on a file without age, is a typed SCREEN_MISSING_INPUT', async () => {
  const s = synthesizeRadiograph({ seed: 3, size: 128 });
  const bytes = encodeDicom({ image: s.image });
  await assert.rejects(
    screenDicom(bytes, { predictor: recordingPredictor(['image', 'age'], 0.5), config }),
    (e: unknown) => isCxrkitError(e, 'SCREEN_MISSING_INPUT') && /\?age=/.test((e as Error).message),
  );
});

test('an unknown age is warned about with the card’s minimum age', async () => {
  const bytes = encodeDicom({ image: synthesizeRadiograph({ seed: 3, size: 128 }).image }); // no PatientAge / birth date
  const r = await screenDicom(bytes, { predictor: recordingPredictor(['image'], 0.5), config: { ...config, minAge: 40 } });
  assert.equal(r.patient.age, undefined);
  assert.ok(r.warnings.some((w) => /^Age unknown/.test(w) && /aged 40 or more/.test(w)), r.warnings.join('; '));
});

test('a broken file is the reader’s typed error, and nothing reaches the model', async () => {
  const p = recordingPredictor(['image'], 0.5);
  await assert.rejects(screenDicom(new TextEncoder().encode('not a dicom file at all'), { predictor: p, config }), (e: unknown) => isCxrkitError(e) && (e as { code: string }).code.startsWith('DICOM_'));
  assert.equal(p.calls.length, 0);
});

test('a model with more than one score per image, or a NaN score, is refused', { skip: data.missing }, async () => {
  const two = { ...recordingPredictor(['image'], 0.5), async predict() { return { head_output: { data: Float32Array.of(0.1, 0.9), shape: [1, 2] } }; } };
  await assert.rejects(screenDicom(nccid(), { predictor: two, config }), (e: unknown) => isCxrkitError(e, 'SCREEN_BAD_OUTPUT'));
  await assert.rejects(screenDicom(nccid(), { predictor: recordingPredictor(['image'], Number.NaN), config }), (e: unknown) => isCxrkitError(e, 'SCREEN_BAD_OUTPUT'));
});
