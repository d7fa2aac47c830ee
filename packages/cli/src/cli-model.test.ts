// `cxrkit evaluate`, `explain` and `export` through the real executable on a saved model (an untrained,
// seeded InceptionV3 at width 1/16 with age + sex fusion and its model card) and a scanned synthetic
// cohort with its pixel cache. Expected figures are computed here, independently: the model run
// in-process on each DICOM (readDicom → modelInputsFromDicom), AUC as the Mann–Whitney share of
// positive–negative pairs, and the confusion counts by hand.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { readDicom } from '@cxrkit/core';
import { prepareOutputFolder, readScanManifest, scanDataset, writeScanOutputs } from '@cxrkit/dataset';
import {
  buildScreeningModel,
  createTfjsPredictor,
  type ModelCardInput,
  modelInputsFromDicom,
  saveModel,
} from '@cxrkit/models';
import { readOnnxInfo } from '@cxrkit/onnx';
import { repoRoot } from '../../../test/helpers.js';
import { writeSyntheticCohort } from '../../../test/synthetic-cohort.js';

const SIZE = 128;
const bin = join(repoRoot, 'packages', 'cli', 'bin', 'cxrkit.mjs');
const cxrkit = (args: string[]) => {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, CXRKIT_CLI_SOURCE: '1' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

const card: ModelCardInput = {
  name: 'cli_test_osteoporosis',
  architecture: { backbone: 'inception_v3', widthMultiplier: 1 / 16, inputSize: SIZE, channels: 1 },
  preprocessing: { normalize: 'zscore', clipPercent: 0.5 },
  fusion: [
    { input: 'age', source: 'age', scale: 0.01 },
    { input: 'sex', source: 'sex', codes: { F: 0, M: 1 } },
  ],
  task: { kind: 'binary', condition: 'osteoporosis', positive: 'lowest T-score ≤ −2.5: refer for DXA' },
  threshold: { value: 0.5, rule: { method: 'fixed' } },
  trainingData: { source: 'none (untrained test model)', synthetic: true, counts: { train: 0 } },
};

let root: string;
let modelDir: string;
let scanDir: string;
let truth: { y: number[]; s: number[] };

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'cxrkit-cli-model-'));
  const cohort = await writeSyntheticCohort(root, { patients: 14, size: 160, seed: 5 });
  scanDir = join(root, 'scan');
  await prepareOutputFolder(scanDir);
  const scan = await scanDataset({
    dir: cohort.dir,
    labels: cohort.labels,
    key: 'mrn=PatientID',
    tScoreColumns: ['ls_t', 'fn_t', 'th_t'],
    workers: 0,
    split: { fractions: [0.5, 0.1, 0.4] },
    cache: { root: join(scanDir, 'cache'), size: SIZE },
  });
  await writeScanOutputs(scanDir, scan);
  const model = buildScreeningModel({
    backbone: 'inception_v3',
    inputShape: [SIZE, SIZE, 1],
    backboneOptions: { widthMultiplier: 1 / 16 },
    task: 'binary',
    fusion: ['age', 'sex'],
  });
  modelDir = join(root, 'model');
  const saved = await saveModel(model, modelDir, { card });
  // the expected scores: each test image from its DICOM, one at a time
  const predictor = createTfjsPredictor(model, { batchSize: 1 });
  const rows = await readScanManifest(scanDir, 'test');
  truth = { y: [], s: [] };
  for (const r of rows) {
    const out = await predictor.predict(modelInputsFromDicom(await readDicom(r.path), saved.card!));
    truth.y.push(Number(r.cells.osteoporosis));
    truth.s.push(out[predictor.outputNames[0]!]!.data[0]!);
  }
  model.dispose();
});
after(() => rm(root, { recursive: true, force: true }));

/** Mann–Whitney AUC: the share of (positive, negative) pairs ranked right, ties counting one half. */
function pairAuc(y: number[], s: number[]): number {
  let wins = 0;
  let pairs = 0;
  y.forEach((yi, i) => {
    if (yi !== 1) return;
    y.forEach((yj, j) => {
      if (yj !== 0) return;
      pairs++;
      wins += s[i]! > s[j]! ? 1 : s[i] === s[j] ? 0.5 : 0;
    });
  });
  return wins / pairs;
}

test('evaluate: AUC and the counts at the threshold equal the ones computed here', () => {
  const { y, s } = truth;
  assert.ok(y.includes(0) && y.includes(1), 'both classes in the test split');
  // a threshold halfway between two neighbouring scores, so no score sits on it
  const sorted = [...s].sort((a, b) => a - b);
  const k = Math.floor(sorted.length / 2);
  const threshold = (sorted[k - 1]! + sorted[k]!) / 2;
  const r = cxrkit(['evaluate', modelDir, scanDir, '--json', '--quiet', '--threshold', String(threshold)]);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.equal(j.n, y.length);
  assert.equal(j.fromCache, y.length, 'the scan’s cache matched the card and was used');
  assert.ok(Math.abs(j.auc.value - pairAuc(y, s)) < 1e-9, `${j.auc.value} vs ${pairAuc(y, s)}`);
  assert.ok(j.auc.ci[0] <= j.auc.value && j.auc.value <= j.auc.ci[1]);
  const tp = y.filter((v, i) => v === 1 && s[i]! >= threshold).length;
  const fp = y.filter((v, i) => v === 0 && s[i]! >= threshold).length;
  assert.deepEqual(j.confusion, {
    tp,
    fp,
    fn: y.filter((v) => v === 1).length - tp,
    tn: y.filter((v) => v === 0).length - fp,
  });
  assert.equal(j.metrics.sensitivity.value, tp / (tp + j.confusion.fn));
  const [lo, hi] = j.metrics.sensitivity.ci;
  assert.ok(lo <= j.metrics.sensitivity.value && j.metrics.sensitivity.value <= hi, 'Wilson interval around it');
  assert.equal(j.threshold.source, 'option');
  const text = cxrkit(['evaluate', modelDir, scanDir, '--quiet', '--threshold', String(threshold)]);
  assert.equal(text.code, 0, text.err);
  assert.match(text.out, /AUC \(95 % DeLong CI\) +0\.\d{3} \(/);
  assert.match(text.out, new RegExp(`TP ${tp}  FN ${j.confusion.fn}  FP ${fp}  TN ${j.confusion.tn}`));
});

test('evaluate: bad model path, unknown split (did you mean), a label column that does not exist', () => {
  const missing = cxrkit(['evaluate', join(root, 'nope'), scanDir, '--quiet']);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /CLI_MODEL_NOT_FOUND/);
  const split = cxrkit(['evaluate', modelDir, scanDir, '--split', 'tst', '--quiet']);
  assert.equal(split.code, 2);
  assert.match(split.err, /MANIFEST_UNKNOWN_SPLIT: .*did you mean "test"\?/);
  const label = cxrkit(['evaluate', modelDir, scanDir, '--label', 'osteo', '--quiet']);
  assert.equal(label.code, 2);
  assert.match(label.err, /no column "osteo".*Fix: pass --label <column>/);
  const engine = cxrkit(['evaluate', modelDir, scanDir, '--engine', 'onx']);
  assert.equal(engine.code, 2);
  assert.match(engine.err, /--engine takes one of tfjs, onnx — did you mean onnx\?/);
});

test('export --onnx embeds the card; evaluate --engine onnx gives the same AUC; no overwrite without --force', () => {
  const r = cxrkit(['export', modelDir, '--onnx', '--json']);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.equal(j.file, join(modelDir, 'model.onnx'));
  const again = cxrkit(['export', modelDir, '--onnx']);
  assert.equal(again.code, 3);
  assert.match(again.err, /CLI_OUTPUT_EXISTS.*--force/);
  const noFormat = cxrkit(['export', modelDir]);
  assert.equal(noFormat.code, 2);
  assert.match(noFormat.err, /Fix: add --onnx/);
  const tfjs = JSON.parse(cxrkit(['evaluate', modelDir, scanDir, '--json', '--quiet']).out);
  const onnx = cxrkit(['evaluate', join(modelDir, 'model.onnx'), scanDir, '--engine', 'onnx', '--json', '--quiet']);
  assert.equal(onnx.code, 0, onnx.err);
  const o = JSON.parse(onnx.out);
  assert.equal(o.model.cardId, tfjs.model.cardId);
  assert.ok(Math.abs(o.auc.value - tfjs.auc.value) < 1e-6, `onnx ${o.auc.value} vs tfjs ${tfjs.auc.value}`);
});

test('evaluate on an age model: R², MAE, RMSE, ±4/±9 years equal the ones computed here', async () => {
  const model = buildScreeningModel({
    backbone: 'resnet50',
    inputShape: [64, 64, 1],
    backboneOptions: { widthMultiplier: 1 / 16 },
    task: 'regression',
  });
  const dir = join(root, 'age-model');
  const saved = await saveModel(model, dir, {
    card: {
      name: 'cli_test_age',
      architecture: { backbone: 'resnet50', widthMultiplier: 1 / 16, inputSize: 64, channels: 1 },
      preprocessing: { normalize: 'percentile' },
      task: { kind: 'regression', target: 'age', unit: 'years' },
    },
  });
  const predictor = createTfjsPredictor(model, { batchSize: 1 });
  const rows = await readScanManifest(scanDir, 'test');
  const y: number[] = [];
  const p: number[] = [];
  for (const r of rows) {
    const out = await predictor.predict(modelInputsFromDicom(await readDicom(r.path), saved.card!));
    y.push(r.age!);
    p.push(out[predictor.outputNames[0]!]!.data[0]!);
  }
  model.dispose();
  const r = cxrkit(['evaluate', dir, scanDir, '--json', '--quiet']);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.equal(j.label, 'age', 'the card’s target names the truth column');
  const n = y.length;
  const mean = y.reduce((a, b) => a + b, 0) / n;
  const ssRes = y.reduce((a, v, i) => a + (v - p[i]!) ** 2, 0);
  const ssTot = y.reduce((a, v) => a + (v - mean) ** 2, 0);
  const near = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b));
  assert.equal(j.regression.n, n);
  assert.ok(near(j.regression.r2, 1 - ssRes / ssTot), `R² ${j.regression.r2} vs ${1 - ssRes / ssTot}`);
  assert.ok(near(j.regression.mae, y.reduce((a, v, i) => a + Math.abs(v - p[i]!), 0) / n));
  assert.ok(near(j.regression.rmse, Math.sqrt(ssRes / n)));
  assert.equal(j.regression.within[4], y.filter((v, i) => Math.abs(v - p[i]!) <= 4).length / n);
  assert.equal(j.regression.within[9], y.filter((v, i) => Math.abs(v - p[i]!) <= 9).length / n);
});

test('explain: an overlay per true positive, the atlas, explain.json with mixed10’s nine convolutions', async () => {
  const out = join(root, 'explain');
  const r = cxrkit([
    'explain',
    modelDir,
    scanDir,
    '--out',
    out,
    '--split',
    'all',
    '--threshold',
    '0',
    '--max',
    '3',
    '--view-size',
    '96',
    '--quiet',
  ]);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(await readFile(join(out, 'explain.json'), 'utf8'));
  assert.equal(j.layers.length, 9);
  assert.equal(j.explained, 3);
  assert.deepEqual(readdirSync(join(out, 'overlays')).sort(), ['tp-001.png', 'tp-002.png', 'tp-003.png']);
  for (const f of ['atlas.png', 'atlas-overlay.png']) assert.ok(existsSync(join(out, f)), f);
  const again = cxrkit(['explain', modelDir, scanDir, '--out', out, '--quiet']);
  assert.equal(again.code, 3, 'an output folder with files is not overwritten');
  const info = readOnnxInfo(new Uint8Array(await readFile(join(modelDir, 'model.onnx'))));
  assert.equal(info.card?.name, 'cli_test_osteoporosis');
});
