// exportOnnx({ card }) embeds the model card as metadata `cxrkit.card`; readOnnxInfo gives it back
// validated; `cxrkit.preprocessing` is derived from it for older readers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tfl from '@tensorflow/tfjs-layers';
import { isCxrkitError } from '@cxrkit/core';
import { createModelCard, type ModelCardInput } from '@cxrkit/models';
import { exportOnnx, readOnnxCard, readOnnxInfo, readOnnxMetadata } from './index.js';

type ST = tfl.SymbolicTensor;

function fusionModel(): tfl.LayersModel {
  const image = tfl.input({ shape: [32, 32, 1], name: 'image' });
  const age = tfl.input({ shape: [1], name: 'age' });
  const pooled = tfl.layers.globalAveragePooling2d({ name: 'avg_pool' }).apply(image) as ST;
  const joined = tfl.layers.concatenate({ name: 'fusion_concat' }).apply([pooled, age]) as ST;
  const out = tfl.layers.dense({ units: 1, activation: 'sigmoid', name: 'head_output' }).apply(joined) as ST;
  return tfl.model({ inputs: [image, age], outputs: out, name: 'tiny_screen' });
}

const cardInput: ModelCardInput = {
  name: 'tiny_screen',
  architecture: { backbone: 'custom:gap', inputSize: 32, channels: 1 },
  preprocessing: { normalize: 'zscore' },
  fusion: [{ input: 'age', source: 'age', scale: 0.01 }],
  task: { kind: 'binary', condition: 'osteoporosis', positive: 'high risk: refer for DXA' },
  threshold: { value: 0.3, rule: { method: 'sensitivity', target: 0.9 }, chosenOn: { set: 'tuning', n: 40 } },
};

test('the card travels inside the ONNX file and comes back equal (same id); preprocessing is derived', async () => {
  const model = fusionModel();
  const card = createModelCard(cardInput);
  const info = readOnnxInfo(await exportOnnx(model, { card: cardInput }));
  assert.deepEqual(info.card, card);
  assert.equal(info.card!.id, card.id);
  assert.deepEqual(JSON.parse(info.metadata['cxrkit.card']!), card);
  assert.deepEqual(JSON.parse(info.metadata['cxrkit.preprocessing']!), {
    clipPercent: 0.5,
    resize: 'bicubic',
    size: 32,
    normalize: 'zscore',
    channels: 1,
    photometric: 'bone-bright',
  });
  assert.equal(readOnnxInfo(await exportOnnx(model)).card, undefined, 'no card, no card field');
  // the fast path (metadata only, graph skipped) reads the same
  const bytes = await exportOnnx(model, { card });
  assert.deepEqual(readOnnxMetadata(bytes), readOnnxInfo(bytes).metadata);
  assert.deepEqual(readOnnxCard(bytes), card);
  assert.equal(readOnnxCard(await exportOnnx(model)), undefined);
  assert.throws(
    () => readOnnxMetadata(new Uint8Array([0xff, 0xff, 0xff])),
    (e: unknown) => isCxrkitError(e, 'ONNX_NOT_ONNX'),
  );
  model.dispose();
});

test('a card that does not fit the model, or card + preprocessing, is refused; a corrupt card is typed', async () => {
  const model = fusionModel();
  await assert.rejects(
    exportOnnx(model, { card: { ...cardInput, fusion: [] } }),
    (e: unknown) => isCxrkitError(e, 'CARD_MODEL_MISMATCH') && /age/.test((e as Error).message),
  );
  await assert.rejects(exportOnnx(model, { card: cardInput, preprocessing: { normalize: 'zscore' } }), (e: unknown) =>
    isCxrkitError(e, 'ONNX_BAD_OPTION'),
  );
  const bytes = await exportOnnx(model, { metadata: { 'cxrkit.card': JSON.stringify({ ...cardInput, treshold: 1 }) } });
  assert.throws(
    () => readOnnxInfo(bytes),
    (e: unknown) => isCxrkitError(e, 'CARD_FIELD_UNKNOWN') && /ONNX metadata/.test((e as Error).message),
  );
  model.dispose();
});
