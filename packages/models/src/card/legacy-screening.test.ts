import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isCxrkitError } from '@cxrkit/core/tfjs-free';
import { parseModelCard, parseLegacyScreeningConfig, isLegacyScreeningJson } from './index.js';

// A screening.json as @cxrkit/serve 0.1.0's writeScreeningConfig wrote it (defaults filled).
const written = {
  condition: 'osteoporosis',
  channels: 1,
  normalize: 'zscore',
  ageScale: 0.01,
  minAge: 50,
  disclaimer: 'Screening aid, not a diagnosis.',
  inputSize: 192,
  threshold: 0.37,
  info: { testAuc: 0.9 },
};

test('an old screening.json becomes a card: its preprocessing, threshold, intended use; fusion from the model', () => {
  assert.ok(isLegacyScreeningJson(written));
  const card = parseModelCard(written, { inputNames: ['image', 'age', 'sex'] });
  assert.equal(card.migratedFrom, 'screening.json');
  assert.deepEqual(card.architecture, { inputSize: 192, channels: 1, inputName: 'image' });
  assert.deepEqual(card.preprocessing, {
    photometric: 'bone-bright',
    clipPercent: 0.5,
    resize: 'bicubic',
    normalize: 'zscore',
  });
  // what serve 0.1.0 fed: age × ageScale, sex F = 0 / M = 1
  assert.deepEqual(card.fusion, [
    { input: 'age', source: 'age', unit: 'years', scale: 0.01 },
    { input: 'sex', source: 'sex', codes: { F: 0, M: 1 } },
  ]);
  assert.equal(card.task.kind, 'binary');
  assert.deepEqual(card.threshold, { value: 0.37, rule: { method: 'unrecorded' } });
  assert.equal(card.intendedUse.minAge, 50);
  assert.equal(card.disclaimer, 'Screening aid, not a diagnosis.');
  assert.deepEqual(card.info, { testAuc: 0.9 });
  // without the model's input names: no fusion, image input 'image'
  assert.deepEqual(parseModelCard({ inputSize: 64, threshold: 0.5 }).fusion, []);
});

test('old files with a misspelt field, a bad value or an input the old service could not feed are typed errors', () => {
  assert.throws(
    () => parseModelCard({ inputSize: 64, threshold: 0.5, agescale: 0.01 }),
    (e: unknown) =>
      isCxrkitError(e, 'CARD_FIELD_UNKNOWN') &&
      /did you mean 'ageScale'\?/.test((e as Error).message) &&
      /screening\.json/.test((e as Error).message),
  );
  assert.throws(
    () => parseLegacyScreeningConfig({ inputSize: 64, threshold: 0.5, normalize: 'minmax' }),
    (e: unknown) => isCxrkitError(e, 'CARD_FIELD_INVALID') && /normalize/.test((e as Error).message),
  );
  assert.throws(
    () => parseModelCard({ inputSize: 64, threshold: 0.5 }, { inputNames: ['image', 'bmi'] }),
    (e: unknown) => isCxrkitError(e, 'CARD_LEGACY_INPUT_UNSUPPORTED') && /'bmi'/.test((e as Error).message),
  );
  assert.equal(isLegacyScreeningJson({ schemaVersion: 1, inputSize: 64 }), false);
});
