import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isCxrkitError } from '@cxrkit/core/tfjs-free';
import { resolveScreeningConfig, readScreeningConfig, writeScreeningConfig, SCREENING_CARD_FILE } from './index.js';

test('defaults follow the thesis: z-score, 1 channel, intended from age 50', () => {
  const c = resolveScreeningConfig({ inputSize: 512, threshold: 0.42 });
  assert.equal(c.normalize, 'zscore');
  assert.equal(c.channels, 1);
  assert.equal(c.minAge, 50);
  assert.equal(c.condition, 'osteoporosis');
});

test('a misspelt field gets a did-you-mean, and bad values name the field', () => {
  assert.throws(
    () => resolveScreeningConfig({ inputSize: 512, threshold: 0.5, treshold: 0.3 } as never),
    (e: unknown) =>
      isCxrkitError(e, 'SCREENING_CONFIG_INVALID') && /did you mean 'threshold'/.test((e as Error).message),
  );
  assert.throws(
    () => resolveScreeningConfig({ inputSize: 512 } as never),
    (e: unknown) => isCxrkitError(e, 'SCREENING_CONFIG_INVALID') && /threshold/.test((e as Error).message),
  );
  assert.throws(
    () => resolveScreeningConfig({ inputSize: 500.5, threshold: 0.5 }),
    (e: unknown) => isCxrkitError(e, 'SCREENING_CONFIG_INVALID') && /500\.5/.test((e as Error).message),
  );
  assert.throws(
    () => resolveScreeningConfig({ inputSize: 512, threshold: 0.5, normalize: 'minmax' as never }),
    (e: unknown) => isCxrkitError(e, 'SCREENING_CONFIG_INVALID'),
  );
});

test('the card round-trips through screening.json; a missing or half-written card is a typed error', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cxrkit-card-'));
  try {
    await assert.rejects(readScreeningConfig(dir), (e: unknown) => isCxrkitError(e, 'SCREENING_CONFIG_MISSING'));
    const written = await writeScreeningConfig(dir, { inputSize: 256, threshold: 0.31, info: { auc: 0.97 } });
    assert.deepEqual(await readScreeningConfig(dir), written);
    await writeFile(join(dir, SCREENING_CARD_FILE), '{"inputSize": 256, "thresh');
    await assert.rejects(
      readScreeningConfig(dir),
      (e: unknown) => isCxrkitError(e, 'SCREENING_CONFIG_INVALID') && /half-written/.test((e as Error).message),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
