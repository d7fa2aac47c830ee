// @cxrkit-backends: wasm
// The pointing game (Zhang et al. 2016) on synthetic radiographs whose label lives in one known region:
// only the bone density of the humeral heads follows the osteoporosis label (the other bones get an
// unrelated random density). After training a tiny Inception-like classifier, the Grad-CAM peak of the
// true positives must fall inside that region in ≥ 90 % of cases — with a single layer and with the
// average of the last block's convolutions. A hit is a peak within 4 px of the signal mask: the
// pointing game's 15 px tolerance at 224 px, scaled to 64 px (the CAM grid here is 16 × 16, 4 px per
// cell); the strict score (peak on a mask pixel) is reported too.
// Runs on wasm (with @cxrkit/models' training kernels: stock wasm cannot train convolutions).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { synthesizeRadiograph, writePngSync, type SyntheticRadiograph } from '@cxrkit/core';
import { registerWasmTrainingKernels, unregisterWasmTrainingKernels } from '@cxrkit/models';
import { expectNoLeaks, testOutputDir } from '../../../test/helpers.js';
import { tinyClassifier } from '../../../test/fixtures/gradcam/models.js';
import { gradCam } from './grad-cam.js';
import { heatmapPeak, type Heatmap } from './heatmap.js';
import { overlayHeatmap } from './overlay.js';

const SIZE = 64;
const TRAIN_PAIRS = 160;
const TEST = 120;
const TOLERANCE_PX = 4;

function pointingHit(map: Heatmap, mask: Uint8Array, tolerance: number): boolean {
  const { x, y } = heatmapPeak(map);
  for (let dy = -tolerance; dy <= tolerance; dy++) {
    for (let dx = -tolerance; dx <= tolerance; dx++) {
      if (dx * dx + dy * dy > tolerance * tolerance) continue;
      const xx = x + dx;
      const yy = y + dy;
      if (xx >= 0 && yy >= 0 && xx < SIZE && yy < SIZE && mask[yy * SIZE + xx]) return true;
    }
  }
  return false;
}

test('pointing game: the Grad-CAM peak of true positives falls on the humeral heads (single layer and layer-averaged)', async () => {
  // training kernels only for this test: the other wasm tests check Grad-CAM on stock wasm
  const registered = tf.getBackend() === 'wasm' && registerWasmTrainingKernels();
  try {
    const t0 = performance.now();
    // Training pairs share the anatomy, pose and exposure (same seed) and differ only in the T-score, so
    // the humeral heads' density is the only thing that separates the classes; test images are new seeds.
    const make = (seed: number, positive: boolean, k: number): SyntheticRadiograph =>
      synthesizeRadiograph({
        seed,
        size: SIZE,
        signalRegion: 'humeral-heads',
        tScore: positive ? -3 - (k % 7) * 0.25 : 0.5 - (k % 5) * 0.25,
      });
    const train: { r: SyntheticRadiograph; y: number }[] = [];
    for (let i = 0; i < TRAIN_PAIRS; i++)
      train.push({ r: make(1000 + i, false, i), y: 0 }, { r: make(1000 + i, true, i), y: 1 });
    const testSet = Array.from({ length: TEST }, (_, i) => ({ r: make(50_000 + i, i % 2 === 1, i), y: i % 2 }));
    const stack = (set: typeof train): tf.Tensor4D =>
      tf.tensor4d(Float32Array.from(set.flatMap((s) => Array.from(s.r.image.data))), [set.length, SIZE, SIZE, 1]);
    const xTrain = stack(train);
    const yTrain = tf.tensor2d(
      train.map((s) => s.y),
      [train.length, 1],
    );
    const xTest = stack(testSet);
    const tData = performance.now();

    const model = tinyClassifier(SIZE, 8, 1);
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'binaryCrossentropy' });
    await model.fit(xTrain, yTrain, { epochs: 12, batchSize: 16, shuffle: false, verbose: 0 });
    const tTrain = performance.now();

    const probs = tf.tidy(() => (model.predict(xTest) as tf.Tensor).dataSync());
    const truePositives = testSet.map((s, i) => i).filter((i) => probs[i]! >= 0.5 && testSet[i]!.y === 1);
    const accuracy = testSet.filter((s, i) => (probs[i]! >= 0.5 ? 1 : 0) === s.y).length / TEST;
    assert.ok(accuracy >= 0.85, `the tiny model should learn the task (test accuracy ${accuracy})`);
    assert.ok(truePositives.length >= 40, `${truePositives.length} true positives`);

    const LAYER_SETS = { single: ['conv_top'], averaged: ['lb_1x1', 'lb_3x3', 'lb_dbl_b', 'conv_top'] };
    const scores: Record<string, { tolerant: number; strict: number }> = {};
    for (const [name, layers] of Object.entries(LAYER_SETS)) {
      const xs = tf.gather(xTest, truePositives);
      const maps = await expectNoLeaks(() => gradCam(model, xs, { layers, target: 'positive' }), `gradCam ${name}`);
      xs.dispose();
      let tolerant = 0;
      let strict = 0;
      maps.forEach((m, k) => {
        const mask = testSet[truePositives[k]!]!.r.signalMask;
        if (pointingHit(m, mask, TOLERANCE_PX)) tolerant++;
        if (pointingHit(m, mask, 0)) strict++;
        const overlay = () => overlayHeatmap(testSet[truePositives[k]!]!.r.image, m, { alpha: 0.5 });
        if (k < 4) writePngSync(testOutputDir('gradcam', `pointing-${name}-${k}.png`), overlay());
      });
      scores[name] = { tolerant: tolerant / maps.length, strict: strict / maps.length };
    }
    console.log(
      `# pointing game (${truePositives.length} true positives of ${TEST} test images, accuracy ${accuracy.toFixed(3)}): ` +
        Object.entries(scores)
          .map(
            ([n, s]) =>
              `${n} ${LAYER_SETS[n as keyof typeof LAYER_SETS].join('+')}: ${(100 * s.tolerant).toFixed(1)} % within ${TOLERANCE_PX} px, ${(100 * s.strict).toFixed(1)} % on the mask`,
          )
          .join('; ') +
        ` — synthesis ${((tData - t0) / 1000).toFixed(1)} s, training ${((tTrain - tData) / 1000).toFixed(1)} s (${tf.getBackend()})`,
    );
    for (const [name, s] of Object.entries(scores))
      assert.ok(s.tolerant >= 0.9, `${name}: pointing score ${s.tolerant}`);
    tf.dispose([xTrain, yTrain, xTest]);
    model.dispose();
  } finally {
    if (registered) unregisterWasmTrainingKernels();
  }
});
