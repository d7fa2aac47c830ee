import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isCxrkitError } from '@cxrkit/core/tfjs-free';
import { checkCardMatchesModel, createModelCard } from './index.js';
import { exampleCardInput } from './test-cards.js';

const card = createModelCard(exampleCardInput(64));
const mismatch = (sig: Parameters<typeof checkCardMatchesModel>[1], pattern: RegExp) =>
  assert.throws(
    () => checkCardMatchesModel(card, sig),
    (e: unknown) => isCxrkitError(e, 'CARD_MODEL_MISMATCH') && pattern.test((e as Error).message),
  );

test('a card matches a model with its input names (any order), image shape and output width', () => {
  checkCardMatchesModel(card, {
    inputNames: ['image', 'sex', 'age'],
    inputShapes: [
      [null, 64, 64, 1],
      [null, 1],
      [null, 1],
    ],
    outputShapes: [[null, 1]],
  });
  checkCardMatchesModel(card, { inputNames: ['image', 'age', 'sex'] });
});

test('inputs, shapes and outputs that differ from the card are CARD_MODEL_MISMATCH naming them', () => {
  mismatch(
    { inputNames: ['image', 'age'] },
    /the card describes the inputs image, age, sex but the model has image, age/,
  );
  mismatch({ inputNames: ['image', 'age', 'sex', 'bmi'] }, /bmi/);
  mismatch(
    {
      inputNames: ['image', 'age', 'sex'],
      inputShapes: [
        [null, 64, 64, 3],
        [null, 1],
        [null, 1],
      ],
    },
    /'image' is \[batch, 64, 64, 3\] but the card says \[batch, 64, 64, 1\]/,
  );
  mismatch(
    { inputNames: ['image', 'age', 'sex'], outputShapes: [[null, 3]] },
    /binary card needs one output of width 1/,
  );
});
