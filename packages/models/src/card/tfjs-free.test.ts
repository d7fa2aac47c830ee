// `@cxrkit/models/card` must load without any @tensorflow package: checked in a child process whose
// module hooks make every `@tensorflow/*` import fail (test/fixtures/no-tfjs), as core's tfjs-free test does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importWithBlocked } from '../../../../test/fixtures/no-tfjs/import-blocked.js';

test('the hooks do catch a @tensorflow import (the @cxrkit/models root loads tfjs-layers)', () => {
  const r = importWithBlocked('@cxrkit/models', 'typeof m.createModel');
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /NO_TFJS: @tensorflow\//);
});

test('@cxrkit/models/card imports with every @tensorflow package blocked, parses a card and makes inputs', () => {
  const card = JSON.stringify({
    name: 't',
    architecture: { inputSize: 32, channels: 3 },
    preprocessing: { normalize: 'zscore' },
    fusion: [{ input: 'age', source: 'age', scale: 0.01 }],
    task: { kind: 'binary', condition: 'c', positive: 'p' },
    threshold: { value: 0.5, rule: { method: 'fixed' } },
  });
  const image = '{ data: Float32Array.from({ length: 4096 }, (_, i) => i % 97), width: 64, height: 64 }';
  const r = importWithBlocked(
    '@cxrkit/models/card',
    `(() => { const c = m.parseModelCard(${JSON.stringify(card)}); const x = m.modelInputs(${image}, { age: 70 }, c);` +
      ' return [c.id.slice(0, 7), x.image.shape, x.age.data[0], "createModel" in m]; })()',
  );
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout.trim()), ['sha256:', [1, 32, 32, 3], Math.fround(0.7), false]);
});

test('@cxrkit/models/predictor (the predictor contract) imports with every @tensorflow package blocked', () => {
  const batch = '{ data: Float32Array.of(1, 2, 3, 4, 5, 6), shape: [3, 2] }';
  const r = importWithBlocked(
    '@cxrkit/models/predictor',
    `[m.isArrayBatch(${batch}), Array.from(m.sliceRows(${batch}, 1, 3).data), 'createTfjsPredictor' in m]`,
  );
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout.trim()), [true, [3, 4, 5, 6], false]);
});
