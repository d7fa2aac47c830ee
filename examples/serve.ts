// The clinic service (thesis Part 4): a primary-care site uploads a chest radiograph DICOM and gets a
// screening result. Serves a model folder written by `npm run demo` (or any folder with a layers-format
// model.json and its model card, model-card.json — an old screening.json is migrated; add model.onnx and
// --onnx to run it on onnxruntime-node with the card embedded in the ONNX file).
//
//   npm run serve                                   # out/demo/model on http://127.0.0.1:8080
//   npm run serve -- --model path/to/model --port 9000 --onnx
//   curl --data-binary @chest.dcm -H 'content-type: application/dicom' http://127.0.0.1:8080/v1/screen?age=67
//
// In a DICOM network (@cxrkit/dicom-net): results go back into the study as an SR (+ SC) at --forward
//   npm run serve -- --model DIR --dimse-port 11112 --ae-title CXRKIT --forward dimse://ORTHANC@127.0.0.1:4242
//   npm run serve -- --model DIR --forward http://127.0.0.1:8042/dicom-web     # STOW-RS in and out
// STOW-RS is served at POST /dicomweb/studies; C-STORE at --ae-title on --dimse-port; and
//   curl --data-binary @chest.dcm 'http://127.0.0.1:8080/v1/screen?return=sr,sc' returns the SR and SC.
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { initBackend, backendKindFromEnv } from '@cxrkit/core';
import { loadModelWithCard, createTfjsPredictor } from '@cxrkit/models';
import { readModelCard, MODEL_CARD_FILE, LEGACY_SCREENING_FILE, type ModelCard } from '@cxrkit/models/card';
import {
  parseOverrides,
  screenDicomWithCard,
  startScreeningServer,
  type ScreeningPredictor,
  type ServiceRoute,
} from '@cxrkit/serve';
import {
  createDestination,
  createDicomReceiver,
  dicomwebRoutes,
  parseForwardUrl,
  startDimseReceiver,
  type DicomReceiver,
} from '@cxrkit/dicom-net';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: join('out', 'demo', 'model') },
    port: { type: 'string', default: '8080' },
    host: { type: 'string', default: '127.0.0.1' },
    onnx: { type: 'boolean', default: false },
    // DICOM networking
    'dimse-port': { type: 'string' },
    'ae-title': { type: 'string', default: 'CXRKIT' },
    forward: { type: 'string' },
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
// ---- DICOM networking (@cxrkit/dicom-net): STOW-RS and C-STORE in, SR + SC out to --forward ----
if (values['dimse-port'] && !values.forward) {
  console.error('--dimse-port needs --forward (where the results go): e.g. --forward dimse://PACS@HOST:4242');
  process.exit(2);
}
const forward = values.forward ? parseForwardUrl(values.forward) : undefined;
const log = (event: object) => console.log(JSON.stringify({ time: new Date().toISOString(), ...event }));
const screen = (bytes: Uint8Array, url?: URL) =>
  screenDicomWithCard(bytes, card, predictor, url ? parseOverrides(url) : undefined);
const receiver: DicomReceiver | undefined = forward
  ? createDicomReceiver({
      card,
      screen: (bytes) => screen(bytes),
      destination: createDestination(forward, { callingAeTitle: values['ae-title'] }),
      onEvent: log,
    })
  : undefined;
const routes: ServiceRoute[] = [dicomwebRoutes({ card, receiver, screen })];
const dimse = values['dimse-port']
  ? await startDimseReceiver({
      receiver: receiver!,
      aeTitle: values['ae-title'],
      port: Number(values['dimse-port']),
      host: values.host,
      onEvent: (e) => log({ source: 'dimse', ...e }),
    })
  : undefined;
// ---- end of DICOM networking ----

const server = await startScreeningServer({ predictor, card, port: Number(values.port), host: values.host, routes });
console.log(`cxrkit screening service (${card.name}, ${predictor.engine}) on ${server.url}`);
console.log(`  model card ${card.id}`);
console.log(`  open ${server.url}/ to upload a DICOM, or: curl --data-binary @file.dcm ${server.url}/v1/screen`);
if (forward) console.log(`  DICOMweb STOW-RS at ${server.url}/dicomweb/studies; results to ${forward.display}`);
if (dimse) console.log(`  DICOM C-STORE SCP ${dimse.aeTitle} on ${dimse.host}:${dimse.port}`);
// stop taking work, let the instances already acknowledged reach the destination (at most 30 s), exit
const stop = () =>
  void Promise.all([server.close(), dimse?.close()])
    .then(() => Promise.race([receiver?.idle(), new Promise((r) => setTimeout(r, 30_000))]))
    .then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
