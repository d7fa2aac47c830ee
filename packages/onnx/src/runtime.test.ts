// `@cxrkit/onnx/runtime` runs an exported model and reads its card with every @tensorflow package
// blocked (a child process whose module hooks make them unresolvable): a service on onnxruntime needs no
// TensorFlow.js. The reference is the tfjs model in this process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tfl from '@tensorflow/tfjs-layers';
import { createRng } from '@cxrkit/core';
import { createTfjsPredictor, withSeededRandom } from '@cxrkit/models';
import { exportOnnx } from './index.js';
import { importWithBlocked } from '../../../test/fixtures/no-tfjs/import-blocked.js';

test('@cxrkit/onnx/runtime predicts like tfjs and reads the card, with every @tensorflow package blocked', async () => {
  const model = withSeededRandom(7, () => {
    const image = tfl.input({ shape: [8, 8, 1], name: 'image' });
    const conv = tfl.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu', name: 'conv' }).apply(image);
    const pooled = tfl.layers.globalAveragePooling2d({ name: 'avg_pool' }).apply(conv) as tfl.SymbolicTensor;
    const out = tfl.layers.dense({ units: 1, activation: 'sigmoid', name: 'head_output' }).apply(pooled);
    return tfl.model({ inputs: image, outputs: out as tfl.SymbolicTensor, name: 'tiny' });
  });
  const rng = createRng(3);
  const data = Float32Array.from({ length: 2 * 64 }, () => rng.uniform(-1, 1));
  const expected = (await createTfjsPredictor(model).predict({ data, shape: [2, 8, 8, 1] }))['head_output']!;
  const dir = mkdtempSync(join(tmpdir(), 'cxrkit-onnx-runtime-'));
  try {
    const file = join(dir, 'model.onnx');
    writeFileSync(file, await exportOnnx(model, { modelName: 'tiny' }));
    const expression = `(async () => {
      const fs = await import('node:fs');
      const bytes = new Uint8Array(fs.readFileSync(${JSON.stringify(file)}));
      const p = await m.createOnnxPredictor(bytes, { load: () => import('onnxruntime-node'), threads: 1 });
      const data = Float32Array.from(${JSON.stringify(Array.from(data))});
      const y = (await p.predict({ data, shape: [2, 8, 8, 1] }))['head_output'];
      await p.dispose();
      return [Array.from(y.data), m.readOnnxMetadata(bytes)['cxrkit.model_name'], 'exportOnnx' in m];
    })()`;
    const r = importWithBlocked('@cxrkit/onnx/runtime', expression);
    assert.equal(r.status, 0, r.stderr);
    const [scores, name, hasExport] = JSON.parse(r.stdout.trim()) as [number[], string, boolean];
    assert.equal(name, 'tiny');
    assert.equal(hasExport, false);
    scores.forEach((v, i) =>
      assert.ok(Math.abs(v - expected.data[i]!) < 1e-6, `score ${i}: ${v} vs ${expected.data[i]}`),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
    model.dispose();
  }
});
