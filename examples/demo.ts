// cxrkit's main job, end to end, on data every checkout has and the default backend:
//
//   npm run demo                 # wasm backend, 2 threads (CXRKIT_BACKEND=cpu, CXRKIT_THREADS=1 to change)
//   npm run demo -- --quick      # a smaller, faster run
//
// 1. reads the two real chest-radiograph DICOMs in ../shared/data (age/sex from the header);
// 2. makes a synthetic osteoporosis cohort with a known bone-density signal (no public chest
//    radiographs with DXA labels exist) and splits it 70/10/20 by patient;
// 3. trains the thesis's screening model (InceptionV3 backbone, width-scaled to run on a laptop CPU,
//    GAP + dense/dropout head, Adam lr 1e-3, binary cross-entropy, z-scored images, augmentation);
// 4. reports AUC with its DeLong CI and sensitivity/specificity/PPV/NPV/F1 at a threshold chosen on the
//    tuning set (Youden), with ROC and confusion-matrix plots;
// 5. explains it with Grad-CAM averaged over mixed10's nine convolutions, registered to a reference
//    lung mask and averaged over true positives (the CAM atlas);
// 6. saves the model with its model card (architecture, preprocessing, threshold and how it was chosen,
//    training data, tuning/test metrics, intended use), exports ONNX with the card inside, and screens
//    DICOM files through the same path the clinic service (`npm run serve`) uses.
// Everything it writes goes to out/demo/.
import { parseArgs } from 'node:util';
import { mkdir, writeFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import {
  initBackend,
  backendKindFromEnv,
  readDicom,
  preprocessRadiograph,
  synthesizeDataset,
  splitByPatient,
  thesisAugmentation,
  imagesToTensor,
  writePng,
  encodeDicom,
  resize,
  type GrayImage,
} from '@cxrkit/core';
import {
  buildScreeningModel,
  train,
  createTfjsPredictor,
  saveModel,
  prepareWasmThreads,
  withSeededRandom,
} from '@cxrkit/models';
import { createProgressBar } from '@cxrkit/models/progress-bar';
import { cardImagePixels, type ModelCardInput } from '@cxrkit/models/card';
import { rocAuc, delongCi, evaluateWithTunedThreshold, type BinaryMetrics } from '@cxrkit/metrics';
import { rocPlotSpec, confusionMatrixSpec, writePlot } from '@cxrkit/metrics/plots';
import { gradCam, buildCamAtlas, defaultCamLayers, overlayHeatmap, heatmapPeak, type AtlasCase } from '@cxrkit/gradcam';
import { screenDicom } from '@cxrkit/serve';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    out: { type: 'string', default: join('out', 'demo') },
    seed: { type: 'string', default: '7' },
    epochs: { type: 'string' },
    n: { type: 'string' },
  },
});
const quick = values.quick!;
const out = resolve(values.out!);
const seed = Number(values.seed);
const SIZE = quick ? 160 : 192; // InceptionV3's mixed10 is 3×3 at 160 px and 4×4 at 192 (14×14 at the thesis's 512)
const N = Number(values.n ?? (quick ? 400 : 1000));
const EPOCHS = Number(values.epochs ?? (quick ? 5 : 8));
const dataRoot = process.env.CXRKIT_DATA ? resolve(process.env.CXRKIT_DATA) : resolve('..', 'shared', 'data');
const log = (s: string) => console.log(s);
const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
const started = performance.now();

// ── backend (injected: the application picks it) ────────────────────────────────────────────────
const kind = backendKindFromEnv(process.env, 'wasm'); // wasm + cxrkit's training kernels: the fastest backend that installs from npm alone
const loaders: Record<string, () => Promise<unknown>> = {
  cpu: () => import('@tensorflow/tfjs-backend-cpu'),
  wasm: () => import('@tensorflow/tfjs-backend-wasm'),
};
if (!loaders[kind]) throw new Error(`the demo runs on cpu or wasm (got CXRKIT_BACKEND=${kind})`);
let threadsNote = '';
if (kind === 'wasm') {
  // XNNPACK's thread pool in Node (see packages/tfjs-ext/src/wasm/README.md): up to 2 threads by default.
  const threads = Number(process.env.CXRKIT_THREADS ?? Math.min(2, availableParallelism()));
  if (threads > 1) {
    const plan = await prepareWasmThreads((await import('@tensorflow/tfjs-backend-wasm')) as never, { threads });
    threadsNote = plan.enabled ? `, ${threads} threads` : ` (threads not enabled: ${plan.reason})`;
  }
}
await initBackend({ kind, load: loaders[kind] }); // importing @cxrkit/models registered the wasm training kernels
await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
log(`cxrkit demo — backend ${tf.getBackend()}${threadsNote}, output in ${out}\n`);

// ── 1. real chest radiograph DICOMs ──────────────────────────────────────────────────────────────
const realDicoms = [
  join(
    dataRoot,
    'dicom',
    'nhsx-nccid-testdata',
    '1.3.6.1.4.1.11129.5.5.110503645592756492463169821050252582267888.dcm',
  ),
  join(dataRoot, 'dicom', 'torchxrayvision-tests', '1.2.276.0.7230010.3.1.4.8323329.6904.1517875201.850819.dcm'),
].filter((p) => existsSync(p));
log('1. Real chest radiograph DICOMs');
for (const [i, path] of realDicoms.entries()) {
  const d = await readDicom(path);
  const m = d.meta;
  log(
    `   ${m.modality ?? '?'} ${m.viewPosition ?? ''} ${d.columns}×${d.rows}, ${d.photometric}, ${d.transferSyntax}: age ${m.age ?? '?'} (${m.ageSource ?? '-'}), sex ${m.sex ?? '?'}`,
  );
  await writePng(
    join(out, `real-${i + 1}-preprocessed.png`),
    preprocessRadiograph(d.grayscale(), { size: 512, normalize: 'percentile' }),
  );
}
if (realDicoms.length === 0) log(`   (none found under ${dataRoot}; set CXRKIT_DATA)`);

// ── 2. synthetic cohort with a known bone-density signal, split by patient ───────────────────────
log(`\n2. Synthetic cohort: ${N} radiographs at ${SIZE}×${SIZE}, half with osteoporosis (T ≤ −2.5)`);
const records = synthesizeDataset({ n: N, seed: `demo-${seed}`, size: SIZE, osteoporosisFraction: 0.5 });
const rows = records.map((r) => ({ ...r, sex: r.labels.sex, osteoporosis: r.labels.osteoporosis }));
const { splits } = splitByPatient(rows, { seed, stratifyBy: (r) => r.osteoporosis, bySex: true });
// The image input, fixed now and written into the model card at the end: every image below (training,
// evaluation, Grad-CAM) and the service's modelInputs go through the same cardImagePixels with it.
const imageSpec = {
  architecture: { backbone: 'inception_v3', widthMultiplier: 1 / 8, inputSize: SIZE, channels: 1 },
  preprocessing: { normalize: 'zscore', clipPercent: 0.5 }, // 0.5 % clip, per-image z-score (thesis Part 2)
} as const;
const prepared = (image: GrayImage): GrayImage => ({
  data: cardImagePixels(image, imageSpec),
  width: SIZE,
  height: SIZE,
});
const sample = (r: (typeof rows)[number]) => ({ image: prepared(r.radiograph!.image), target: r.osteoporosis });
const [trainSet, tuneSet, testSet] = [splits.train!, splits.tune!, splits.test!];
log(`   train ${trainSet.length} / tune ${tuneSet.length} / test ${testSet.length} images (no patient in two splits)`);
await writePng(join(out, 'synthetic-example.png'), trainSet[0]!.radiograph!.image);

// ── 3. the screening model, trained ──────────────────────────────────────────────────────────────
log('\n3. Training InceptionV3 (width × 1/8) + GAP/dense/dropout head, Adam lr 1e-3, binary cross-entropy');
// tfjs's initialisers draw from Math.random: seeded, the initial weights (and so the whole run) repeat
const model = withSeededRandom(seed, () =>
  buildScreeningModel({
    backbone: 'inception_v3',
    inputShape: [SIZE, SIZE, 1],
    backboneOptions: { widthMultiplier: 1 / 8 },
    task: 'binary',
    name: 'demo_osteoporosis',
  }),
);
log(`   ${model.countParams().toLocaleString('en')} parameters, ${model.layers.length} layers`);
const augment = thesisAugmentation();
// train() reports progress through callbacks; the demo draws them (cli-progress) on its stderr.
const progressBar = createProgressBar();
const result = await train(
  model,
  { train: trainSet.map(sample), tune: tuneSet.map(sample) },
  {
    epochs: EPOCHS,
    batchSize: 16,
    seed,
    augment: (image, rng) => augment(image, rng),
    monitor: 'auc',
    checkpointDir: join(out, 'checkpoints'),
    preciseBatchNorm: 256, // re-estimate BN statistics before each evaluation (few steps per epoch)
    initOutputBias: true,
    reduceLrOnPlateau: { patience: 2, factor: 0.3 },
    callbacks: progressBar,
  },
).finally(() => progressBar.stop());
log(`   best tuning AUC ${result.bestValue.toFixed(3)} at epoch ${result.bestEpoch} of ${result.history.length}`);

// ── 4. evaluation on the held-out test split ─────────────────────────────────────────────────────
log('\n4. Test-set evaluation (threshold chosen on the tuning set by Youden’s J)');
const predictor = createTfjsPredictor(model, { batchSize: 32 });
async function scores(set: typeof rows): Promise<number[]> {
  const imgs = set.map((r) => prepared(r.radiograph!.image));
  const data = new Float32Array(imgs.length * SIZE * SIZE);
  imgs.forEach((im, i) => data.set(im.data, i * SIZE * SIZE));
  const outs = await predictor.predict({ data, shape: [imgs.length, SIZE, SIZE, 1] });
  return Array.from(outs[predictor.outputNames[0]!]!.data);
}
const tuneY = tuneSet.map((r) => r.osteoporosis);
const testY = testSet.map((r) => r.osteoporosis);
const [tuneS, testS] = [await scores(tuneSet), await scores(testSet)];
const ev = evaluateWithTunedThreshold(
  { yTrue: tuneY, yScore: tuneS },
  { yTrue: testY, yScore: testS },
  { method: 'youden' },
);
const ci = delongCi(testY, testS);
const t = ev.test;
const fmtP = (p: { value: number; ci: [number, number] }) => `${pct(p.value)} (${pct(p.ci[0])}–${pct(p.ci[1])})`;
log(
  `   AUC ${ci.auc.toFixed(3)} (95 % DeLong CI ${ci.lower.toFixed(3)}–${ci.upper.toFixed(3)}), threshold ${ev.threshold.threshold.toFixed(3)}`,
);
log(`   sensitivity ${fmtP(t.sensitivity)}, specificity ${fmtP(t.specificity)}`);
log(`   PPV ${fmtP(t.ppv)}, NPV ${fmtP(t.npv)}, accuracy ${fmtP(t.accuracy)}, F1 ${pct(t.f1)}`);
log(`   confusion matrix: TP ${t.tp}  FN ${t.fn}  FP ${t.fp}  TN ${t.tn}`);
await writePlot(
  rocPlotSpec(
    [
      { name: 'tuning', yTrue: tuneY, yScore: tuneS },
      { name: 'test', yTrue: testY, yScore: testS },
    ],
    { title: 'Synthetic osteoporosis screen — ROC' },
  ),
  join(out, 'roc'),
);
await writePlot(
  confusionMatrixSpec(t, { title: `Test set at threshold ${ev.threshold.threshold.toFixed(3)}` }),
  join(out, 'confusion-matrix'),
);
await writeFile(
  join(out, 'metrics.json'),
  JSON.stringify({ auc: ci, threshold: ev.threshold, test: t, tuning: ev.tuning, training: result.history }, null, 2),
);
log(`   wrote roc.png/.svg, confusion-matrix.png/.svg, metrics.json`);

// ── 5. Grad-CAM over mixed10's nine convolutions, atlas over true positives ─────────────────────
log('\n5. Grad-CAM (conv2d_86 … conv2d_94, averaged) and the registered CAM atlas over true positives');
const camLayers = defaultCamLayers(model as never); // mixed10's nine convolutions (THESIS.md Part 3), found in the graph
const tpIdx = testSet.map((_, i) => i).filter((i) => testY[i] === 1 && testS[i]! >= ev.threshold.threshold);
const camCases: AtlasCase[] = [];
const camGrid = (model.getLayer('mixed10').outputShape as number[])[1];
let hits = 0;
let chance = 0; // the share of the image the signal bones cover: where a random peak would land
for (let start = 0; start < tpIdx.length; start += 8) {
  const idx = tpIdx.slice(start, start + 8);
  const imgs: GrayImage[] = idx.map((i) => prepared(testSet[i]!.radiograph!.image));
  const x = imagesToTensor(imgs, { channels: 1 });
  const maps = await gradCam(model, x, { layers: camLayers, target: 'positive' });
  x.dispose();
  idx.forEach((i, k) => {
    const r = testSet[i]!.radiograph!;
    const peak = heatmapPeak(maps[k]!);
    if (r.signalMask[peak.y * SIZE + peak.x]) hits++;
    chance += r.signalMask.reduce((a, v) => a + v, 0) / r.signalMask.length;
    camCases.push({
      image: r.image,
      cam: maps[k]!,
      lungMask: { data: r.lungMask, width: SIZE, height: SIZE },
      prediction: testS[i],
      label: 1,
      id: testSet[i]!.id,
    });
  });
  if (start === 0) {
    for (let k = 0; k < Math.min(4, idx.length); k++) {
      const view = 384; // enlarged for viewing: bicubic radiograph, bilinear heat map
      const image = resize(testSet[idx[k]!]!.radiograph!.image, { width: view, height: view });
      const heat = resize(maps[k]!, { width: view, height: view, filter: 'bilinear', antialias: false });
      await writePng(join(out, 'gradcam', `tp-${k + 1}.png`), overlayHeatmap(image, heat, { colormap: 'jet' }));
    }
  }
}
if (camCases.length > 0) {
  const atlas = buildCamAtlas(camCases);
  await writePng(join(out, 'gradcam', 'atlas-overlay.png'), atlas.overlay);
  await writePng(join(out, 'gradcam', 'atlas.png'), atlas.image8);
  log(
    `   ${atlas.count} true positives registered and averaged; CAM peak on the bones that carry the signal in ${pct(hits / camCases.length)} of them (those bones cover ${pct(chance / camCases.length)} of the image; mixed10's map is only ${camGrid}×${camGrid} here, 14×14 at the thesis's 512)`,
  );
  log('   wrote gradcam/tp-*.png, gradcam/atlas.png, gradcam/atlas-overlay.png');
} else {
  log('   no true positives on the test set: nothing to explain');
}

// ── 6. save, export, and screen DICOMs the way the clinic service does ───────────────────────────
log('\n6. Saving the model with its model card; ONNX export (card inside); screening DICOM files');
const modelDir = join(out, 'model');
const finite = (x: number) => (Number.isFinite(x) ? x : undefined); // NaN rates (empty denominators) stay out
const count = (y: number[]) => y.filter((v) => v === 1).length;
type Auc = { value: number; ci?: [number, number]; level?: number; method?: 'delong' };
const setMetrics = (m: BinaryMetrics, y: number[], auc: Auc) => ({
  n: y.length,
  positives: count(y),
  auc,
  sensitivity: finite(m.sensitivity.value),
  specificity: finite(m.specificity.value),
  ppv: finite(m.ppv.value),
  npv: finite(m.npv.value),
  accuracy: finite(m.accuracy.value),
  f1: finite(m.f1),
});
const cardInput: ModelCardInput = {
  name: 'demo_osteoporosis',
  description: 'Demonstration model trained on synthetic radiographs (npm run demo): not for clinical use.',
  ...imageSpec,
  fusion: [],
  task: {
    kind: 'binary',
    condition: 'osteoporosis',
    positive: 'lowest T-score ≤ −2.5 (WHO osteoporosis): refer for a DXA scan',
  },
  threshold: {
    value: ev.threshold.threshold,
    rule: { method: 'youden' },
    chosenOn: { set: 'tuning', n: tuneY.length, positives: count(tuneY) },
    operatingPoint: { sensitivity: ev.threshold.sensitivity, specificity: ev.threshold.specificity },
  },
  trainingData: {
    source: `synthetic cohort from synthesizeDataset (seed 'demo-${seed}'), half with osteoporosis`,
    synthetic: true,
    counts: { train: trainSet.length, tune: tuneSet.length, test: testSet.length },
    positives: { train: count(trainSet.map((r) => r.osteoporosis)), tune: count(tuneY), test: count(testY) },
    splitBy: 'patient',
  },
  metrics: {
    tuning: setMetrics(ev.tuning, tuneY, { value: rocAuc(tuneY, tuneS) }),
    test: setMetrics(t, testY, {
      value: ci.auc,
      ...(Number.isFinite(ci.lower) && Number.isFinite(ci.upper)
        ? { ci: [ci.lower, ci.upper] as [number, number], level: 0.95, method: 'delong' as const }
        : {}),
    }),
  },
  intendedUse: {
    minAge: 50,
    population: 'demonstration only: adults ≥ 50 with a PA chest radiograph (thesis Part 4)',
  },
  info: { epochs: result.history.length, bestEpoch: result.bestEpoch, backend: tf.getBackend() },
};
const { card } = await saveModel(model, modelDir, { card: cardInput });
log(
  `   model card ${card!.id}: threshold ${card!.threshold!.value.toFixed(3)}` +
    ` (Youden, tuning n = ${tuneY.length}), test AUC ${ci.auc.toFixed(3)}`,
);
try {
  const { exportOnnx } = await import('@cxrkit/onnx');
  const bytes = await exportOnnx(model, { card });
  await writeFile(join(modelDir, 'model.onnx'), bytes);
  const kib = (bytes.length / 1024).toFixed(0);
  log(`   model.json + weights + model-card.json + model.onnx (${kib} KiB, card embedded) in ${modelDir}`);
} catch (e) {
  log(`   ONNX export skipped: ${(e as Error).message}`);
}
const synthetic = testSet.find((r) => r.osteoporosis === 1 && r.labels.age >= 50) ?? testSet[0]!;
const synthPath = join(out, 'synthetic-osteoporosis.dcm');
// written at 512 px: the service's intended-use gate refuses images under 256 px as not diagnostic films
const film = resize(synthetic.radiograph!.image, { width: 512, height: 512, filter: 'bicubic' });
await writeFile(synthPath, encodeDicom({ image: film, labels: synthetic.labels }, { photometric: 'MONOCHROME1' }));
for (const path of [synthPath, ...realDicoms]) {
  const r = await screenDicom(path, { predictor, card: card! });
  const name = path === synthPath ? 'synthetic (osteoporosis) CR' : 'real chest radiograph';
  const verdict = r.screened
    ? `score ${r.score.toFixed(3)} → ${r.positive ? 'POSITIVE' : 'negative'}`
    : `not screened (${r.reasons.join(' ')})`;
  const warned = r.warnings.length ? ` — ${r.warnings.join(' ')}` : '';
  log(`   ${name}: ${verdict}; age ${r.patient.age ?? '?'}, sex ${r.patient.sex ?? '?'}${warned}`);
}
log(
  '   (the model learnt synthetic bone density; its scores on real radiographs demonstrate the pipeline, not a diagnosis)',
);
log(
  `\nDone in ${((performance.now() - started) / 1000).toFixed(0)} s. Serve this model to a clinic: npm run serve (then open http://127.0.0.1:8080/)`,
);
log(`Tuning AUC ${rocAuc(tuneY, tuneS).toFixed(3)}, test AUC ${ci.auc.toFixed(3)}.`);
