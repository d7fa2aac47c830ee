// @cxrkit/serve loads no TensorFlow.js (it imports only @cxrkit/core/tfjs-free and @cxrkit/models/card):
// checked in a child process whose module hooks make every `@tensorflow/*` import fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { importWithBlocked } from '../../../test/fixtures/no-tfjs/import-blocked.js';

test('@cxrkit/serve imports and screens a synthetic DICOM with every @tensorflow package blocked', () => {
  const expression = `(async () => {
    const s = m;
    const core = await import('@cxrkit/core/tfjs-free');
    const img = core.synthesizeRadiograph({ seed: 1, size: 64, age: 70, sex: 'M' });
    const bytes = core.encodeDicom({ image: img.image, labels: img.labels });
    const predictor = { inputNames: ['image', 'age'], outputNames: ['y'], engine: 'stub',
      predict: async (x) => ({ y: { data: Float32Array.of(x.age.data[0]), shape: [1, 1] } }) };
    const card = { name: 'n', architecture: { inputSize: 32, channels: 1 }, preprocessing: { normalize: 'zscore' },
      fusion: [{ input: 'age', source: 'age', scale: 0.01 }], task: { kind: 'binary', condition: 'c', positive: 'p' },
      threshold: { value: 0.5, rule: { method: 'fixed' } } };
    const r = await s.screenDicom(bytes, { predictor, card });
    return [r.score, r.positive, r.cardId.slice(0, 7)]; })()`;
  const r = importWithBlocked('@cxrkit/serve', expression);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout.trim()), [Math.fround(0.7), true, 'sha256:']);
});

test('no file of @cxrkit/serve imports the @cxrkit/core root (which loads tfjs-core) or a @tensorflow package', () => {
  const dir = new URL('.', import.meta.url).pathname;
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
    const text = readFileSync(join(dir, f), 'utf8');
    assert.doesNotMatch(text, /from '@cxrkit\/core'/, `${f} imports '@cxrkit/core'; use '@cxrkit/core/tfjs-free'`);
    assert.doesNotMatch(text, /from '@tensorflow\//, `${f} imports a @tensorflow package`);
  }
});
