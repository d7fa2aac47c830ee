import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isCxrkitError, percentiles, synthesizeRadiograph, type GrayImage } from '@cxrkit/core/tfjs-free';
import { createModelCard, modelInputs, modelInputsFromDicom, cardInputNames } from './index.js';
import { exampleCardInput } from './test-cards.js';

const radiograph = (): GrayImage => synthesizeRadiograph({ seed: 11, size: 96 }).image;
const card = createModelCard(exampleCardInput(32));
const meta = { age: 81, sex: 'M' as const };

test('image: percentile clip, bicubic resize, per-image z-score into [1, size, size, 1]; fusion from the card', () => {
  const inputs = modelInputs(radiograph(), meta, card);
  assert.deepEqual(Object.keys(inputs), ['image', 'age', 'sex']);
  assert.deepEqual(cardInputNames(card), ['image', 'age', 'sex']);
  const img = inputs.image!;
  assert.deepEqual(img.shape, [1, 32, 32, 1]);
  const n = img.data.length;
  const mean = img.data.reduce((a, v) => a + v, 0) / n;
  const sd = Math.sqrt(img.data.reduce((a, v) => a + (v - mean) ** 2, 0) / n);
  assert.ok(Math.abs(mean) < 1e-5 && Math.abs(sd - 1) < 1e-4, `z-score: mean ${mean}, sd ${sd}`);
  // encodings are the card's data: 81 years × 0.01, M → 1
  assert.deepEqual(inputs.age, { data: Float32Array.of(0.81), shape: [1, 1] });
  assert.deepEqual(inputs.sex, { data: Float32Array.of(1), shape: [1, 1] });
});

test('the card, not the code, decides the encoding, the channels and the normalisation', () => {
  const input = exampleCardInput(32);
  const other = createModelCard({
    ...input,
    architecture: { ...input.architecture, channels: 3, inputName: 'pixels' },
    preprocessing: { normalize: 'percentile', clipPercent: 2 },
    fusion: [
      { input: 'years', source: 'age', scale: 1 / 80 },
      { input: 'male', source: 'sex', codes: { F: -1, M: 1 } },
    ],
  });
  const inputs = modelInputs(radiograph(), { age: 40, sex: 'F' }, other);
  assert.deepEqual(Object.keys(inputs), ['pixels', 'years', 'male']);
  assert.equal(inputs.years!.data[0], Math.fround(40 / 80));
  assert.equal(inputs.male!.data[0], -1);
  const px = inputs.pixels!;
  assert.deepEqual(px.shape, [1, 32, 32, 3]);
  for (let i = 0; i < px.data.length; i += 3) assert.ok(px.data[i] === px.data[i + 1] && px.data[i] === px.data[i + 2]);
  // 'percentile' = clip at 2 / 98 % then min-max: the clipped image spans [0, 1] before the resize
  const [lo, hi] = percentiles(px.data, [0, 100]);
  assert.ok(lo! > -0.1 && hi! < 1.1, `range ${lo}–${hi}`);
});

test('overrides win over the header and are validated (sex too); missing facts are SCREEN_MISSING_INPUT', () => {
  const inputs = modelInputs(radiograph(), meta, card, { age: 45, sex: 'F' });
  assert.equal(inputs.age!.data[0], Math.fround(0.45));
  assert.equal(inputs.sex!.data[0], 0);
  const bad = (overrides: unknown, pattern: RegExp) =>
    assert.throws(
      () => modelInputs(radiograph(), meta, card, overrides as never),
      (e: unknown) => isCxrkitError(e, 'SCREEN_BAD_OVERRIDE') && pattern.test((e as Error).message),
    );
  bad({ sex: 'X' }, /sex must be 'M' or 'F'/);
  bad({ sex: 'male' }, /sex must be 'M' or 'F'/);
  bad({ age: -1 }, /age must be a number of years/);
  bad({ age: Number.NaN }, /age must be a number of years/);
  bad({ Age: 60 }, /did you mean 'age'\?/);
  assert.throws(
    () => modelInputs(radiograph(), {}, card),
    (e: unknown) => isCxrkitError(e, 'SCREEN_MISSING_INPUT') && /age/.test((e as Error).message),
  );
  assert.throws(
    () => modelInputs(radiograph(), { age: 70, sex: 'O' }, card),
    (e: unknown) => isCxrkitError(e, 'SCREEN_MISSING_INPUT') && /sex/.test((e as Error).message),
  );
  const predicted = createModelCard({
    ...exampleCardInput(32),
    fusion: [{ input: 'predictedAge', source: 'predictedAge', scale: 0.01 }],
  });
  assert.throws(
    () => modelInputs(radiograph(), meta, predicted),
    (e: unknown) => isCxrkitError(e, 'SCREEN_MISSING_INPUT') && /predictedAge/.test((e as Error).message),
  );
  assert.equal(
    modelInputs(radiograph(), meta, predicted, { predictedAge: 70 }).predictedAge!.data[0],
    Math.fround(0.7),
  );
});

test('modelInputsFromDicom reads the frame and header of a decoded DICOM', () => {
  const image = radiograph();
  let frameAsked = -1;
  const dicom = { meta, grayscale: (frame = 0) => ((frameAsked = frame), image) };
  assert.deepEqual(modelInputsFromDicom(dicom, card), modelInputs(image, meta, card));
  assert.equal(frameAsked, 0);
});
