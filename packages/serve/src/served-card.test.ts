// The service screens with the model card: its preprocessing and fusion encodings (via modelInputs), its
// threshold, intended use and id; a card that does not fit the predictor is refused before serving.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeDicom, isCxrkitError, readDicom, synthesizeRadiograph } from '@cxrkit/core/tfjs-free';
import { createModelCard, modelInputs, type ModelCardInput } from '@cxrkit/models/card';
import { screenDicom, startScreeningServer } from './index.js';
import { recordingPredictor } from './test-predictors.js';

// 512 px: the intended-use gate refuses films under 256 px
const synthetic = synthesizeRadiograph({ seed: 5, size: 512, age: 72, sex: 'F' });
const bytes = encodeDicom({ image: synthetic.image, labels: synthetic.labels });
const input: ModelCardInput = {
  name: 'served',
  architecture: { inputSize: 48, channels: 1 },
  preprocessing: { normalize: 'zscore' },
  fusion: [
    { input: 'age', source: 'age', scale: 0.01 },
    { input: 'sex', source: 'sex', codes: { F: 1, M: 0 } },
  ],
  task: { kind: 'binary', condition: 'osteoporosis', positive: 'refer for DXA' },
  threshold: { value: 0.6, rule: { method: 'youden' } },
  intendedUse: { minAge: 70 },
};
const card = createModelCard(input);

test('screenDicom feeds exactly modelInputs(card) and judges with the card: threshold, intended use, id', async () => {
  const p = recordingPredictor(['image', 'age', 'sex'], 0.65);
  const r = await screenDicom(bytes, { predictor: p, card });
  assert.ok(r.screened, r.reasons.join('; '));
  const dicom = await readDicom(bytes);
  assert.deepEqual(p.calls[0], modelInputs(dicom.grayscale(0), dicom.meta, card));
  assert.equal(p.calls[0]!.sex!.data[0], 1, "this card codes F as 1: the encoding is the card's, not the service's");
  assert.equal(r.cardId, card.id);
  assert.equal(r.threshold, 0.6);
  assert.equal(r.positive, true);
  assert.equal(r.model.id, card.id);
  assert.equal(r.model.threshold, 0.6);
  assert.deepEqual(r.model.intendedUse, card.intendedUse);
  // the card may also be passed as written (input form): same id
  assert.equal((await screenDicom(bytes, { predictor: p, card: input })).cardId, card.id);
  // the card's intended use decides: a card for patients aged 75 or more does not screen this 72-year-old
  const older = createModelCard({ ...input, intendedUse: { minAge: 75 } });
  const calls = p.calls.length;
  const refused = await screenDicom(bytes, { predictor: p, card: older });
  assert.equal(refused.screened, false);
  assert.ok(
    refused.reasons.some((w) => /72 years old/.test(w) && /75 or more/.test(w)),
    refused.reasons.join('; '),
  );
  assert.ok(!('score' in refused), 'no score for an image outside the intended use');
  assert.equal(p.calls.length, calls, 'nothing reached the model');
});

test('overrides are validated, sex included; a card that does not fit is refused', async () => {
  const p = recordingPredictor(['image', 'age', 'sex'], 0.5);
  await assert.rejects(
    screenDicom(bytes, { predictor: p, card, overrides: { sex: 'X' as 'M' } }),
    (e: unknown) => isCxrkitError(e, 'SCREEN_BAD_OVERRIDE') && /sex/.test((e as Error).message),
  );
  await assert.rejects(
    screenDicom(bytes, { predictor: recordingPredictor(['image', 'age'], 0.5), card }),
    (e: unknown) => isCxrkitError(e, 'CARD_MODEL_MISMATCH'),
  );
  const regression = {
    ...input,
    fusion: [],
    task: { kind: 'regression' as const, target: 'age', unit: 'years' },
    threshold: undefined,
  };
  await assert.rejects(
    screenDicom(bytes, { predictor: recordingPredictor(['image'], 0.5), card: regression }),
    (e: unknown) => isCxrkitError(e, 'SCREEN_NOT_BINARY'),
  );
  await assert.rejects(screenDicom(bytes, { predictor: p }), (e: unknown) => isCxrkitError(e, 'SCREEN_NO_CARD'));
  assert.equal(p.calls.length, 0, 'nothing reached the model');
});

test('GET /v1/card gives the card the service screens with; a bad card stops the service at start', async () => {
  const server = await startScreeningServer({
    predictor: recordingPredictor(['image', 'age', 'sex'], 0.1),
    card,
    port: 0,
  });
  try {
    assert.deepEqual(await (await fetch(`${server.url}/v1/card`)).json(), card);
    const r = await fetch(`${server.url}/v1/screen?sex=M`, { method: 'POST', body: bytes as unknown as string });
    assert.equal(((await r.json()) as { cardId: string }).cardId, card.id);
  } finally {
    await server.close();
  }
  await assert.rejects(
    startScreeningServer({ predictor: recordingPredictor(['image'], 0.1), card, port: 0 }),
    (e: unknown) => isCxrkitError(e, 'CARD_MODEL_MISMATCH'),
  );
});
