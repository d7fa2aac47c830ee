// @cxrkit-backends: wasm
// The NIH sex proof of issue 6 (learning.test.ts: frozen nsfwjs InceptionV3 at 75 px, GAP of mixed2, mixed5,
// mixed7 z-scored, L2 logistic regression λ 0.03 — every setting chosen there by cross-validation on
// train + tune only) redone through train() with the feature cache (issue 16): the probe is one tfjs model —
// the frozen trunk, the three poolings, their concatenation `probe_concat`, a frozen BatchNormalization
// holding the fitting images' mean and variance (the z-scoring), and a trainable Dense(1, sigmoid) with
// kernelRegularizer l2(λ/2) (train() adds it to the mean log-loss: the same objective as fitLogistic) —
// and `train(model, data, { featureCache: { dir, cut: 'probe_concat' } })` computes the trunk once per
// image and trains the last layer from the cache. Full-batch Adam; the lr schedule of fitLogistic
// (0.01 → 0.002 → 0.0004 at 60 % / 85 % of 1,500 steps) is set through callbacks.
// Bar: TEST AUC ≥ 0.90 (issue 16). The tuning check (fit on train only) reuses the cached features.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { readImageFile, readNihThumbsManifest, resizeBicubic, splitByPatient, type GrayImage } from '@cxrkit/core';
import { rocAuc } from '@cxrkit/metrics';
import {
  createModel,
  registerWasmTrainingKernels,
  train,
  transferWeights,
  withSeededRandom,
  type FeatureCacheInfo,
} from '@cxrkit/models';
import { dataDir, sharedData, testOutputDir } from '../helpers.js';
import { loadNsfwjsInceptionV3 } from '../nsfwjs.js';

if (tf.getBackend() === 'wasm') registerWasmTrainingKernels();
const SIZE = 75;
const LAYERS = ['mixed2', 'mixed5', 'mixed7'];
const L2 = 0.03;
// Enough full-batch steps to reach the convex optimum (checked below on the training loss alone: it moves
// < 1e-4 over the last 50 epochs). A first timing run of 20 epochs (unconverged, loss 0.327) scored test
// AUC 0.868; 1,500 epochs ran past the test runner's 15 minutes on the loaded machine.
const STEPS = 400;
const cacheRoot = mkdtempSync(join(tmpdir(), 'cxrkit-nih-cache-'));
after(() => rmSync(cacheRoot, { recursive: true, force: true }));

/** The image as the probe sees it: bicubic 64 → 75 px, Inception scaling (x / 127.5 − 1). */
function probeImage(g: GrayImage): GrayImage {
  const r = resizeBicubic(g, { width: SIZE, height: SIZE });
  return { width: SIZE, height: SIZE, data: Float32Array.from(r.data, (v) => v / 127.5 - 1) };
}

/** The frozen nsfwjs trunk with the pooled, concatenated probe layers (1,824 features per image). */
async function trunkFeatures(): Promise<tfl.LayersModel> {
  const nsfw = await loadNsfwjsInceptionV3();
  const trunk = createModel('inception_v3', { inputShape: [SIZE, SIZE, 1], includeTop: false });
  const copied = transferWeights(nsfw, trunk, { rgbToGray: 'sum', requireAll: true }); // gray = R = G = B
  assert.equal(copied.copiedParams, trunk.countParams());
  nsfw.dispose();
  for (const l of trunk.layers) l.trainable = false;
  const pooled = LAYERS.map(
    (n) =>
      tfl.layers.globalAveragePooling2d({ name: `${n}_gap` }).apply(trunk.getLayer(n).output) as tfl.SymbolicTensor,
  );
  const concat = tfl.layers.concatenate({ name: 'probe_concat' }).apply(pooled) as tfl.SymbolicTensor;
  return tfl.model({ inputs: trunk.inputs, outputs: concat, name: 'probe_features' });
}

/** How much the training loss moved over the last 50 epochs of a run (convergence). */
function lossChange(r: { history: Array<{ loss: number }> }): number {
  const h = r.history;
  return Math.abs(h[h.length - 1]!.loss - h[h.length - 51]!.loss);
}

/** Mean and variance of each feature over `rows` ([n × dim]). */
function moments(rows: Float32Array, dim: number): { mean: Float32Array; variance: Float32Array } {
  const n = rows.length / dim;
  const mean = new Float32Array(dim);
  const variance = new Float32Array(dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) mean[j]! += rows[i * dim + j]! / n;
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) variance[j]! += (rows[i * dim + j]! - mean[j]!) ** 2 / n;
  return { mean, variance };
}

/** The probe: features → frozen z-scoring (BatchNormalization) → Dense(1, sigmoid) with L2 on the kernel. */
function probe(features: tfl.LayersModel, z: { mean: Float32Array; variance: Float32Array }): tfl.LayersModel {
  const dim = z.mean.length;
  const bn = tfl.layers.batchNormalization({ name: 'probe_zscore', epsilon: 1e-12, trainable: false });
  const x = bn.apply(features.outputs[0]!) as tfl.SymbolicTensor;
  const out = withSeededRandom(3, () =>
    tfl.layers
      .dense({
        units: 1,
        activation: 'sigmoid',
        kernelInitializer: 'zeros',
        kernelRegularizer: tfl.regularizers.l2({ l2: L2 / 2 }),
        name: 'probe_output',
      })
      .apply(x),
  ) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: features.inputs, outputs: out, name: 'nih_sex_probe' });
  // gamma 1, beta 0, moving mean and variance: (x − mean) / sd
  bn.setWeights([tf.ones([dim]), tf.zeros([dim]), tf.tensor1d(z.mean), tf.tensor1d(z.variance)]);
  return model;
}

test('real NIH 64×64 radiographs, split by patient: sex through train() with the feature cache — TEST AUC ≥ 0.90', {
  skip: sharedData('cxr/nih-thumbs64').missing,
}, async () => {
  const t0 = Date.now();
  const { records } = await readNihThumbsManifest(dataDir('cxr', 'nih-thumbs64'));
  const rows = await Promise.all(records.map(async (r) => ({ ...r, image: await readImageFile(r.path) })));
  // the same split as learning.test.ts (70/10/20 by patient, stratified by sex, seed 1)
  const { splits } = splitByPatient(rows, { fractions: [0.7, 0.1, 0.2], seed: 1, stratifyBy: (r) => r.sex });
  const [tr, tu, te] = [splits.train!, splits.tune!, splits.test!];
  const sample = (r: (typeof rows)[number]) => ({ image: probeImage(r.image), target: r.sex === 'M' ? 1 : 0 });
  const [trS, tuS, teS] = [tr.map(sample), tu.map(sample), te.map(sample)];

  const features = await trunkFeatures();
  const dim = features.outputs[0]!.shape[1] as number;
  // The z-scoring needs the fitting images' moments first: one pass of the trunk over train + tune.
  const predictRows = (set: typeof trS) =>
    tf.tidy(() => {
      const x = tf.tensor4d(Float32Array.from(set.flatMap((s) => Array.from(s.image.data))), [
        set.length,
        SIZE,
        SIZE,
        1,
      ]);
      return (features.predict(x, { batchSize: 32 }) as tf.Tensor).dataSync() as Float32Array;
    });
  const fitRows = predictRows([...trS, ...tuS]);
  const trainRows = fitRows.slice(0, trS.length * dim);
  const momentSeconds = (Date.now() - t0) / 1000;
  const dir = join(cacheRoot, 'cache');

  /**
   * One fit through train() with the cache: full batch (one Adam step per epoch), `STEPS` epochs, the
   * learning rate cut by 5 when the training loss stalls (fitLogistic steps it at fixed points instead).
   */
  const fit = async (data: typeof trS, z: ReturnType<typeof moments>) => {
    const model = probe(features, z);
    let info: FeatureCacheInfo | undefined;
    const result = await train(
      model,
      { train: data },
      {
        epochs: STEPS,
        batchSize: data.length,
        learningRate: 0.01,
        seed: 1,
        progress: 'none',
        reduceLrOnPlateau: { patience: 20, factor: 0.2, minLr: 1e-4 },
        featureCache: { dir, cut: 'probe_concat' },
        callbacks: {
          onFeatureCache: (i) => {
            info = i;
          },
        },
      },
    );
    return { model, info: info!, result };
  };
  const score = (model: tfl.LayersModel, set: typeof trS) =>
    tf.tidy(() => {
      const x = tf.tensor4d(Float32Array.from(set.flatMap((s) => Array.from(s.image.data))), [
        set.length,
        SIZE,
        SIZE,
        1,
      ]);
      return Array.from((model.predict(x, { batchSize: 32 }) as tf.Tensor).dataSync());
    });

  // the chosen model: fitted on train + tune; the test split is scored once
  const final = await fit([...trS, ...tuS], moments(fitRows, dim));
  assert.equal(final.info.cut[0]!.layer, 'probe_concat');
  assert.deepEqual(final.info.cut[0]!.shape, [dim]);
  assert.equal(final.info.computed, trS.length + tuS.length, 'first fit: every image computed once');
  const bnAfter = final.model.getLayer('probe_zscore').getWeights()[2]!.dataSync();
  assert.deepEqual(
    Array.from(bnAfter.slice(0, 5)),
    Array.from(moments(fitRows, dim).mean.slice(0, 5)),
    'z-scoring stays frozen',
  );
  const testAuc = rocAuc(
    te.map((r) => (r.sex === 'M' ? 1 : 0)),
    score(final.model, teS),
  );
  // held-out check on tune (fit on train only): every training image's entry is reused from the first fit
  const onTrain = await fit(trS, moments(trainRows, dim));
  assert.equal(onTrain.info.computed, 0, 'second fit: every entry reused');
  const tuneAuc = rocAuc(
    tu.map((r) => (r.sex === 'M' ? 1 : 0)),
    score(onTrain.model, tuS),
  );
  const figures = {
    backend: tf.getBackend(),
    testAuc,
    tuneAuc,
    method:
      `train() + featureCache: InceptionV3 (nsfwjs) @${SIZE} px frozen, GAP ${LAYERS.join('+')} (${dim}), ` +
      `frozen z-scoring, Dense(1) with L2 λ ${L2}, full-batch Adam ${STEPS} epochs`,
    train: tr.length,
    tune: tu.length,
    test: te.length,
    finalLoss: final.result.history[final.result.history.length - 1]!.loss,
    lossChangeLast50: lossChange(final.result),
    bestEpoch: final.result.bestEpoch,
    cacheBuildSeconds: final.info.buildSeconds,
    bytesPerImage: final.info.bytesPerImage,
    momentSeconds,
    trainSeconds: final.result.history.reduce((a, h) => a + h.seconds, 0),
    seconds: (Date.now() - t0) / 1000,
  };
  const out = testOutputDir('learning');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'nih-sex-feature-cache.json'), JSON.stringify(figures, null, 2));
  console.log(`[learning] nih-sex-feature-cache: ${JSON.stringify(figures)}`);
  features.dispose();
  assert.ok(figures.lossChangeLast50 < 1e-4, `not converged: the loss moved ${figures.lossChangeLast50} in 50 epochs`);
  assert.ok(
    testAuc >= 0.9,
    `test AUC ${testAuc.toFixed(3)} < 0.90 (sex, ${tr.length + tu.length} NIH images at 64 px)`,
  );
});
