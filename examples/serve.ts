// The clinic service (thesis Part 4): a primary-care site uploads a chest radiograph DICOM and gets a
// screening result — or "not screened", with the reasons, for an image outside the model's intended use.
// Serves a model folder written by `npm run demo` (or any folder with a layers-format model.json and its model
// card, model-card.json — an old screening.json is migrated; add model.onnx and --onnx to run it on
// onnxruntime-node with the card embedded in the ONNX file).
//
//   npm run serve                                   # out/demo/model on http://127.0.0.1:8080
//   npm run serve -- --model path/to/model --port 9000 --onnx --token "$(cat key)"
//   curl --data-binary @chest.dcm -H 'content-type: application/dicom' http://127.0.0.1:8080/v1/screen?age=67
//
// Grad-CAM: on the tfjs engine, from the served model. On --onnx (onnxruntime computes no gradients), the
// tfjs model beside model.onnx is loaded for Grad-CAM alone when TensorFlow.js is installed and the folder has
// model.json with the same card; otherwise results say `gradcamUnavailable` with the reason, and the service
// runs without TensorFlow.js. --no-gradcam switches it off.
// In a DICOM network (@cxrkit/dicom-net): results go back into the study as an SR (+ SC) at --forward
//   npm run serve -- --model DIR --dimse-port 11112 --ae-title CXRKIT --forward dimse://ORTHANC@127.0.0.1:4242
//   npm run serve -- --model DIR --forward http://127.0.0.1:8042/dicom-web     # STOW-RS in and out
// STOW-RS is served at POST /dicomweb/studies; C-STORE at --ae-title on --dimse-port; and
//   curl --data-binary @chest.dcm 'http://127.0.0.1:8080/v1/screen?return=sr,sc' returns the SR and SC.
// Every image (HTTP, STOW-RS or C-STORE) goes through the service's queue, decode workers and intended-use gate.
// Logs: one JSON line per request on stdout (time, request id, route, status, duration, hashed UIDs; never a
// patient name, ID, birth date or pixel). SIGTERM/SIGINT: stops accepting, finishes what is in flight, exits.
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { readModelCard, MODEL_CARD_FILE, LEGACY_SCREENING_FILE, type ModelCard } from '@cxrkit/models/card';
import {
  jsonLinesLogger,
  startScreeningServer,
  type RunningService,
  type ScreeningExplainer,
  type ScreeningPredictor,
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
    'no-gradcam': { type: 'boolean', default: false },
    token: { type: 'string' },
    'audit-key': { type: 'string' },
    'max-queue': { type: 'string', default: '16' },
    workers: { type: 'string' },
    threads: { type: 'string' },
    // DICOM networking
    'dimse-port': { type: 'string' },
    'ae-title': { type: 'string', default: 'CXRKIT' },
    forward: { type: 'string' },
  },
});
const dir = values.model!;
if (!existsSync(join(dir, MODEL_CARD_FILE)) && !existsSync(join(dir, LEGACY_SCREENING_FILE))) {
  console.error(
    `No screening model at ${dir}. Run \`npm run demo\` first (it trains one on synthetic radiographs), or pass --model <dir>.`,
  );
  process.exit(2);
}
const wantGradcam = !values['no-gradcam'];

/** The tfjs model of the folder on a CPU backend (wasm by default), with its card. */
async function loadTfjs() {
  const { initBackend, backendKindFromEnv } = await import('@cxrkit/core');
  const { loadModelWithCard } = await import('@cxrkit/models');
  const kind = backendKindFromEnv(process.env, 'wasm'); // inference only: wasm is the fastest backend that installs offline
  const loaders = {
    cpu: () => import('@tensorflow/tfjs-backend-cpu'),
    wasm: () => import('@tensorflow/tfjs-backend-wasm'),
  } as Record<string, () => Promise<unknown>>;
  await initBackend({ kind, load: loaders[kind] });
  // production mode: no debug checks, and no "use tfjs-node" notice on the console
  (await import('@tensorflow/tfjs-core')).enableProdMode();
  return loadModelWithCard(dir);
}

async function gradCamOn(model: LayersModel, card: ModelCard) {
  const { createGradCamExplainer } = await import('@cxrkit/gradcam');
  return createGradCamExplainer(model, card);
}

let predictor: ScreeningPredictor;
let card: ModelCard;
let explainer: ScreeningExplainer | undefined;
let gradcamUnavailable: string | undefined;
if (values.onnx) {
  const { createOnnxPredictor, readOnnxInfo } = await import('@cxrkit/onnx/runtime');
  const bytes = await readFile(join(dir, 'model.onnx'));
  const threads = values.threads ? Number(values.threads) : undefined;
  predictor = await createOnnxPredictor(bytes, { load: () => import('onnxruntime-node'), threads });
  // the card embedded in the ONNX file; a file exported without one falls back to the folder's card
  card = readOnnxInfo(bytes).card ?? (await readModelCard(dir, { inputNames: predictor.inputNames }));
  if (wantGradcam) {
    const why =
      'this service runs the ONNX model on onnxruntime, which computes no gradients; Grad-CAM needs TensorFlow.js ' +
      'installed and the model.json of the same model beside model.onnx';
    if (!existsSync(join(dir, 'model.json'))) gradcamUnavailable = why;
    else {
      try {
        const loaded = await loadTfjs();
        if (loaded.card.id !== card.id) gradcamUnavailable = `${why} (model.json has another model card)`;
        else explainer = await gradCamOn(loaded.model, card);
      } catch (e) {
        gradcamUnavailable = `${why} (${(e as Error).message.split('\n')[0]})`;
      }
    }
  }
} else {
  const { createTfjsPredictor } = await import('@cxrkit/models');
  const loaded = await loadTfjs();
  predictor = createTfjsPredictor(loaded.model);
  card = loaded.card;
  if (wantGradcam) explainer = await gradCamOn(loaded.model, card);
}

// ---- DICOM networking (@cxrkit/dicom-net): STOW-RS and C-STORE in, SR + SC out to --forward ----
if (values['dimse-port'] && !values.forward) {
  console.error('--dimse-port needs --forward (where the results go): e.g. --forward dimse://PACS@HOST:4242');
  process.exit(2);
}
const forward = values.forward ? parseForwardUrl(values.forward) : undefined;
// the receivers' events (hashed UIDs only), as JSON lines beside the access log
const event = (e: object) => process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...e })}\n`);
let server: RunningService | undefined; // (the receiver screens through the running service: bound below)
const receiver: DicomReceiver | undefined = forward
  ? createDicomReceiver({
      card,
      screen: async (bytes) => (await server!.handler.screen(bytes)).result,
      destination: createDestination(forward, { callingAeTitle: values['ae-title'] }),
      onEvent: event,
    })
  : undefined;
// ---- end of DICOM networking ----

server = await startScreeningServer({
  predictor,
  card,
  explainer,
  gradcamUnavailable,
  port: Number(values.port),
  host: values.host,
  token: values.token ?? process.env['CXRKIT_SERVE_TOKEN'] ?? undefined,
  auditKey: values['audit-key'] ?? process.env['CXRKIT_AUDIT_KEY'] ?? undefined,
  maxQueue: Number(values['max-queue']),
  decodeWorkers: values.workers ? Number(values.workers) : undefined,
  log: jsonLinesLogger((line) => process.stdout.write(line)),
  routes: dicomwebRoutes({ card, receiver }),
});
const dimse = values['dimse-port']
  ? await startDimseReceiver({
      receiver: receiver!,
      aeTitle: values['ae-title'],
      port: Number(values['dimse-port']),
      host: values.host,
      onEvent: (e) => event({ source: 'dimse', ...e }),
    })
  : undefined;
const gradcam = explainer
  ? `Grad-CAM on ${explainer.layers.length} layer(s)`
  : `no Grad-CAM (${wantGradcam ? gradcamUnavailable : 'switched off'})`;
console.log(`cxrkit screening service (${card.name}, ${predictor.engine}, ${gradcam}) on ${server.url}`);
console.log(`  model card ${card.id}`);
console.log(`  open ${server.url}/ to upload a DICOM, or: curl --data-binary @file.dcm ${server.url}/v1/screen`);
if (forward) console.log(`  DICOMweb STOW-RS at ${server.url}/dicomweb/studies; results to ${forward.display}`);
if (dimse) console.log(`  DICOM C-STORE SCP ${dimse.aeTitle} on ${dimse.host}:${dimse.port}`);
let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: finishing the screens in flight, then exiting`);
  // no new C-STORE associations; the instances already acknowledged are screened (through the service, still
  // open) and reach the destination (at most 30 s); then the HTTP service answers what is in flight and exits
  void (async () => {
    await dimse?.close();
    await Promise.race([receiver?.idle(), new Promise((r) => setTimeout(r, 30_000))]);
    await server!.close();
    process.exit(0);
  })();
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
