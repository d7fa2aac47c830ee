// Lung segmentation vs the synthetic generator's masks (Dice), rigid registration of masks moved by
// known transforms (moved here with an independent supersampled nearest-neighbour resampler), and the
// CAM atlas on radiographs whose CAM is a blob at a known anatomical point.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isCxrkitError, synthesizeRadiograph, writePngSync, type GrayImage } from '@cxrkit/core';
import { testOutputDir } from '../../../test/helpers.js';
import { buildCamAtlas, classifyOutcome, selectCases } from './atlas.js';
import { heatmapPeak } from './heatmap.js';
import { overlayHeatmap } from './overlay.js';
import { applyRigid, invertRigid, registerRigid, warpRigid, type RigidTransform } from './register-rigid.js';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expectNoLeaks } from '../../../test/helpers.js';
import { dice, modelLungSegmenter, segmentLungs } from './segment-lungs.js';

const SIZE = 96;

/** T(p) = s·R(θ)·(p − c) + c + d, with c the image centre: a rotation/scale about the centre plus a shift d. */
function aboutCentre(angleDeg: number, scale: number, dx: number, dy: number, size = SIZE): RigidTransform {
  const c = size / 2;
  const a = (angleDeg * Math.PI) / 180;
  const cs = Math.cos(a) * scale;
  const sn = Math.sin(a) * scale;
  return { angleDeg, scale, tx: c + dx - (cs * c - sn * c), ty: c + dy - (sn * c + cs * c) };
}

/** moving(p) = reference(T(p)), 4×4 supersampled, nearest neighbour; masks by majority, images by mean. */
function moveBy(data: Float32Array, t: RigidTransform, binary: boolean, size = SIZE): Float32Array {
  const SIZE = size;
  const out = new Float32Array(SIZE * SIZE);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      let s = 0;
      for (let sy = 0; sy < 4; sy++) {
        for (let sx = 0; sx < 4; sx++) {
          const [qx, qy] = applyRigid(t, x - 0.375 + 0.25 * sx, y - 0.375 + 0.25 * sy);
          const ix = Math.round(qx);
          const iy = Math.round(qy);
          if (ix >= 0 && iy >= 0 && ix < SIZE && iy < SIZE) s += data[iy * SIZE + ix]!;
        }
      }
      out[y * SIZE + x] = binary ? (s >= 8 ? 1 : 0) : s / 16;
    }
  }
  return out;
}

const KNOWN: RigidTransform[] = [
  aboutCentre(8, 1, 3, -4),
  aboutCentre(-12, 1.1, -6, 2),
  aboutCentre(5, 0.9, 8, 5),
  aboutCentre(-20, 1.15, 0, -7),
  aboutCentre(15, 0.85, 5, 9),
];

test('segmentLungs (classical) against the synthetic generator lung masks: Dice reported', () => {
  const scores: number[] = [];
  for (let seed = 0; seed < 20; seed++) {
    const r = synthesizeRadiograph({ seed, size: SIZE });
    const m = segmentLungs(r.image);
    scores.push(dice(m.data, r.lungMask));
    if (seed < 2) {
      const both = { data: Float32Array.from(m.data, (v, i) => v + r.lungMask[i]!), width: SIZE, height: SIZE };
      const overlay = overlayHeatmap(r.image, both, { colormap: 'viridis', alpha: 0.35 });
      writePngSync(testOutputDir('gradcam', `segment-lungs-synthetic-${seed}.png`), overlay);
    }
  }
  const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
  console.log(
    `# segmentLungs Dice vs generator lungMask (${SIZE} px, 20 radiographs): mean ${mean.toFixed(3)}, min ${Math.min(...scores).toFixed(3)}`,
  );
  assert.ok(mean >= 0.85, `mean Dice ${mean}`);
  assert.ok(Math.min(...scores) >= 0.75, `min Dice ${Math.min(...scores)}`);
  // a custom segmenter plugs in, and a wrong-sized result is a typed error
  const r = synthesizeRadiograph({ seed: 1, size: 32 });
  const fixed = segmentLungs(r.image, { segmenter: () => ({ data: r.lungMask, width: 32, height: 32 }) });
  assert.equal(fixed.data, r.lungMask);
  assert.throws(
    () => segmentLungs(r.image, { segmenter: () => ({ data: new Uint8Array(4), width: 2, height: 2 }) }),
    (e) => isCxrkitError(e, 'GRADCAM_BAD_SEGMENTATION'),
  );
});

test('a learned segmenter plugs in through modelLungSegmenter (resized in and out, thresholded, no leaks)', async () => {
  // a 1×1 conv with sigmoid: p = σ(20·(0.5 − x)) — "lung" where the normalised image is below 0.5
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({
        inputShape: [8, 8, 1],
        filters: 1,
        kernelSize: 1,
        activation: 'sigmoid',
        weights: [tf.tensor4d([-20], [1, 1, 1, 1]), tf.tensor1d([10])],
      }),
    ],
  });
  // 16 × 16 image: left half dark (0.1), right half bright (0.9); the model runs at 8 × 8
  const image = { data: Float32Array.from({ length: 256 }, (_, i) => (i % 16 < 8 ? 0.1 : 0.9)), width: 16, height: 16 };
  const mask = await expectNoLeaks(
    () => segmentLungs(image, { segmenter: modelLungSegmenter(model, { preprocess: (im) => im.data }) }),
    'model segmenter',
  );
  assert.deepEqual(
    Array.from(mask.data),
    Array.from({ length: 256 }, (_, i) => (i % 16 < 8 ? 1 : 0)),
  );
  model.dispose();
});

test('rigid transforms by hand: apply, invert, warp by an integer shift', () => {
  // θ = 90°, s = 2, t = (1, 0): (1, 0) → 2·(0, 1) + (1, 0) = (1, 2)
  const t = { angleDeg: 90, scale: 2, tx: 1, ty: 0 };
  const [x, y] = applyRigid(t, 1, 0);
  assert.ok(Math.abs(x - 1) < 1e-9 && Math.abs(y - 2) < 1e-9);
  const [u, v] = applyRigid(invertRigid(t), 1, 2);
  assert.ok(Math.abs(u - 1) < 1e-9 && Math.abs(v) < 1e-9);
  const img = { data: Float32Array.from({ length: 20 }, (_, i) => i + 1), width: 5, height: 4 };
  const shifted = warpRigid(img, { angleDeg: 0, scale: 1, tx: 2, ty: 1 });
  // out(x, y) = in(x − 2, y − 1), 0 outside
  for (let yy = 0; yy < 4; yy++)
    for (let xx = 0; xx < 5; xx++) {
      const expected = xx >= 2 && yy >= 1 ? img.data[(yy - 1) * 5 + xx - 2]! : 0;
      assert.equal(shifted.data[yy * 5 + xx], expected, `(${xx}, ${yy})`);
    }
});

/** Largest distance (px) between where `found` and `truth` send a pixel of the mask (row-major, `size` wide). */
function maxDisplacementError(mask: Uint8Array, size: number, found: RigidTransform, truth: RigidTransform): number {
  let maxErr = 0;
  mask.forEach((m, i) => {
    if (!m) return;
    const [ax, ay] = applyRigid(found, i % size, Math.floor(i / size));
    const [bx, by] = applyRigid(truth, i % size, Math.floor(i / size));
    maxErr = Math.max(maxErr, Math.hypot(ax - bx, ay - by));
  });
  return maxErr;
}

test('registerRigid recovers known rotations, translations and scales within 2 px and 1°', () => {
  const ref = synthesizeRadiograph({ seed: 1, size: SIZE, pose: false });
  const refMask = { data: ref.lungMask, width: SIZE, height: SIZE };
  for (const truth of KNOWN) {
    const moving = {
      data: Uint8Array.from(moveBy(Float32Array.from(ref.lungMask), truth, true)),
      width: SIZE,
      height: SIZE,
    };
    const r = registerRigid(moving, refMask);
    const maxErr = maxDisplacementError(moving.data, SIZE, r, truth);
    const angleErr = Math.abs(r.angleDeg - truth.angleDeg);
    console.log(
      `# registerRigid θ=${truth.angleDeg}° s=${truth.scale}: angle error ${angleErr.toFixed(3)}°, max displacement error ${maxErr.toFixed(2)} px over the lungs, Dice ${r.diceBefore.toFixed(3)} → ${r.dice.toFixed(3)}`,
    );
    assert.ok(angleErr <= 1, `angle error ${angleErr}`);
    assert.ok(maxErr <= 2, `displacement error ${maxErr}`);
    assert.ok(r.dice > 0.95);
  }
  assert.throws(
    () => registerRigid({ data: new Uint8Array(16), width: 4, height: 4 }, refMask),
    (e) => isCxrkitError(e, 'GRADCAM_EMPTY_MASK'),
  );
  // larger films are registered on block-averaged masks (≤ 128 px) and mapped back to full resolution
  const big = 300;
  const refBig = synthesizeRadiograph({ seed: 2, size: big, pose: false, supersample: 1 });
  for (const truth of [aboutCentre(-9, 1.08, 12, -7, big), aboutCentre(6, 0.92, -10, 15, big)]) {
    const moving = {
      data: Uint8Array.from(moveBy(Float32Array.from(refBig.lungMask), truth, true, big)),
      width: big,
      height: big,
    };
    const r = registerRigid(moving, { data: refBig.lungMask, width: big, height: big });
    const maxErr = maxDisplacementError(moving.data, big, r, truth);
    const angleErr = Math.abs(r.angleDeg - truth.angleDeg);
    console.log(
      `# registerRigid at ${big} px (working size 100 px) θ=${truth.angleDeg}° s=${truth.scale}: angle error ${angleErr.toFixed(3)}°, max displacement error ${maxErr.toFixed(2)} px`,
    );
    assert.ok(angleErr <= 1 && maxErr <= 2, `${angleErr}° ${maxErr} px`);
  }
});

test('case selection by outcome', () => {
  assert.equal(classifyOutcome(0.7, 1), 'TP');
  assert.equal(classifyOutcome(0.2, 1), 'FN');
  assert.equal(classifyOutcome(0.5, 0), 'FP');
  assert.equal(classifyOutcome(0.49, 0), 'TN');
  const preds = [0.9, 0.1, 0.6, 0.3, 0.8];
  const labels = [1, 1, 0, 0, 1];
  assert.deepEqual(selectCases(preds, labels, 'TP'), [0, 4]);
  assert.deepEqual(selectCases(preds, labels, ['FN', 'FP']), [1, 2]);
  assert.deepEqual(selectCases(preds, labels, 'TP', 0.85), [0]);
  assert.throws(
    () => selectCases(preds, labels, 'XX' as never),
    (e) => isCxrkitError(e, 'GRADCAM_BAD_OPTION'),
  );
  assert.throws(
    () => selectCases([1], [2], 'TP'),
    (e) => isCxrkitError(e, 'GRADCAM_BAD_LABEL'),
  );
});

test('the CAM atlas brings blobs at one anatomical point of moved radiographs back onto that point', () => {
  const ref = synthesizeRadiograph({ seed: 3, size: SIZE, pose: false, marker: false });
  // the anatomical point: the centroid of the lung mask's left half (the patient's right lung)
  let sx = 0;
  let sy = 0;
  let n = 0;
  ref.lungMask.forEach((m, i) => {
    if (m && i % SIZE < SIZE / 2) {
      sx += i % SIZE;
      sy += Math.floor(i / SIZE);
      n++;
    }
  });
  const point: [number, number] = [sx / n, sy / n];
  const blobAt = ([px, py]: [number, number]): Float32Array =>
    Float32Array.from({ length: SIZE * SIZE }, (_, i) =>
      Math.exp(-(((i % SIZE) - px) ** 2 + (Math.floor(i / SIZE) - py) ** 2) / (2 * 3 ** 2)),
    );
  const cases = KNOWN.map((truth, k) => {
    const image: GrayImage = { data: moveBy(ref.image.data, truth, false), width: SIZE, height: SIZE };
    // the point seen in the moved radiograph: T⁻¹(point)
    const cam = { data: blobAt(applyRigid(invertRigid(truth), point[0], point[1])), width: SIZE, height: SIZE };
    return { image, cam, prediction: k === 4 ? 0.2 : 0.9, label: 1, id: `moved-${k}` };
  });
  const atlas = buildCamAtlas(cases, { reference: { image: ref.image }, select: 'TP' });
  assert.equal(atlas.count, 4);
  assert.deepEqual(
    atlas.cases.map((c) => c.used),
    [true, true, true, true, false],
  );
  assert.equal(atlas.cases[4]!.outcome, 'FN');
  for (const c of atlas.cases.slice(0, 4))
    assert.ok(c.registration!.dice > 0.9, `case ${c.id}: registration Dice ${c.registration!.dice}`);
  const peak = heatmapPeak(atlas.mean);
  const err = Math.hypot(peak.x - point[0], peak.y - point[1]);
  console.log(`# atlas peak ${err.toFixed(2)} px from the true point (registration on classically segmented lungs)`);
  assert.ok(err <= 2.5, `atlas peak (${peak.x}, ${peak.y}) vs point (${point[0].toFixed(1)}, ${point[1].toFixed(1)})`);
  assert.equal(Math.max(...atlas.image8.data), 255);
  // without registration the same blobs would spread out: the atlas peak is sharper than the raw mean
  const raw = new Float32Array(SIZE * SIZE);
  for (const c of cases.slice(0, 4)) c.cam.data.forEach((v, i) => (raw[i] += v / 4));
  assert.ok(Math.max(...atlas.mean.data) > 1.3 * Math.max(...raw), 'registration concentrates the CAMs');
  writePngSync(testOutputDir('gradcam', 'atlas-synthetic-overlay.png'), atlas.overlay);
  writePngSync(testOutputDir('gradcam', 'atlas-synthetic-8bit.png'), atlas.image8);
  const unregistered = overlayHeatmap(ref.image, { data: raw, width: SIZE, height: SIZE }, { alpha: 0.45 });
  writePngSync(testOutputDir('gradcam', 'atlas-synthetic-unregistered.png'), unregistered);
  assert.throws(
    () => buildCamAtlas([]),
    (e) => isCxrkitError(e, 'GRADCAM_NO_CASES'),
  );
  assert.throws(
    () => buildCamAtlas(cases, { select: 'FP' }),
    (e) => isCxrkitError(e, 'GRADCAM_NO_CASES'),
  );
});
