// @cxrkit/dicom-net loads no TensorFlow.js: checked in a child process whose module hooks make every
// `@tensorflow/*` import fail, while it builds the SR of a result for a synthetic radiograph.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../../../test/helpers.js';

test('@cxrkit/dicom-net imports and builds result objects with every @tensorflow package blocked', () => {
  const script = `
    const net = await import('@cxrkit/dicom-net');
    const core = await import('@cxrkit/core/tfjs-free');
    const { createModelCard } = await import('@cxrkit/models/card');
    const card = createModelCard({ name: 'n', architecture: { inputSize: 32, channels: 1 },
      preprocessing: { normalize: 'zscore' }, task: { kind: 'binary', condition: 'osteoporosis', positive: 'p' },
      threshold: { value: 0.5, rule: { method: 'fixed' } } });
    const img = core.synthesizeRadiograph({ seed: 1, size: 64, age: 70, sex: 'M' });
    const bytes = core.encodeDicom({ image: img.image, labels: img.labels });
    const made = await net.buildResultObjects({ condition: 'osteoporosis', score: 0.6, threshold: 0.5, positive: true,
      cardId: card.id }, bytes, { card });
    console.log(JSON.stringify([made.screened, made.sr.sopClassUid, made.sc.sopClassUid]));`;
  const r = spawnSync(
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
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout.trim()), [true, '1.2.840.10008.5.1.4.1.1.88.33', '1.2.840.10008.5.1.4.1.1.7']);
});
