// `@cxrkit/models/card` must load without any @tensorflow package: checked in a child process whose
// module hooks make every `@tensorflow/*` import fail (test/fixtures/no-tfjs), as core's tfjs-free test does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../../../../test/helpers.js';

function importWithoutTfjs(specifier: string, expression: string) {
  const script = `const m = await import(${JSON.stringify(specifier)}); console.log(JSON.stringify(${expression}));`;
  return spawnSync(
    process.execPath,
    [
      '--conditions=cxrkit-source',
      '--import',
      'tsx',
      '--import',
      join(repoRoot, 'test', 'fixtures', 'no-tfjs', 'register.mjs'),
      '--input-type=module',
      '-e',
      script,
    ],
    { cwd: repoRoot, encoding: 'utf8' },
  );
}

test('the hooks do catch a @tensorflow import (the @cxrkit/models root loads tfjs-layers)', () => {
  const r = importWithoutTfjs('@cxrkit/models', 'typeof m.createModel');
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
  const r = importWithoutTfjs(
    '@cxrkit/models/card',
    `(() => { const c = m.parseModelCard(${JSON.stringify(card)}); const x = m.modelInputs(${image}, { age: 70 }, c);` +
      ' return [c.id.slice(0, 7), x.image.shape, x.age.data[0], "createModel" in m]; })()',
  );
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout.trim()), ['sha256:', [1, 32, 32, 3], Math.fround(0.7), false]);
});
