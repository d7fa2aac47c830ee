// Writes the model the example page runs: a cxrkit screening model exported with exportOnnx, with its model
// card inside the file (input size, preprocessing, fusion inputs and encodings, threshold, intended use): the
// page reads everything it needs to prepare images from model.onnx itself.
//   npx tsx --conditions=cxrkit-source examples/onnx-browser/export-model.ts [--backbone inception_v3] [--size 299] [--width 0.25]
// The weights are random (no trained cxrkit weights ship offline): the page shows the runtime path,
// not a diagnosis. Swap in your trained model (loadModelWithCard) to deploy it.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend } from '@cxrkit/core';
import { buildScreeningModel, BACKBONE_KEYS, type BackboneKey, type ModelCardInput } from '@cxrkit/models';
import { exportOnnx, readOnnxInfo } from '@cxrkit/onnx';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const backbone = arg('backbone', 'inception_v3') as BackboneKey;
if (!BACKBONE_KEYS.includes(backbone)) throw new Error(`--backbone must be one of ${BACKBONE_KEYS.join(', ')}`);
const size = Number(arg('size', '299'));
const width = Number(arg('width', '0.25'));
const here = fileURLToPath(new URL('.', import.meta.url));

await initBackend({ kind: 'cpu', load: () => import('@tensorflow/tfjs-backend-cpu') });
const model = buildScreeningModel({ backbone, inputShape: [size, size, 1], backboneOptions: { widthMultiplier: width }, task: 'binary', fusion: ['age', 'sex'] });
const card: ModelCardInput = {
  name: `example_${backbone}`,
  description: 'Random weights: demonstrates the runtime path in the browser, not a diagnosis.',
  architecture: { backbone, widthMultiplier: width, inputSize: size, channels: 1 },
  preprocessing: { normalize: 'zscore' },
  fusion: [
    { input: 'age', source: 'age', scale: 0.01 },
    { input: 'sex', source: 'sex', codes: { F: 0, M: 1 } },
  ],
  task: { kind: 'binary', condition: 'osteoporosis', positive: 'high risk of osteoporosis: refer for a DXA scan' },
  threshold: { value: 0.5, rule: { method: 'fixed' } },
};
const bytes = await exportOnnx(model, { card });
writeFileSync(join(here, 'model.onnx'), bytes);
const info = readOnnxInfo(bytes);
const mib = (bytes.byteLength / 2 ** 20).toFixed(1);
console.log(`wrote ${join(here, 'model.onnx')} (${mib} MiB, ${model.countParams().toLocaleString('en')} parameters)`);
console.log(`  with its model card ${info.card!.id}`);
