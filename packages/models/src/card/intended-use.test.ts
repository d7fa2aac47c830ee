import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createModelCard, intendedUseWarnings } from './index.js';
import { exampleCardInput } from './test-cards.js';

test('studies outside the intended use are warned about; absent header fields are not', () => {
  const card = createModelCard(exampleCardInput());
  assert.deepEqual(intendedUseWarnings(card, { age: 67, viewPosition: 'PA', modality: 'DX', bodyPart: 'CHEST' }), []);
  assert.deepEqual(intendedUseWarnings(card, { age: 67 }), []);
  assert.deepEqual(intendedUseWarnings(card, { age: 49.9, viewPosition: 'AP', modality: 'CT', bodyPart: 'ABDOMEN' }), [
    'Patient aged 49: the screen is intended for adults aged 50 or more.',
    'View position AP: the model was trained on PA chest radiographs.',
    'Modality CT: expected a CR or DX radiograph.',
    'Body part ABDOMEN: expected a chest or thorax radiograph.',
  ]);
  assert.deepEqual(intendedUseWarnings(card, { bodyPart: 'Upper thorax' }), [
    'Age unknown: the screen is intended for adults aged 50 or more.',
  ]);
  const ap = createModelCard({ ...exampleCardInput(), intendedUse: { minAge: 40, views: ['PA', 'AP'] } });
  assert.deepEqual(intendedUseWarnings(ap, { age: 45, viewPosition: 'ap' }), []);
});
