// saveModel writes the model card beside the weights, loadModelWithCard reads it back (or migrates a
// pre-card screening.json with the model's input names); a card that does not fit the model writes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isCxrkitError } from '@cxrkit/core';
import {
  buildScreeningModel,
  createModelCard,
  listModels,
  loadModelWithCard,
  saveModel,
  BACKBONE_KEYS,
  CXRKIT_VERSION,
  MODEL_CARD_FILE,
} from './index.js';
import { exampleCardInput } from './card/test-cards.js';
import { testOutputDir } from '../../../test/helpers.js';

const root = testOutputDir('models', 'save-load-card');
rmSync(root, { recursive: true, force: true });

const model = buildScreeningModel({
  backbone: 'resnet50',
  inputShape: [32, 32, 1],
  backboneOptions: { widthMultiplier: 1 / 16 },
  task: 'binary',
  fusion: ['age', 'sex'],
});
const cardInput = () => ({
  ...exampleCardInput(32),
  architecture: { backbone: 'resnet50' as const, widthMultiplier: 1 / 16, inputSize: 32, channels: 1 as const },
});

test('saveModel writes model-card.json beside the weights; loadModelWithCard gives model and card back', async () => {
  const dir = join(root, 'with-card');
  const result = await saveModel(model, dir, { card: cardInput() });
  assert.deepEqual(result.files, ['model.json', 'group1-shard1of1.bin', MODEL_CARD_FILE]);
  assert.deepEqual(readdirSync(dir).sort(), ['group1-shard1of1.bin', MODEL_CARD_FILE, 'model.json']);
  assert.deepEqual(result.card, createModelCard(cardInput()));
  const { model: loaded, card } = await loadModelWithCard(dir);
  assert.deepEqual(card, result.card);
  assert.deepEqual(JSON.parse(readFileSync(join(dir, MODEL_CARD_FILE), 'utf8')), result.card);
  assert.deepEqual(loaded.inputNames, ['image', 'age', 'sex']);
  loaded.dispose();
});

test('a card that does not describe the model is refused before anything is written', async () => {
  const dir = join(root, 'refused');
  const input = cardInput();
  await assert.rejects(
    saveModel(model, dir, { card: { ...input, fusion: [input.fusion![0]!] } }),
    (e: unknown) => isCxrkitError(e, 'CARD_MODEL_MISMATCH') && /sex/.test((e as Error).message),
  );
  await assert.rejects(
    saveModel(model, dir, { card: { ...input, architecture: { ...input.architecture, inputSize: 64 } } }),
    (e: unknown) => isCxrkitError(e, 'CARD_MODEL_MISMATCH'),
  );
  await assert.rejects(
    saveModel(model, dir, { card: { ...input, treshold: 0.2 } as never }),
    (e: unknown) => isCxrkitError(e, 'CARD_FIELD_UNKNOWN') && /did you mean 'threshold'/.test((e as Error).message),
  );
  assert.equal(existsSync(dir), false);
});

test('a model folder with only an old screening.json loads with a migrated card (fusion from its inputs)', async () => {
  const dir = join(root, 'legacy');
  await saveModel(model, dir);
  await assert.rejects(loadModelWithCard(dir), (e: unknown) => isCxrkitError(e, 'CARD_MISSING'));
  writeFileSync(join(dir, 'screening.json'), JSON.stringify({ inputSize: 32, threshold: 0.42, ageScale: 0.01 }));
  const { model: loaded, card } = await loadModelWithCard(dir);
  assert.equal(card.migratedFrom, 'screening.json');
  assert.deepEqual(
    card.fusion.map((f) => f.input),
    ['age', 'sex'],
  );
  assert.equal(card.threshold!.value, 0.42);
  loaded.dispose();
});

test('the card knows every registry key without loading tfjs, and records the package version', () => {
  assert.deepEqual([...BACKBONE_KEYS], listModels());
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  assert.equal(CXRKIT_VERSION, pkg.version);
});
