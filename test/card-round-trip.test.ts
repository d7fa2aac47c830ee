// The model card's round trip, end to end: saveModel → loadModelWithCard → exportOnnx → readOnnxInfo → the
// screening service over HTTP (tfjs with the card from the model folder, onnxruntime with the card from the
// ONNX file) → the browser example's input function. Every consumer gets the same card (same id) and feeds
// the model the same inputs, bit for bit, for a real chest radiograph DICOM. And an old model folder with only
// a screening.json (fixture written by the pre-card writer) still serves, feeding what 0.1.0 fed.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import * as ort from 'onnxruntime-node';
import { createRng, grayToChannels, preprocessRadiograph, readDicom } from '@cxrkit/core';
import {
  buildScreeningModel,
  createTfjsPredictor,
  loadModelWithCard,
  saveModel,
  type Predictor,
  type PredictInputs,
} from '@cxrkit/models';
import { createModelCard, modelInputs, readModelCard, type ModelCard, type ModelCardInput } from '@cxrkit/models/card';
import { createOnnxPredictor, exportOnnx, readOnnxCard, readOnnxInfo } from '@cxrkit/onnx';
import { readScreeningConfig, startScreeningServer, type ArrayBatch, type ScreeningResult } from '@cxrkit/serve';
import { repoRoot, testOutputDir } from './helpers.js';

const SIZE = 64;
const dataRoot = process.env.CXRKIT_DATA ?? join(repoRoot, '..', 'shared', 'data');
// The NIH chest radiograph of the NCCID test data: DX, 1024 × 1024, PatientAge 081Y, PatientSex M.
const dicomPath = join(
  dataRoot,
  'dicom',
  'nhsx-nccid-testdata',
  '1.3.6.1.4.1.11129.5.5.110503645592756492463169821050252582267888.dcm',
);
const skip = existsSync(dicomPath)
  ? false
  : `the real chest radiograph DICOM is not in the shared data (${dicomPath}); set CXRKIT_DATA`;
const out = testOutputDir('card-round-trip');
after(() => rm(out, { recursive: true, force: true }));

const cardInput: ModelCardInput = {
  name: 'round_trip_osteoporosis',
  architecture: { backbone: 'resnet50', widthMultiplier: 1 / 16, inputSize: SIZE, channels: 1 },
  preprocessing: { normalize: 'zscore' },
  fusion: [
    { input: 'age', source: 'age', scale: 0.01 },
    { input: 'sex', source: 'sex', codes: { F: 0, M: 1 } },
  ],
  task: { kind: 'binary', condition: 'osteoporosis', positive: 'lowest T-score ≤ −2.5: refer for DXA' },
  threshold: {
    value: 0.5,
    rule: { method: 'youden' },
    chosenOn: { set: 'tuning', n: 40, positives: 20 },
    operatingPoint: { sensitivity: 0.8, specificity: 0.75 },
  },
  trainingData: { source: 'none (untrained test model)', synthetic: true, counts: { train: 0 } },
  metrics: { test: { n: 80, auc: { value: 0.5, ci: [0.4, 0.6], level: 0.95, method: 'delong' } } },
};

function screeningModel(): tfl.LayersModel {
  const model = buildScreeningModel({
    backbone: 'resnet50',
    inputShape: [SIZE, SIZE, 1],
    backboneOptions: { widthMultiplier: 1 / 16 },
    task: 'binary',
    fusion: ['age', 'sex'],
  });
  // every weight seeded (so the score is the same on every run): Glorot-uniform kernels as Keras draws them,
  // and non-trivial BatchNorm statistics (Keras's mean 0 / variance 1 would hide layout bugs)
  const rng = createRng(12);
  for (const w of model.weights) {
    const shape = w.shape as number[];
    const name = w.originalName;
    let range: [number, number] | undefined;
    if (/kernel/.test(name)) {
      const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
      const limit = Math.sqrt(6 / (receptive * (shape.at(-2)! + shape.at(-1)!)));
      range = [-limit, limit];
    } else if (/moving_variance/.test(name)) range = [0.5, 1.5];
    else if (/moving_mean|beta/.test(name)) range = [-0.2, 0.2];
    if (!range) continue;
    const [lo, hi] = range;
    tf.tidy(
      () =>
        void w.write(
          tf.tensor(
            Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.uniform(lo, hi)),
            shape,
          ),
        ),
    );
  }
  return model;
}

/** A predictor that keeps the inputs it was given. */
function recording(p: Predictor): Predictor & { calls: Record<string, ArrayBatch>[] } {
  const calls: Record<string, ArrayBatch>[] = [];
  return {
    inputNames: p.inputNames,
    outputNames: p.outputNames,
    engine: p.engine,
    calls,
    predict: (inputs: PredictInputs) => {
      calls.push(inputs as Record<string, ArrayBatch>);
      return p.predict(inputs);
    },
    dispose: () => p.dispose(),
  };
}

/** Same names, shapes and bytes (not just close values). */
function assertBitEqual(
  actual: Record<string, { data: Float32Array; shape: readonly number[] }>,
  expected: Record<string, ArrayBatch>,
  label: string,
) {
  assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort(), label);
  for (const [name, b] of Object.entries(expected)) {
    const a = actual[name]!;
    assert.deepEqual([...a.shape], [...b.shape], `${label}: shape of ${name}`);
    const bytes = (x: Float32Array) => Buffer.from(x.buffer, x.byteOffset, x.byteLength);
    assert.ok(bytes(a.data).equals(bytes(b.data)), `${label}: ${name} differs`);
  }
}

async function screenOverHttp(
  predictor: Predictor,
  source: { card?: ModelCard; config?: Awaited<ReturnType<typeof readScreeningConfig>> },
): Promise<ScreeningResult> {
  const server = await startScreeningServer({ predictor, ...source, port: 0 });
  try {
    const body = await import('node:fs/promises').then((fs) => fs.readFile(dicomPath));
    const r = await fetch(`${server.url}/v1/screen`, {
      method: 'POST',
      headers: { 'content-type': 'application/dicom' },
      body: body as unknown as string,
    });
    assert.equal(r.status, 200, await r.clone().text());
    return (await r.json()) as ScreeningResult;
  } finally {
    await server.close();
  }
}

test('one card, the same inputs: saveModel → loadModelWithCard → exportOnnx → readOnnxInfo → serve → browser', {
  skip,
}, async () => {
  const dir = join(out, 'model');
  const model = screeningModel();
  const saved = await saveModel(model, dir, { card: cardInput });
  assert.deepEqual(saved.card, createModelCard(cardInput));

  const { model: loaded, card: fromFolder } = await loadModelWithCard(dir);
  assert.deepEqual(fromFolder, saved.card);
  assert.deepEqual(await readModelCard(dir), fromFolder);
  const bytes = await exportOnnx(loaded, { card: fromFolder });
  const fromOnnx = readOnnxInfo(bytes).card!;
  assert.deepEqual(fromOnnx, fromFolder);
  assert.equal(fromOnnx.id, saved.card!.id);
  assert.deepEqual(readOnnxCard(bytes), fromFolder);

  // the service on tfjs with the folder's card, and on onnxruntime with the ONNX file's card
  const tfjsPredictor = recording(createTfjsPredictor(loaded));
  const ortPredictor = recording(await createOnnxPredictor(bytes, { load: () => ort, threads: 1 }));
  const viaTfjs = await screenOverHttp(tfjsPredictor, { card: await readModelCard(dir) });
  const viaOnnx = await screenOverHttp(ortPredictor, { card: fromOnnx });
  assert.ok(viaTfjs.screened && viaOnnx.screened, 'the real chest radiograph is inside the intended use');
  assert.equal(viaTfjs.cardId, fromFolder.id);
  assert.equal(viaOnnx.cardId, fromFolder.id);
  assert.deepEqual([viaTfjs.patient.age, viaTfjs.patient.sex], [81, 'M']);
  const served = tfjsPredictor.calls[0]!;
  assertBitEqual(ortPredictor.calls[0]!, served, 'onnxruntime service vs tfjs service');
  const dicom = await readDicom(dicomPath);
  assertBitEqual(modelInputs(dicom.grayscale(0), dicom.meta, fromFolder), served, 'modelInputs vs service');
  assert.deepEqual(
    [...served.age!.data, ...served.sex!.data],
    [Math.fround(0.81), 1],
    "the card's encodings: 81 y × 0.01, M = 1",
  );
  assert.ok(Math.abs(viaTfjs.score - viaOnnx.score) <= 1e-4, `tfjs ${viaTfjs.score} vs onnxruntime ${viaOnnx.score}`);
  assert.ok(
    Math.abs(viaTfjs.score - 0.5) > 1e-3,
    `a live output (a dead network scores sigmoid(0) = 0.5): ${viaTfjs.score}`,
  );
  console.log(`# scores: tfjs ${viaTfjs.score}, onnxruntime ${viaOnnx.score}`);
  for (const r of [viaTfjs, viaOnnx]) assert.equal(r.positive, r.score >= 0.5);

  // the browser example's own functions (bundled from @cxrkit/models/card as the page loads them)
  const { buildCardBundle } = (await import(
    pathToFileURL(join(repoRoot, 'examples', 'onnx-browser', 'build-card.mjs')).href
  )) as {
    buildCardBundle(): Promise<{ bytes: number }>;
  };
  await buildCardBundle();
  const browser = (await import(pathToFileURL(join(repoRoot, 'examples', 'onnx-browser', 'screening.mjs')).href)) as {
    cardFromOnnx(bytes: Uint8Array): ModelCard;
    screeningFeeds(
      o: typeof ort,
      card: ModelCard,
      gray: unknown,
      patient: unknown,
    ): Record<string, { data: Float32Array; dims: readonly number[] }>;
    runScreening(
      o: typeof ort,
      s: ort.InferenceSession,
      card: ModelCard,
      gray: unknown,
      patient: unknown,
    ): Promise<{ score: number; positive: boolean }>;
  };
  const browserCard = browser.cardFromOnnx(bytes);
  assert.deepEqual(browserCard, fromFolder);
  const patient = { age: dicom.meta.age, sex: dicom.meta.sex };
  const feeds = browser.screeningFeeds(ort, browserCard, dicom.grayscale(0), patient);
  assertBitEqual(
    Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, { data: t.data, shape: t.dims }])),
    served,
    'browser feeds vs service',
  );
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
  const inBrowser = await browser.runScreening(ort, session, browserCard, dicom.grayscale(0), patient);
  assert.ok(
    Math.abs(inBrowser.score - viaOnnx.score) <= 1e-6,
    `browser function ${inBrowser.score} vs service ${viaOnnx.score}`,
  );
  assert.equal(inBrowser.positive, viaOnnx.positive);
  await session.release();
  await ortPredictor.dispose();
  model.dispose();
  loaded.dispose();
});

test('an old model folder with only screening.json (pre-card writer) still serves, feeding what 0.1.0 fed', {
  skip,
}, async () => {
  const dir = join(out, 'legacy');
  const model = screeningModel();
  await saveModel(model, dir); // no card: weights only, as 0.1.0's saveModel wrote them
  await copyFile(
    join(repoRoot, 'test', 'fixtures', 'models', 'legacy-screening', 'screening.json'),
    join(dir, 'screening.json'),
  );

  const { model: loaded, card } = await loadModelWithCard(dir);
  assert.equal(card.migratedFrom, 'screening.json');
  assert.deepEqual(
    card.fusion.map((f) => f.input),
    ['age', 'sex'],
    'fusion inputs from model.json',
  );
  const predictor = recording(createTfjsPredictor(loaded));
  const result = await screenOverHttp(predictor, { card: await readModelCard(dir) });
  assert.ok(result.screened);
  assert.equal(result.cardId, card.id);
  assert.equal(result.threshold, 0.5);

  // what @cxrkit/serve 0.1.0 computed (screen.ts at 0da8b94): preprocessRadiograph + grayToChannels, age × 0.01, M = 1
  const dicom = await readDicom(dicomPath);
  const image = grayToChannels(preprocessRadiograph(dicom.grayscale(0), { size: SIZE, normalize: 'zscore' }), 1);
  const old = {
    image: { data: image, shape: [1, SIZE, SIZE, 1] },
    age: { data: Float32Array.of(81 * 0.01), shape: [1, 1] },
    sex: { data: Float32Array.of(1), shape: [1, 1] },
  };
  assertBitEqual(predictor.calls[0]!, old, 'migrated card vs serve 0.1.0');

  // the deprecated path (readScreeningConfig + { config }) gives the same card and inputs
  const deprecated = await screenOverHttp(predictor, { config: await readScreeningConfig(dir) });
  assert.equal(deprecated.cardId, card.id);
  assertBitEqual(predictor.calls[1]!, old, 'deprecated config path vs serve 0.1.0');
  model.dispose();
  loaded.dispose();
});
