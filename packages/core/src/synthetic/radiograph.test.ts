import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { synthesizeRadiograph, synthesizeDataset, isCxrkitError, writePng, decodePng } from '@cxrkit/core';
import type { SyntheticRadiograph } from '@cxrkit/core';
import { testOutputDir } from '../../../../test/helpers.js';

// Hand-made image features, computed only from pixels and the returned masks.
function boneContrast(r: SyntheticRadiograph): number {
  const { data, width: W, height: H } = r.image;
  let sb = 0,
    nb = 0,
    sr = 0,
    nr = 0,
    sl = 0,
    nl = 0,
    ss = 0,
    ns = 0;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      if (r.markerMask[i]) continue;
      const v = data[i]!;
      if (r.signalMask[i]) {
        sb += v;
        nb++;
        continue;
      }
      if (r.lungMask[i] && !r.boneMask[i]) {
        sl += v;
        nl++;
      } else if (!r.boneMask[i] && v > 0.3) {
        ss += v;
        ns++;
      }
      if (r.boneMask[i]) continue;
      let near = false;
      for (let dy = -2; dy <= 2 && !near; dy++)
        for (let dx = -2; dx <= 2; dx++) {
          const yy = y + dy,
            xx = x + dx;
          if (yy >= 0 && yy < H && xx >= 0 && xx < W && r.signalMask[yy * W + xx]) {
            near = true;
            break;
          }
        }
      if (near) {
        sr += v;
        nr++;
      }
    }
  }
  // bone minus its neighbourhood, in units of the soft-tissue/lung contrast (exposure-invariant-ish)
  return (sb / nb - sr / nr) / (ss / ns - sl / nl);
}

/** AUC by the Mann–Whitney count: P(score of a positive > score of a negative), ties half. */
function auc(scores: number[], labels: number[]): number {
  let num = 0,
    pairs = 0;
  for (let i = 0; i < scores.length; i++)
    for (let j = 0; j < scores.length; j++) {
      if (labels[i] === 1 && labels[j] === 0) {
        pairs++;
        num += scores[i]! > scores[j]! ? 1 : scores[i] === scores[j] ? 0.5 : 0;
      }
    }
  return num / pairs;
}

test('same seed and options give the same image; another seed gives another', () => {
  const a = synthesizeRadiograph({ seed: 11, size: 64 });
  const b = synthesizeRadiograph({ seed: 11, size: 64 });
  const c = synthesizeRadiograph({ seed: 12, size: 64 });
  assert.deepEqual(a.image.data, b.image.data);
  assert.deepEqual(a.labels, b.labels);
  assert.notDeepEqual(a.image.data, c.image.data);
  assert.equal(a.image.data.length, 64 * 64);
  for (const v of a.image.data) assert.ok(v >= 0 && v <= 1);
});

test('any size and aspect; masks have the image size and make anatomical sense', () => {
  const r = synthesizeRadiograph({ seed: 3, width: 120, height: 90, marker: false });
  assert.equal(r.image.width, 120);
  assert.equal(r.image.height, 90);
  for (const m of [r.lungMask, r.boneMask, r.signalMask, r.markerMask]) assert.equal(m.length, 120 * 90);
  const count = (m: Uint8Array) => m.reduce((s, v) => s + v, 0);
  assert.ok(count(r.lungMask) > 0.15 * 120 * 90, 'lungs cover a good part of the image');
  assert.equal(count(r.markerMask), 0);
  // all-bones: the signal is on every bone
  assert.deepEqual(r.signalMask, r.boneMask);
  // lungs are darker than bone, and both lungs exist (left and right halves)
  let left = 0,
    right = 0;
  for (let i = 0; i < r.lungMask.length; i++) if (r.lungMask[i]) i % 120 < 60 ? left++ : right++;
  assert.ok(left > 100 && right > 100);
});

test('labels follow the WHO rule from the T-score, and BMD from the synthetic reference', () => {
  for (let s = 0; s < 60; s++) {
    const { labels } = synthesizeRadiograph({ seed: s, size: 16, supersample: 1 });
    const t = labels.tScore;
    const expected = t <= -2.5 ? 'osteoporosis' : t < -1 ? 'osteopenia' : 'normal'; // thesis Part 2
    assert.equal(labels.who, expected);
    assert.equal(labels.osteoporosis, expected === 'osteoporosis' ? 1 : 0);
    assert.ok(Math.abs((labels.boneDensity - 1.0) / 0.12 - t) <= 0.05 + 1e-9);
    assert.ok(labels.age >= 20 && labels.age <= 85 && Number.isInteger(labels.age));
    assert.ok(labels.sex === 'M' || labels.sex === 'F');
  }
  const fixed = synthesizeRadiograph({ seed: 1, size: 16, age: 70, sex: 'F', tScore: -2.5 });
  assert.deepEqual(
    [fixed.labels.age, fixed.labels.sex, fixed.labels.tScore, fixed.labels.who],
    [70, 'F', -2.5, 'osteoporosis'],
  );
});

test('the density signal lives only in the chosen region (counterfactual: change T only)', () => {
  for (const region of ['spine', 'humeral-heads', 'ribs', 'clavicles'] as const) {
    const opts = { seed: 5, size: 128, age: 60, sex: 'F' as const, signalRegion: region };
    const lo = synthesizeRadiograph({ ...opts, tScore: -3.5 });
    const hi = synthesizeRadiograph({ ...opts, tScore: 0.5 });
    assert.deepEqual(lo.signalMask, hi.signalMask);
    const W = 128;
    let inside = 0,
      nIn = 0,
      outside = 0;
    for (let y = 0; y < W; y++)
      for (let x = 0; x < W; x++) {
        const i = y * W + x;
        const d = hi.image.data[i]! - lo.image.data[i]!;
        // a one-pixel margin: mask pixels are those at least half covered by signal bone
        let near = false;
        for (let dy = -1; dy <= 1; dy++)
          for (let dx = -1; dx <= 1; dx++)
            if (hi.signalMask[Math.min(W - 1, Math.max(0, y + dy)) * W + Math.min(W - 1, Math.max(0, x + dx))])
              near = true;
        if (hi.signalMask[i]) {
          inside += d;
          nIn++;
        } else if (!near) outside = Math.max(outside, Math.abs(d));
      }
    assert.ok(nIn > 20, `${region}: signal mask has ${nIn} pixels`);
    assert.equal(outside, 0, `${region}: pixels away from the signal bones must not change`);
    assert.ok(inside / nIn > 0.02, `${region}: denser bone must be brighter (mean Δ ${inside / nIn})`);
    const bonesOutside = hi.boneMask.reduce((s, v, i) => s + (v && !hi.signalMask[i] ? 1 : 0), 0);
    assert.ok(bonesOutside > 0, `${region}: other bones remain as distractors`);
  }
});

test('the density and age signals are present in simple image statistics (learnable, not trivial)', () => {
  const recs = synthesizeDataset({ n: 120, seed: 2024, size: 96, osteoporosisFraction: 0.5 });
  const contrast = recs.map((r) => boneContrast(r.radiograph!));
  const osteo = recs.map((r) => r.labels.osteoporosis);
  const a = auc(
    contrast.map((c) => -c),
    osteo,
  );
  assert.ok(a >= 0.9, `AUC of one hand-made bone-contrast feature for osteoporosis = ${a.toFixed(3)}`);
  assert.ok(a < 0.999, `the signal should not be a perfect giveaway (AUC ${a})`);
  // age: lung height and cardiothoracic width ratio measured on the masks, linear fit on half, R² on the other half
  const feats = recs.map(({ radiograph: r }) => {
    const W = r!.image.width;
    let top = W,
      bot = 0;
    for (let i = 0; i < W * W; i++)
      if (r!.lungMask[i]) {
        top = Math.min(top, Math.floor(i / W));
        bot = Math.max(bot, Math.floor(i / W));
      }
    const yy = Math.round(top + 0.78 * (bot - top));
    let xl = -1,
      xr = -1,
      inner = 0;
    for (let x = 0; x < W; x++)
      if (r!.lungMask[yy * W + x]) {
        if (xl < 0) xl = x;
        xr = x;
      }
    for (let x = xl; x <= xr; x++) if (!r!.lungMask[yy * W + x]) inner++;
    return [1, (bot - top) / W, inner / (xr - xl + 1)];
  });
  const ages = recs.map((r) => r.labels.age);
  const w = leastSquares(feats.slice(0, 60), ages.slice(0, 60));
  const pred = feats.slice(60).map((f) => f.reduce((s, v, i) => s + v * w[i]!, 0));
  const yt = ages.slice(60);
  const m = yt.reduce((s, v) => s + v, 0) / yt.length;
  const r2 = 1 - pred.reduce((s, p, i) => s + (p - yt[i]!) ** 2, 0) / yt.reduce((s, v) => s + (v - m) ** 2, 0);
  assert.ok(r2 >= 0.6, `held-out R² of age from two shape features = ${r2.toFixed(3)}`);
});

function leastSquares(X: number[][], y: number[]): number[] {
  const k = X[0]!.length;
  const A = Array.from({ length: k }, () => new Array<number>(k + 1).fill(0));
  X.forEach((row, n) => {
    for (let a = 0; a < k; a++) {
      for (let b = 0; b < k; b++) A[a]![b]! += row[a]! * row[b]!;
      A[a]![k]! += row[a]! * y[n]!;
    }
  });
  for (let c = 0; c < k; c++)
    for (let r = 0; r < k; r++)
      if (r !== c) {
        const f = A[r]![c]! / A[c]![c]!;
        for (let q = c; q <= k; q++) A[r]![q]! -= f * A[c]![q]!;
      }
  return A.map((row, i) => row[k]! / row[i]!);
}

test('sex changes body shape; datasets have patients with several images and balanced classes', () => {
  const m = synthesizeRadiograph({ seed: 9, size: 64, sex: 'M', pose: false, marker: false });
  const f = synthesizeRadiograph({ seed: 9, size: 64, sex: 'F', pose: false, marker: false });
  // thorax width = outer span of the lung fields
  const bodyWidth = (r: SyntheticRadiograph) => {
    let lo = 64,
      hi = 0;
    r.lungMask.forEach((v, i) => {
      if (v) {
        lo = Math.min(lo, i % 64);
        hi = Math.max(hi, i % 64);
      }
    });
    return hi - lo;
  };
  assert.ok(bodyWidth(m) > bodyWidth(f), `men are wider (${bodyWidth(m)} vs ${bodyWidth(f)} px)`);
  const ds = synthesizeDataset({
    n: 50,
    seed: 1,
    size: 32,
    imagesPerPatient: 3,
    osteoporosisFraction: 0.5,
    render: false,
  });
  assert.equal(ds.length, 50);
  assert.equal(new Set(ds.map((r) => r.id)).size, 50);
  assert.equal(new Set(ds.map((r) => r.patientId)).size, 17);
  for (const r of ds) assert.equal(r.radiograph, undefined);
  const byPatient = new Map<string, typeof ds>();
  for (const r of ds) byPatient.set(r.patientId, [...(byPatient.get(r.patientId) ?? []), r]);
  for (const list of byPatient.values()) for (const r of list) assert.deepEqual(r.labels, list[0]!.labels);
  // a large label-only dataset: every drawn T-score is renderable (tails are clamped)
  for (const r of synthesizeDataset({ n: 3000, seed: 8, size: 16, render: false }))
    assert.ok(r.labels.tScore >= -5.5 && r.labels.tScore <= 3.5);
  const rendered = ds[4]!.render();
  assert.deepEqual(rendered.labels, ds[4]!.labels);
  const pos = ds.filter((r) => r.labels.osteoporosis === 1).length;
  assert.ok(pos >= 10 && pos <= 40, `about half osteoporotic (${pos}/50)`);
});

test('options are validated with typed errors', () => {
  assert.throws(
    () => synthesizeRadiograph({ size: 4 }),
    (e) => isCxrkitError(e, 'SYNTH_BAD_OPTION'),
  );
  assert.throws(
    () => synthesizeRadiograph({ signalRegion: 'spin' as never }),
    (e) => isCxrkitError(e, 'SYNTH_BAD_OPTION') && /did you mean 'spine'/.test((e as Error).message),
  );
  assert.throws(
    () => synthesizeRadiograph({ sized: 64 } as never),
    (e) => isCxrkitError(e, 'SYNTH_BAD_OPTION') && /did you mean 'size'/.test((e as Error).message),
  );
  assert.throws(
    () => synthesizeRadiograph({ tScore: Number.NaN }),
    (e) => isCxrkitError(e, 'SYNTH_BAD_OPTION'),
  );
});

test('writes a few previews for people to look at', async () => {
  for (const [seed, sex, t] of [
    [1, 'M', 0.5],
    [2, 'F', -3.2],
  ] as const) {
    const r = synthesizeRadiograph({ seed, size: 384, sex, tScore: t, age: sex === 'F' ? 75 : 35 });
    const path = testOutputDir('synthetic', `radiograph-${seed}-${sex}-T${t}.png`);
    await writePng(path, r.image);
    const back = decodePng(new Uint8Array(readFileSync(path)));
    assert.equal(back.width, 384);
  }
});
