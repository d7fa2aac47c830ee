// The clinic service (thesis Part 4): a primary-care site uploads a chest radiograph DICOM and gets a
// screening result. Serves a model folder written by `npm run demo` (or any folder with a layers-format
// model.json and its model card, model-card.json — an old screening.json is migrated; add model.onnx and
// --onnx to run it on onnxruntime-node with the card embedded in the ONNX file).
//
//   npm run serve                                   # out/demo/model on http://127.0.0.1:8080
//   npm run serve -- --model path/to/model --port 9000 --onnx
//   curl --data-binary @chest.dcm -H 'content-type: application/dicom' http://127.0.0.1:8080/v1/screen?age=67
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { initBackend, backendKindFromEnv } from '@cxrkit/core';
import { loadModelWithCard, createTfjsPredictor } from '@cxrkit/models';
import { readModelCard, MODEL_CARD_FILE, LEGACY_SCREENING_FILE, type ModelCard } from '@cxrkit/models/card';
import { startScreeningServer, type ScreeningPredictor } from '@cxrkit/serve';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: join('out', 'demo', 'model') },
    port: { type: 'string', default: '8080' },
    host: { type: 'string', default: '127.0.0.1' },
    onnx: { type: 'boolean', default: false },
  },
});
const dir = values.model!;
if (!existsSync(join(dir, MODEL_CARD_FILE)) && !existsSync(join(dir, LEGACY_SCREENING_FILE))) {
  console.error(`No screening model at ${dir}. Run \`npm run demo\` first (it trains one on synthetic radiographs), or pass --model <dir>.`);
  process.exit(2);
}
let predictor: ScreeningPredictor;
let card: ModelCard;
if (values.onnx) {
  const { createOnnxPredictor, readOnnxInfo } = await import('@cxrkit/onnx');
  const bytes = await readFile(join(dir, 'model.onnx'));
  predictor = await createOnnxPredictor(bytes, { load: () => import('onnxruntime-node') });
  // the card embedded in the ONNX file; a file exported without one falls back to the folder's card
  card = readOnnxInfo(bytes).card ?? (await readModelCard(dir, { inputNames: predictor.inputNames }));
} else {
  const kind = backendKindFromEnv(process.env, 'wasm'); // inference only: wasm is the fastest backend that installs offline
  const loaders = { cpu: () => import('@tensorflow/tfjs-backend-cpu'), wasm: () => import('@tensorflow/tfjs-backend-wasm') } as Record<string, () => Promise<unknown>>;
  await initBackend({ kind, load: loaders[kind] });
  const loaded = await loadModelWithCard(dir);
  predictor = createTfjsPredictor(loaded.model);
  card = loaded.card;
}
const server = await startScreeningServer({ predictor, card, port: Number(values.port), host: values.host });
console.log(`cxrkit screening service (${card.name}, ${predictor.engine}) on ${server.url}`);
console.log(`  model card ${card.id}`);
console.log(`  open ${server.url}/ to upload a DICOM, or: curl --data-binary @file.dcm ${server.url}/v1/screen`);
const stop = () => void server.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
