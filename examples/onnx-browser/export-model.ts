// Writes the model the example page runs: a cxrkit screening model exported with exportOnnx, plus a
// small JSON with what the page needs to prepare images (input size, preprocessing, input names).
//   npx tsx --conditions=cxrkit-source examples/onnx-browser/export-model.ts [--backbone inception_v3] [--size 299] [--width 0.25]
// The weights are random (no trained cxrkit weights ship offline): the page shows the runtime path,
// not a diagnosis. Swap in your trained model (tf.loadLayersModel / loadModel) to deploy it.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend } from '@cxrkit/core';
import { buildScreeningModel } from '@cxrkit/models';
import { exportOnnx, readOnnxInfo } from '@cxrkit/onnx';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const backbone = arg('backbone', 'inception_v3');
const size = Number(arg('size', '299'));
const width = Number(arg('width', '0.25'));
const here = fileURLToPath(new URL('.', import.meta.url));

await initBackend({ kind: 'cpu', load: () => import('@tensorflow/tfjs-backend-cpu') });
const model = buildScreeningModel({ backbone, inputShape: [size, size, 1], backboneOptions: { widthMultiplier: width }, task: 'binary', fusion: ['age', 'sex'] });
const preprocessing = { input: 'gray, 1 channel', resize: 'bicubic (canvas high-quality smoothing in the page)', size, normalize: 'z-score per image', age: 'years / 100', sex: '0 = F, 1 = M' };
const bytes = await exportOnnx(model, { preprocessing });
writeFileSync(join(here, 'model.onnx'), bytes);
const info = readOnnxInfo(bytes);
writeFileSync(join(here, 'model.json'), JSON.stringify({ size, inputs: info.inputs, outputs: info.outputs, metadata: info.metadata }, null, 2));
console.log(`wrote ${join(here, 'model.onnx')} (${(bytes.byteLength / 2 ** 20).toFixed(1)} MiB, ${model.countParams().toLocaleString('en')} parameters) and model.json`);
