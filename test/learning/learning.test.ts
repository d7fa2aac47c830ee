// @cxrkit-backends: wasm
// Learning, not just running: H4's width-scaled backbones with the thesis's screening head, trained by
// `train` on (1) the project's synthetic radiographs — the bone-density (osteoporosis) label and age —
// and (2) the real NIH 64×64 thumbnails for sex, split by patient (there: a frozen pretrained InceptionV3
// and a trained linear last layer, see below). Bars from issue 6: tuning AUC ≥ 0.95
// (osteoporosis), tuning R² ≥ 0.8 (age), TEST AUC ≥ 0.85 (sex). Runs on wasm with cxrkit's training
// kernels (the cpu backend's convolution filter gradient is a scalar loop, ~50× slower here).
// Figures and timings are written to test-output/learning/*.json; sizes can be raised through
// CXRKIT_LEARN_SCALE for a longer look (1 = the CI budget).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  readImageFile,
  readNihThumbsManifest,
  resizeBicubic,
  splitByPatient,
  synthesizeDataset,
  zScore,
  type GrayImage,
} from '@cxrkit/core';
import { rocAuc } from '@cxrkit/metrics';
import {
  buildScreeningModel,
  createModel,
  registerWasmTrainingKernels,
  train,
  transferWeights,
  withSeededRandom,
  type TrainOptions,
} from '@cxrkit/models';
import { dataDir, sharedData, testOutputDir } from '../helpers.js';
import { loadNsfwjsInceptionV3 } from '../nsfwjs.js';

if (tf.getBackend() === 'wasm') registerWasmTrainingKernels();
const SCALE = Number(process.env.CXRKIT_LEARN_SCALE ?? 1);
const out = testOutputDir('learning');
mkdirSync(out, { recursive: true });

function screening(
  task: 'binary' | 'regression',
  size: number,
  seed: number,
  dropout: readonly [number, number] = [0.3, 0.1],
): tfl.LayersModel {
  // initialisers drawing from a seeded source (tfjs seeds them from Math.random)
  return withSeededRandom(seed, () =>
    buildScreeningModel({
      backbone: 'resnet50',
      inputShape: [size, size, 1],
      backboneOptions: { widthMultiplier: 1 / 16 },
      head: { units: [64, 32], dropout },
      task,
    }),
  );
}

const common: TrainOptions = {
  progress: 'lines',
  seed: 1,
  initOutputBias: true,
  preciseBatchNorm: 256,
  restoreBestWeights: true,
};

function report(name: string, figures: Record<string, unknown>): void {
  writeFileSync(`${out}/${name}.json`, JSON.stringify({ backend: tf.getBackend(), scale: SCALE, ...figures }, null, 2));
  console.log(`[learning] ${name}: ${JSON.stringify(figures)}`);
}

// ---- synthetic radiographs (one dataset, two labels) ------------------------------------------------
const SYN = 64;
let synthetic:
  | {
      train: Array<{ image: GrayImage; osteoporosis: number; age: number }>;
      tune: Array<{ image: GrayImage; osteoporosis: number; age: number }>;
    }
  | undefined;
function syntheticSplit() {
  if (synthetic) return synthetic;
  // 1,000 radiographs (800 train / 200 tune). With 600 (480 / 120) both proofs sat at their bars and
  // moved across them with the model's initialisation seed (16 epochs: osteoporosis 0.934–0.969 over init
  // seeds 11/21/31; 14 epochs: age R² 0.787–0.864 over 12/22/32 — measured 2026-11-26, after the fused
  // wasm kernels changed the float rounding and the 10-epoch osteoporosis proof fell from 0.958 to 0.934).
  const records = synthesizeDataset({
    n: Math.round(1000 * SCALE),
    seed: 'learning-proof',
    size: SYN,
    osteoporosisFraction: 0.5,
    supersample: 1,
  });
  const rows = records.map((r) => ({
    patientId: r.patientId,
    sex: r.labels.sex,
    image: zScore(r.radiograph!.image),
    osteoporosis: r.labels.osteoporosis,
    age: r.labels.age,
  }));
  const { splits } = splitByPatient(rows, {
    fractions: [0.8, 0.2],
    names: ['train', 'tune'],
    seed: 1,
    stratifyBy: (r) => r.osteoporosis,
  });
  synthetic = { train: splits.train!, tune: splits.tune! };
  return synthetic;
}

test('synthetic radiographs: osteoporosis (bone density) — tuning AUC ≥ 0.95', async () => {
  const { train: tr, tune: tu } = syntheticSplit();
  // lr 2e-3 and light dropout, as for age: tuning AUC 0.977–0.986 over init seeds 11/21/31 (best epoch 9
  // of 16), where the thesis's lr 1e-3 with dropout [0.3, 0.1] gave 0.942–0.969 after 16 epochs.
  const model = screening('binary', SYN, 11, [0.1, 0.03]);
  const t0 = Date.now();
  const r = await train(
    model,
    {
      train: tr.map((s) => ({ image: s.image, target: s.osteoporosis })),
      tune: tu.map((s) => ({ image: s.image, target: s.osteoporosis })),
    },
    {
      ...common,
      epochs: Math.round(12 * SCALE),
      batchSize: 16,
      learningRate: 2e-3,
      reduceLrOnPlateau: { patience: 2, factor: 0.3 },
    },
  );
  const auc = r.history[r.bestEpoch - 1]!.tune!.auc!;
  report('synthetic-osteoporosis', {
    tuneAuc: auc,
    bestEpoch: r.bestEpoch,
    epochs: r.history.length,
    train: tr.length,
    tune: tu.length,
    seconds: (Date.now() - t0) / 1000,
    history: r.history.map((h) => h.tune?.auc),
  });
  assert.ok(
    auc >= 0.95,
    `tuning AUC ${auc.toFixed(3)} < 0.95 (bone-density label, ${tr.length} synthetic training images at ${SYN} px)`,
  );
});

test('synthetic radiographs: age — tuning R² ≥ 0.8', async () => {
  const { train: tr, tune: tu } = syntheticSplit();
  // Age is a global shape signal (lung height, heart width, bone texture): lighter dropout and lr 2e-3
  // learn it faster than the thesis's 1e-3 (which plateaued near 0.75 after 10 epochs on 480 images).
  // With 800 training images: R² 0.843–0.878 over init seeds 12/22/32 in 12 epochs.
  const model = screening('regression', SYN, 12, [0.1, 0.03]);
  const t0 = Date.now();
  const r = await train(
    model,
    {
      train: tr.map((s) => ({ image: s.image, target: s.age })),
      tune: tu.map((s) => ({ image: s.image, target: s.age })),
    },
    {
      ...common,
      epochs: Math.round(12 * SCALE),
      batchSize: 16,
      learningRate: 2e-3,
      monitor: 'r2',
      reduceLrOnPlateau: { patience: 2, factor: 0.3 },
    },
  );
  const best = r.history[r.bestEpoch - 1]!.tune!;
  report('synthetic-age', {
    tuneR2: best.r2,
    tuneMae: best.mae,
    bestEpoch: r.bestEpoch,
    epochs: r.history.length,
    train: tr.length,
    tune: tu.length,
    seconds: (Date.now() - t0) / 1000,
    history: r.history.map((h) => h.tune?.r2),
  });
  assert.ok(best.r2! >= 0.8, `tuning R² ${best.r2!.toFixed(3)} < 0.8 (MAE ${best.mae!.toFixed(1)} y)`);
});

// ---- real NIH thumbnails: sex ----------------------------------------------------------------------
// Transfer learning with "only the last block trainable" (THESIS.md, Part 2, Table 4.9: the subgroup
// transfer that gave the best external AUC), taken to its cheapest form: the pretrained InceptionV3 trunk
// (THESIS.md: InceptionV3 learned sex best from few images, 0.97–0.996 AUC with 180–800 training images)
// is frozen, its pooled features are computed once per image, and only the last, linear layer is trained.
// The one pretrained InceptionV3 available offline is nsfwjs's (ImageNet-initialised, fine-tuned for NSFW;
// loaded by name with transferWeights, as in packages/models/src/nsfwjs-weights.test.ts).
//
// Every setting was chosen with the train + tune images only (794, 211 patients): 5-fold cross-validation
// grouped by patient, stratified by sex, repeated over 3 fold seeds (mean fold AUC ± sd over seeds; "tune"
// = fit on train, scored on the 80 tune images). The test split was not looked at while choosing.
//   configuration                                                        CV AUC          tune AUC
//   from scratch: ResNet-50 ×1/16 + screening head, lr 2e-3, 13 ep, aug  0.828 (1 seed)   0.793 (14 ep, keep-best)
//   InceptionV3 @75 px, logistic regression (L2 λ) on GAP of:
//     mixed2 (288)                               λ 1 / 0.3 / 0.1 / 0.03  0.835 / 0.856 / 0.873 / 0.883
//     mixed5 (768)          λ 1 / 0.3 / 0.1 / 0.03 / 0.01 / 0.003 / 0.001  0.853 / 0.873 / 0.887 / 0.897 / 0.902 / 0.901 / 0.895
//     mixed7 (768)                               λ 1 / 0.3 / 0.1 / 0.03  0.841 / 0.861 / 0.871 / 0.879
//     mixed9 (2048)                              λ 1 / 0.3 / 0.1 / 0.03  0.762 / 0.813 / 0.844 / 0.864
//     mixed10 (2048)                             λ 1 / 0.3 / 0.1 / 0.03  0.643 / 0.686 / 0.733 / 0.784
//     mixed5+7 (1536)       λ 1 / 0.3 / 0.1 / 0.03 / 0.01 / 0.003 / 0.001  0.866 / 0.882 / 0.893 / 0.901 / 0.901 / 0.894 / 0.885
//     mixed2+5+7 (1824)                                    λ 0.03 / 0.01  0.903 ±0.005 / 0.902 ±0.006   0.866 / 0.874
//     mixed2+5+7+9+10 (5920)  λ 1 / 0.3 / 0.1 / 0.03 / 0.01 / 0.003 / 0.001  0.875 / 0.890 / 0.898 / 0.903 / 0.900 / 0.895 / 0.890
//     the same with √features                              λ 0.03 / 0.01  ≤ 0.904 (no gain)
//   InceptionV3 @107 px: mixed5 / mixed5+7, λ 0.03 / 0.01                 0.872–0.880
//   InceptionV3 @139 px: mixed2 / mixed5 / mixed5+7, λ 0.1–0.01             0.852–0.873
//   nsfwjs MobileNetV2 @96 / @128 px: block 9/12/15 expand, out_relu        0.784–0.833
//   mixed2+5+7 @75, λ 0.03, + 4 thesis-augmented copies per training image  0.899; + test-time averaging 0.900
//   mixed2+5+7 @75, one hidden layer (32 ReLU, L2 0.03 / 0.1) instead of linear   0.874 / 0.882
//   rank-average of the linear probe with the from-scratch CNN (CNN weight 0.15 / 0.25 / 0.5)  0.900 / 0.900 / 0.891 (1 seed;
//     probe alone 0.896 on the same folds): not worth the CNN's ~100 s
// Chosen: InceptionV3 (nsfwjs weights) at 75 px (bicubic from 64; larger inputs did worse), GAP of mixed2,
// mixed5 and mixed7 (1,824 features), z-scored with the fitting images' mean/sd, L2 logistic regression
// λ = 0.03, fitted on train + tune (794). The train-only fit's tune AUC is reported for comparison.
// Measured (the one look at the test split, wasm, 2026-11-26, 2 shared cores): TEST AUC 0.901, tune AUC
// 0.866, 29 s in all (18 s of it for the features) — the from-scratch CNN took ~103 s for 0.844.
const PROBE_SIZE = 75;
const PROBE_LAYERS = ['mixed2', 'mixed5', 'mixed7'];
const PROBE_L2 = 0.03;

/** Frozen pretrained features: GAP of PROBE_LAYERS for raw 0–255 gray images, [n × dim] row-major. */
async function probeFeatures(images: readonly GrayImage[]): Promise<{ data: Float32Array; dim: number }> {
  const nsfw = await loadNsfwjsInceptionV3();
  const trunk = createModel('inception_v3', { inputShape: [PROBE_SIZE, PROBE_SIZE, 1], includeTop: false });
  const copied = transferWeights(nsfw, trunk, { rgbToGray: 'sum', requireAll: true }); // gray = R = G = B
  assert.equal(copied.copiedParams, trunk.countParams());
  nsfw.dispose();
  const model = tfl.model({
    inputs: trunk.inputs,
    outputs: PROBE_LAYERS.map((n) => trunk.getLayer(n).output as tfl.SymbolicTensor),
  });
  const parts: Float32Array[] = [];
  for (let i = 0; i < images.length; i += 32) {
    const chunk = images.slice(i, i + 32).map((g) => resizeBicubic(g, { width: PROBE_SIZE, height: PROBE_SIZE }));
    const f = tf.tidy(() => {
      const x = tf.sub(
        tf.div(
          tf.tensor4d(Float32Array.from(chunk.flatMap((g) => Array.from(g.data))), [
            chunk.length,
            PROBE_SIZE,
            PROBE_SIZE,
            1,
          ]),
          127.5,
        ),
        1,
      ); // Inception scaling
      return tf.concat(
        (model.predict(x) as tf.Tensor4D[]).map((y) => tf.mean(y, [1, 2])),
        1,
      );
    });
    parts.push(f.dataSync() as Float32Array);
    f.dispose();
  }
  trunk.dispose();
  const dim = parts[0]!.length / Math.min(32, images.length);
  const data = new Float32Array(images.length * dim);
  parts.reduce((offset, p) => (data.set(p, offset), offset + p.length), 0);
  return { data, dim };
}

/**
 * L2-penalised logistic regression, mean log-loss + λ/2·|w|² on z-scored features, full batch (Adam, 1,500
 * steps, stepped lr). Convex: converges to the optimum that scipy's L-BFGS reaches (same fold AUCs to 1e-3).
 */
function fitLogistic(
  features: Float32Array,
  dim: number,
  labels: readonly number[],
  lambda: number,
): { score: (x: Float32Array) => number[]; gradNorm: number } {
  const n = labels.length;
  const mean = new Float32Array(dim);
  const sd = new Float32Array(dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) mean[j]! += features[i * dim + j]! / n;
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) sd[j]! += (features[i * dim + j]! - mean[j]!) ** 2 / n;
  for (let j = 0; j < dim; j++) sd[j] = Math.sqrt(sd[j]!) + 1e-6;
  const x = tf.tidy(() => tf.div(tf.sub(tf.tensor2d(features, [n, dim]), tf.tensor1d(mean)), tf.tensor1d(sd)));
  const y = tf.tensor2d(labels as number[], [n, 1]);
  const w = tf.tidy(() => tf.variable(tf.zeros([dim, 1])));
  const b = tf.tidy(() => tf.variable(tf.zeros([1])));
  const loss = () =>
    tf.tidy(() => {
      const z = tf.add(tf.matMul(x, w), b);
      return tf.add(
        tf.mean(tf.sub(tf.softplus(z), tf.mul(y, z))),
        tf.mul(lambda / 2, tf.sum(tf.square(w))),
      ) as tf.Scalar;
    });
  const steps = 1500;
  const optimizer = tf.train.adam(0.01);
  const lr = optimizer as unknown as { learningRate: number }; // protected in the typings; Adam reads it every step
  for (let s = 0; s < steps; s++) {
    if (s === Math.round(0.6 * steps)) lr.learningRate = 0.002;
    if (s === Math.round(0.85 * steps)) lr.learningRate = 0.0004;
    optimizer.minimize(loss);
  }
  const g = tf.variableGrads(loss);
  const gradNorm = Math.sqrt(
    tf.tidy(() => tf.add(tf.sum(tf.square(g.grads[w.name]!)), tf.sum(tf.square(g.grads[b.name]!))).dataSync()[0]!),
  );
  const weights = Float32Array.from(w.dataSync());
  const bias = b.dataSync()[0]!;
  tf.dispose([g.value, ...Object.values(g.grads), x, y, w, b]);
  optimizer.dispose();
  /** Logits of rows of `z` ([m × dim]). */
  const score = (z: Float32Array) =>
    Array.from({ length: z.length / dim }, (_, i) =>
      weights.reduce((sum: number, wj: number, j: number) => sum + (wj * (z[i * dim + j]! - mean[j]!)) / sd[j]!, bias),
    );
  return { score, gradNorm };
}

test('real NIH 64×64 radiographs, split by patient: sex — TEST AUC ≥ 0.85', {
  skip: sharedData('cxr/nih-thumbs64').missing,
}, async () => {
  const t0 = Date.now();
  const { records } = await readNihThumbsManifest(dataDir('cxr', 'nih-thumbs64'));
  const rows = await Promise.all(records.map(async (r) => ({ ...r, image: await readImageFile(r.path) })));
  // 70/10/20 by patient, as the thesis (60/20/20 was tried with the from-scratch CNN: a steadier tuning
  // AUC, but fewer training images and a lower test AUC, ≈ 0.80).
  const { splits, patientSplit } = splitByPatient(rows, {
    fractions: [0.7, 0.1, 0.2],
    seed: 1,
    stratifyBy: (r) => r.sex,
  });
  // no patient in two splits
  const seen = new Map<string, string>();
  for (const [name, list] of Object.entries(splits))
    for (const r of list) assert.equal(seen.get(r.patientId) ?? name, name), seen.set(r.patientId, name);
  assert.equal(seen.size, patientSplit.size);
  const [tr, tu, te] = [splits.train!, splits.tune!, splits.test!];
  const label = (r: (typeof rows)[number]) => (r.sex === 'M' ? 1 : 0);
  const tensorsBefore = tf.memory().numTensors;
  const { data, dim } = await probeFeatures([...tr, ...tu, ...te].map((r) => r.image));
  const slice = (from: number, to: number) => data.slice(from * dim, to * dim);
  const featureSeconds = (Date.now() - t0) / 1000;

  // held-out check on tune (fit on train only), as the from-scratch proofs report
  const onTrain = fitLogistic(slice(0, tr.length), dim, tr.map(label), PROBE_L2);
  const tuneAuc = rocAuc(tu.map(label), onTrain.score(slice(tr.length, tr.length + tu.length)));
  // the chosen model: fitted on train + tune; the test split is scored once
  const final = fitLogistic(slice(0, tr.length + tu.length), dim, [...tr, ...tu].map(label), PROBE_L2);
  assert.ok(final.gradNorm < 1e-4, `logistic regression did not converge: |∇| = ${final.gradNorm}`);
  const auc = rocAuc(te.map(label), final.score(slice(tr.length + tu.length, rows.length)));
  assert.equal(tf.memory().numTensors, tensorsBefore, 'features and fits leave no tensors behind');
  report('nih-sex', {
    testAuc: auc,
    tuneAuc,
    method: `InceptionV3 (nsfwjs) @${PROBE_SIZE} px frozen, GAP ${PROBE_LAYERS.join('+')} (${dim}), L2 logistic regression λ ${PROBE_L2}`,
    train: tr.length,
    tune: tu.length,
    test: te.length,
    gradNorm: final.gradNorm,
    featureSeconds,
    seconds: (Date.now() - t0) / 1000,
  });
  assert.ok(
    auc >= 0.85,
    `test AUC ${auc.toFixed(3)} < 0.85 (sex, ${tr.length + tu.length} NIH train + tune images at 64 px)`,
  );
});
