// Writes the model the example page runs: a trained cxrkit screening model folder (model.json + weights +
// model-card.json, as saveModel writes it — e.g. out/demo/model from `npm run demo`) exported with exportOnnx,
// its model card inside the file (input size, preprocessing, fusion inputs and encodings, threshold, intended
// use): the page reads everything it needs from model.onnx itself.
//
//   npm run demo                                                                   # trains out/demo/model
//   npx tsx --conditions=cxrkit-source examples/onnx-browser/export-model.ts out/demo/model [--out model.onnx]
//   npx tsx --conditions=cxrkit-source examples/onnx-browser/export-model.ts --untrained [--backbone inception_v3] [--size 299] [--width 0.25]
//
// --untrained builds the architecture with random weights instead, to show the runtime path without training
// first; its card says so, and its scores mean nothing.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend } from '@cxrkit/core';
import {
  buildScreeningModel,
  loadModelWithCard,
  BACKBONE_KEYS,
  type BackboneKey,
  type ModelCardInput,
} from '@cxrkit/models';
import { exportOnnx, readOnnxInfo } from '@cxrkit/onnx';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const valued = new Set(['--backbone', '--size', '--width', '--out']);
const folder = args.find((a, i) => !a.startsWith('--') && !valued.has(args[i - 1] ?? ''));
const untrained = args.includes('--untrained');
if (!folder && !untrained) {
  console.error(
    'Usage: export-model.ts <trained model folder> (e.g. out/demo/model, written by `npm run demo`)\n' +
      '   or: export-model.ts --untrained [--backbone inception_v3] [--size 299] [--width 0.25]',
  );
  process.exit(2);
}
const here = fileURLToPath(new URL('.', import.meta.url));

await initBackend({ kind: 'cpu', load: () => import('@tensorflow/tfjs-backend-cpu') });
let bytes: Uint8Array;
let params: number;
if (folder) {
  // the trained model and its card, as saveModel wrote them (an old screening.json is migrated)
  const { model, card } = await loadModelWithCard(folder);
  bytes = await exportOnnx(model, { card });
  params = model.countParams();
  console.log(`exported the trained model in ${folder} (${card.name})`);
} else {
  const backbone = arg('backbone', 'inception_v3') as BackboneKey;
  if (!BACKBONE_KEYS.includes(backbone)) throw new Error(`--backbone must be one of ${BACKBONE_KEYS.join(', ')}`);
  const size = Number(arg('size', '299'));
  const width = Number(arg('width', '0.25'));
  const model = buildScreeningModel({
    backbone,
    inputShape: [size, size, 1],
    backboneOptions: { widthMultiplier: width },
    task: 'binary',
    fusion: ['age', 'sex'],
  });
  const card: ModelCardInput = {
    name: `untrained_${backbone}`,
    description: 'UNTRAINED (random weights): demonstrates the runtime path in the browser; its scores mean nothing.',
    architecture: { backbone, widthMultiplier: width, inputSize: size, channels: 1 },
    preprocessing: { normalize: 'zscore' },
    fusion: [
      { input: 'age', source: 'age', scale: 0.01 },
      { input: 'sex', source: 'sex', codes: { F: 0, M: 1 } },
    ],
    task: { kind: 'binary', condition: 'osteoporosis', positive: 'high risk of osteoporosis: refer for a DXA scan' },
    threshold: { value: 0.5, rule: { method: 'fixed' } },
  };
  bytes = await exportOnnx(model, { card });
  params = model.countParams();
  console.log('exported an UNTRAINED model (random weights): its scores mean nothing');
}
const target = arg('out', join(here, 'model.onnx'));
writeFileSync(target, bytes);
const info = readOnnxInfo(bytes);
const mib = (bytes.byteLength / 2 ** 20).toFixed(1);
console.log(`wrote ${target} (${mib} MiB, ${params.toLocaleString('en')} parameters)`);
console.log(`  with its model card ${info.card!.id}`);
