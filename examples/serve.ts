// The clinic service (thesis Part 4): a primary-care site uploads a chest radiograph DICOM and gets a
// screening result. Serves a model folder written by `npm run demo` (or any folder with a layers-format
// model.json + screening.json; add model.onnx and --onnx to run it on onnxruntime-node).
//
//   npm run serve                                   # out/demo/model on http://127.0.0.1:8080
//   npm run serve -- --model path/to/model --port 9000 --onnx
//   curl --data-binary @chest.dcm -H 'content-type: application/dicom' http://127.0.0.1:8080/v1/screen?age=67
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { initBackend, backendKindFromEnv } from '@cxrkit/core';
import { loadModel, createTfjsPredictor } from '@cxrkit/models';
import { readScreeningConfig, startScreeningServer, type ScreeningPredictor } from '@cxrkit/serve';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: join('out', 'demo', 'model') },
    port: { type: 'string', default: '8080' },
    host: { type: 'string', default: '127.0.0.1' },
    onnx: { type: 'boolean', default: false },
  },
});
const dir = values.model!;
if (!existsSync(join(dir, 'screening.json'))) {
  console.error(`No screening model at ${dir}. Run \`npm run demo\` first (it trains one on synthetic radiographs), or pass --model <dir>.`);
  process.exit(2);
}
const config = await readScreeningConfig(dir);
let predictor: ScreeningPredictor;
if (values.onnx) {
  const { createOnnxPredictor } = await import('@cxrkit/onnx');
  predictor = await createOnnxPredictor(await readFile(join(dir, 'model.onnx')), { load: () => import('onnxruntime-node') });
} else {
  const kind = backendKindFromEnv(process.env, 'wasm'); // inference only: wasm is the fastest backend that installs offline
  const loaders = { cpu: () => import('@tensorflow/tfjs-backend-cpu'), wasm: () => import('@tensorflow/tfjs-backend-wasm') } as Record<string, () => Promise<unknown>>;
  await initBackend({ kind, load: loaders[kind] });
  predictor = createTfjsPredictor(await loadModel(dir));
}
const server = await startScreeningServer({ predictor, config, port: Number(values.port), host: values.host });
console.log(`cxrkit screening service (${config.condition}, ${predictor.engine}) on ${server.url}`);
console.log(`  open ${server.url}/ to upload a DICOM, or: curl --data-binary @file.dcm ${server.url}/v1/screen`);
const stop = () => void server.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
