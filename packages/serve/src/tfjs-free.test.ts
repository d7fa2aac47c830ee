// @cxrkit/serve loads no TensorFlow.js (it imports only @cxrkit/core/tfjs-free and @cxrkit/models/card):
// checked in a child process whose module hooks make every `@tensorflow/*` import fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../../../test/helpers.js';

test('@cxrkit/serve imports and screens a synthetic DICOM (in process and over HTTP) with every @tensorflow package blocked', () => {
  const script = `
    const s = await import('@cxrkit/serve');
    const core = await import('@cxrkit/core/tfjs-free');
    const img = core.synthesizeRadiograph({ seed: 1, size: 256, age: 70, sex: 'M' });
    const bytes = core.encodeDicom({ image: img.image, labels: img.labels });
    const predictor = { inputNames: ['image', 'age'], outputNames: ['y'], engine: 'stub',
      predict: async (x) => ({ y: { data: Float32Array.of(x.age.data[0]), shape: [1, 1] } }) };
    const card = { name: 'n', architecture: { inputSize: 32, channels: 1 }, preprocessing: { normalize: 'zscore' },
      fusion: [{ input: 'age', source: 'age', scale: 0.01 }], task: { kind: 'binary', condition: 'c', positive: 'p' },
      threshold: { value: 0.5, rule: { method: 'fixed' } } };
    const r = await s.screenDicom(bytes, { predictor, card });
    // and over HTTP: the decode worker thread runs under the same hooks
    const server = await s.startScreeningServer({ predictor, card, port: 0 });
    const h = await fetch(server.url + '/v1/screen', { method: 'POST', body: bytes });
    const viaHttp = await h.json();
    await server.close();
    console.log(JSON.stringify([r.score, r.positive, r.cardId.slice(0, 7), h.status, viaHttp.score]));`;
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
  assert.deepEqual(JSON.parse(r.stdout.trim()), [Math.fround(0.7), true, 'sha256:', 200, Math.fround(0.7)]);
});
