// @cxrkit-backends: wasm
// The CAM atlas end to end on real radiographs: NIH ChestX-ray14 64×64 thumbnails (shared data). A tiny
// classifier is trained quickly on training patients (split by patient id), Grad-CAMs of
// the held-out PA true positives are registered onto a reference radiograph's lungs and averaged. The
// overlays go to test-output/gradcam/ to be looked at. The quick model predicts the view (PA = 1 vs AP):
// a tiny net learns it in a few epochs on 64 px, while sex needs far more training than this test's
// budget (it stayed at chance level after 4 epochs); the atlas then shows what marks a PA film. Runs on wasm with @cxrkit/models' training kernels.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { readImageFile, readNihThumbsManifest, writePngSync, zScore, type GrayImage } from '@cxrkit/core';
import { registerWasmTrainingKernels, unregisterWasmTrainingKernels } from '@cxrkit/models';
import { dataDir, expectNoLeaks, sharedData, testOutputDir } from '../../../test/helpers.js';
import { tinyClassifier } from '../../../test/fixtures/gradcam/models.js';
import { buildCamAtlas, selectCases } from './atlas.js';
import { gradCam } from './grad-cam.js';
import { overlayHeatmap } from './overlay.js';
import { labelComponents } from './morphology.js';
import { dice, segmentLungs } from './segment-lungs.js';

const SIZE = 64;

interface Row {
  file: string;
  id: string;
  patient: number;
  pa: number;
}

async function readGray(path: string): Promise<GrayImage> {
  const image = await readImageFile(path);
  if (image.width !== SIZE || image.height !== SIZE) throw new Error(`${path}: ${image.width}×${image.height}`);
  return image;
}

test('CAM atlas on NIH thumbnails: true positives of a quick PA-vs-AP model registered onto a reference PA film and averaged', {
  skip: sharedData('cxr/nih-thumbs64').missing,
}, async () => {
  // training kernels only for this test: the other wasm tests check Grad-CAM on stock wasm
  const registered = tf.getBackend() === 'wasm' && registerWasmTrainingKernels();
  try {
    // strict: a row the manifest reader rejects fails the test instead of shifting the split
    const { records } = await readNihThumbsManifest(dataDir('cxr', 'nih-thumbs64'), { strict: true });
    const rows: Row[] = records.map((r) => ({
      file: r.path,
      id: r.id,
      patient: Number(r.patientId),
      pa: r.extra.view === 'PA' ? 1 : 0,
    }));
    // split by patient: every 4th patient id (in sorted order) is held out
    const patients = [...new Set(rows.map((r) => r.patient))].sort((a, b) => a - b);
    const heldOut = new Set(patients.filter((_, i) => i % 4 === 0));
    const train = rows.filter((r) => !heldOut.has(r.patient)).slice(0, 320);
    const held = rows.filter((r) => heldOut.has(r.patient));
    const images = new Map<string, GrayImage>();
    for (const r of [...train, ...held]) images.set(r.file, await readGray(r.file));
    // per-image z-score (exposure differs a lot between these films)
    const stack = (set: Row[]): tf.Tensor4D =>
      tf.tensor4d(Float32Array.from(set.flatMap((r) => Array.from(zScore(images.get(r.file)!).data))), [
        set.length,
        SIZE,
        SIZE,
        1,
      ]);

    const t0 = performance.now();
    const model = tinyClassifier(SIZE, 8, 2);
    model.compile({ optimizer: tf.train.adam(0.003), loss: 'binaryCrossentropy' });
    const xTrain = stack(train);
    const yTrain = tf.tensor2d(
      train.map((r) => r.pa),
      [train.length, 1],
    );
    await model.fit(xTrain, yTrain, { epochs: 3, batchSize: 16, shuffle: false, verbose: 0 });
    const tTrain = performance.now();
    const xHeld = stack(held);
    const probs = Array.from(tf.tidy(() => (model.predict(xHeld) as tf.Tensor).dataSync()));
    const labels = held.map((r) => r.pa);
    const allTp = selectCases(probs, labels, 'TP');
    const tp = allTp.slice(0, 80); // enough for an atlas; keeps the test within its time budget
    const accuracy = held.filter((r, i) => (probs[i]! >= 0.5 ? 1 : 0) === r.pa).length / held.length;
    const pos = probs.filter((_, i) => labels[i] === 1);
    const neg = probs.filter((_, i) => labels[i] === 0);
    const auc =
      pos.reduce((s, p) => s + neg.reduce((t, q) => t + (p > q ? 1 : p === q ? 0.5 : 0), 0), 0) /
      (pos.length * neg.length);
    assert.ok(auc >= 0.7, `view model AUC ${auc}`);
    assert.ok(tp.length >= 10, `${tp.length} true positives among ${held.length} held-out radiographs`);

    const xs = tf.gather(xHeld, tp);
    const cams = await expectNoLeaks(
      () => gradCam(model, xs, { layers: ['lb_1x1', 'lb_3x3', 'lb_dbl_b', 'conv_top'], target: 'positive' }),
      'gradCam',
    );
    xs.dispose();
    const cases = tp.map((i, k) => ({
      image: images.get(held[i]!.file)!,
      cam: cams[k]!,
      prediction: probs[i]!,
      label: labels[i]!,
      id: held[i]!.id,
    }));
    // reference: among the held-out PA films, the most left-right symmetric lung segmentation made of
    // two similar components covering 15–45 % of the image (a clean bilateral mask)
    const score = (image: GrayImage): number => {
      const m = segmentLungs(image).data;
      const comps = labelComponents(m, SIZE, SIZE)
        .areas.slice(1)
        .sort((a, b) => b - a);
      const area = comps.reduce((a, b) => a + b, 0) / (SIZE * SIZE);
      if (comps.length !== 2 || comps[1]! < 0.6 * comps[0]! || area < 0.15 || area > 0.45) return 0;
      const flipped = Uint8Array.from(m, (_, i) => m[Math.floor(i / SIZE) * SIZE + (SIZE - 1 - (i % SIZE))]!);
      return dice(m, flipped);
    };
    const scores = held.map((r) => (r.pa ? score(images.get(r.file)!) : 0));
    const reference = { image: images.get(held[scores.indexOf(Math.max(...scores))]!.file)! };
    const atlas = buildCamAtlas(cases, {
      reference,
      select: 'TP',
      minDice: 0.6,
      overlay: { colormap: 'jet', alpha: 0.45 },
    });
    const used = atlas.cases.filter((c) => c.used);
    const meanBefore = used.reduce((s, c) => s + c.registration!.diceBefore, 0) / used.length;
    const meanAfter = used.reduce((s, c) => s + c.registration!.dice, 0) / used.length;
    console.log(
      `# NIH atlas: PA-vs-AP model (train ${train.length} images, ${((tTrain - t0) / 1000).toFixed(1)} s on ${tf.getBackend()}), held-out accuracy ${accuracy.toFixed(3)}, AUC ${auc.toFixed(3)}, ` +
        `${allTp.length} true positives (first ${tp.length} used), ${atlas.count} averaged (${tp.length - atlas.count} left out: registration Dice < 0.6 or no lungs); ` +
        `lung Dice to the reference ${meanBefore.toFixed(3)} → ${meanAfter.toFixed(3)} after rigid registration`,
    );
    assert.ok(atlas.count >= Math.max(8, 0.6 * tp.length), `atlas averaged ${atlas.count} of ${tp.length}`);
    assert.ok(meanAfter > meanBefore + 0.02, `registration improves lung overlap (${meanBefore} → ${meanAfter})`);
    assert.equal(Math.max(...atlas.image8.data), 255);
    writePngSync(testOutputDir('gradcam', 'atlas-nih-pa-tp-overlay.png'), atlas.overlay);
    writePngSync(testOutputDir('gradcam', 'atlas-nih-pa-tp-8bit.png'), atlas.image8);
    const lungs = { data: Float32Array.from(atlas.reference.lungMask.data), width: SIZE, height: SIZE };
    const lungsOverlay = overlayHeatmap(atlas.reference.image, lungs, { colormap: 'viridis', alpha: 0.3 });
    writePngSync(testOutputDir('gradcam', 'atlas-nih-reference-lungs.png'), lungsOverlay);
    cases.slice(0, 4).forEach((c, k) => {
      const overlay = overlayHeatmap(c.image, c.cam, { alpha: 0.45 });
      writePngSync(testOutputDir('gradcam', `atlas-nih-case-${k}.png`), overlay);
    });
    tf.dispose([xTrain, yTrain, xHeld]);
    model.dispose();
  } finally {
    if (registered) unregisterWasmTrainingKernels();
  }
});
