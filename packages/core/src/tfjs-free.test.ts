// `@cxrkit/core/tfjs-free` must load without any @tensorflow package: checked in a child process whose
// module hooks make every `@tensorflow/*` import fail, so a stray import anywhere below the entry shows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importWithBlocked } from '../../../test/fixtures/no-tfjs/import-blocked.js';

const importWithoutTfjs = (specifier: string, expression: string) => importWithBlocked(specifier, expression);

test('the hooks do catch a @tensorflow import (the root entry loads tfjs-core)', () => {
  const r = importWithoutTfjs('@cxrkit/core', 'typeof m.initBackend');
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /NO_TFJS: @tensorflow\/tfjs-core/);
});

test('@cxrkit/core/tfjs-free imports with every @tensorflow package blocked, and preprocesses', () => {
  const image = '{ data: Float32Array.from({ length: 64 }, (_, i) => i), width: 8, height: 8 }';
  const r = importWithoutTfjs(
    '@cxrkit/core/tfjs-free',
    `[typeof m.readDicom, m.grayToChannels(m.preprocessRadiograph(${image}, { size: 4, normalize: 'zscore' }), 3).length,` +
      " 'initBackend' in m, 'imagesToTensor' in m]",
  );
  assert.equal(r.status, 0, r.stderr);
  // 4 × 4 pixels × 3 channels; the tfjs edge is absent from this entry
  assert.deepEqual(JSON.parse(r.stdout.trim()), ['function', 48, false, false]);
});
