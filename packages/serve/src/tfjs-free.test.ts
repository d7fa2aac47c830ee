// A screening service on onnxruntime needs no TensorFlow.js: @cxrkit/serve imports only
// @cxrkit/core/tfjs-free. Checked in a child process whose module hooks make every `@tensorflow/*`
// import fail as if not installed: the package loads, writes and reads its card, and screens a DICOM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { importWithBlocked } from '../../../test/fixtures/no-tfjs/import-blocked.js';

test('no file of @cxrkit/serve imports the @cxrkit/core root (which loads tfjs-core)', () => {
  const dir = new URL('.', import.meta.url).pathname;
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
    const text = readFileSync(join(dir, f), 'utf8');
    assert.doesNotMatch(text, /from '@cxrkit\/core'/, `${f} imports '@cxrkit/core'; use '@cxrkit/core/tfjs-free'`);
    assert.doesNotMatch(text, /from '@tensorflow\//, `${f} imports a @tensorflow package`);
  }
});

test('@cxrkit/serve screens a DICOM with every @tensorflow package blocked', () => {
  const expression = `(async () => {
    const core = await import('@cxrkit/core/tfjs-free');
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'cxrkit-serve-notfjs-'));
    try {
      await m.writeScreeningConfig(dir, { inputSize: 32, threshold: 0.5 });
      const config = await m.readScreeningConfig(dir);
      const seen = [];
      const predictor = { inputNames: ['image'], outputNames: ['out'], engine: 'stub',
        async predict(inputs) {
          seen.push(inputs.image.shape);
          return { out: { data: Float32Array.of(0.8), shape: [1, 1] } };
        } };
      const radiograph = core.synthesizeRadiograph({ seed: 3, size: 64, age: 70, sex: 'F' });
      const bytes = core.encodeDicom({ image: radiograph.image });
      const r = await m.screenDicom(bytes, { predictor, config });
      return [r.score, r.positive, seen[0]];
    } finally { await rm(dir, { recursive: true, force: true }); }
  })()`;
  const r = importWithBlocked('@cxrkit/serve', expression);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout.trim()), [Math.fround(0.8), true, [1, 32, 32, 1]]);
});
