import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isCxrkitError } from '@cxrkit/core/tfjs-free';
import { MODEL_CARD_FILE, readModelCard, writeModelCard, createModelCard } from './index.js';
import { exampleCardInput } from './test-cards.js';

async function withDir(fn: (dir: string) => Promise<void>) {
  const dir = await mkdtemp(join(tmpdir(), 'cxrkit-card-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('writeModelCard writes model-card.json atomically (no temp file left) and readModelCard reads it back', () =>
  withDir(async (dir) => {
    const written = await writeModelCard(dir, exampleCardInput());
    assert.deepEqual(await readdir(dir), [MODEL_CARD_FILE]);
    assert.deepEqual(await readModelCard(dir), written);
    assert.equal(written.id, createModelCard(exampleCardInput()).id);
    const text = await readFile(join(dir, MODEL_CARD_FILE), 'utf8');
    assert.ok(text.endsWith('}\n') && text.includes('\n  "schemaVersion": 1,'), 'two-space JSON with a final newline');
  }));

test('without model-card.json, screening.json is read and migrated with the input names in model.json', () =>
  withDir(async (dir) => {
    await writeFile(join(dir, 'screening.json'), JSON.stringify({ inputSize: 64, threshold: 0.4, ageScale: 0.02 }));
    // the part of a tfjs layers-model model.json that names the inputs
    await writeFile(
      join(dir, 'model.json'),
      JSON.stringify({
        modelTopology: {
          config: {
            input_layers: [
              ['image', 0, 0],
              ['age', 0, 0],
            ],
          },
        },
      }),
    );
    const card = await readModelCard(dir);
    assert.equal(card.migratedFrom, 'screening.json');
    assert.deepEqual(card.fusion, [{ input: 'age', source: 'age', unit: 'years', scale: 0.02 }]);
    assert.deepEqual((await readModelCard(dir, { inputNames: ['pixels'] })).architecture.inputName, 'pixels');
    // a card beside it wins
    await writeModelCard(dir, exampleCardInput());
    assert.equal((await readModelCard(dir)).migratedFrom, undefined);
  }));

test('a folder without a card, or with a half-written one, is a typed error naming the file', () =>
  withDir(async (dir) => {
    await assert.rejects(
      readModelCard(dir),
      (e: unknown) => isCxrkitError(e, 'CARD_MISSING') && /model-card\.json/.test((e as Error).message),
    );
    await writeFile(join(dir, MODEL_CARD_FILE), '{"schemaVersion": 1, "na');
    await assert.rejects(
      readModelCard(dir),
      (e: unknown) => isCxrkitError(e, 'CARD_NOT_JSON') && (e as Error).message.includes(join(dir, MODEL_CARD_FILE)),
    );
  }));
