// The generator's difficulty and age/sex bone-density options: their defaults must reproduce the pixels of
// the version before them bit for bit (the demo's and the learning proofs' figures depend on it), and their
// effects must be what the doc comments say.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import {
  SYNTHETIC_DIFFICULTY,
  isCxrkitError,
  synthesizeDataset,
  synthesizeRadiograph,
  type SynthesizeRadiographOptions,
} from '@cxrkit/core';

/** AUC by the Mann–Whitney count (ties half): core depends on no other cxrkit package, tests included. */
function rocAuc(labels: number[], scores: number[]): number {
  let num = 0;
  let pairs = 0;
  for (let i = 0; i < scores.length; i++) {
    if (labels[i] !== 1) continue;
    for (let j = 0; j < scores.length; j++) {
      if (labels[j] !== 0) continue;
      pairs++;
      num += scores[i]! > scores[j]! ? 1 : scores[i] === scores[j] ? 0.5 : 0;
    }
  }
  return num / pairs;
}

const hash = (a: ArrayBufferView) =>
  createHash('sha256')
    .update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength))
    .digest('hex')
    .slice(0, 16);

// sha256 prefixes of the image and signal mask, computed with main at 5861211 (before these options existed).
const BEFORE: Array<[SynthesizeRadiographOptions, string, string]> = [
  [{ seed: 11, size: 64 }, 'e5362bd78180b522', '533a9b7ba508f4e3'],
  [{ seed: 'demo', size: 160, signalRegion: 'spine' }, '77fce671c5ff6073', 'eb3687ffd68e10e0'],
  [{ seed: 3, width: 120, height: 90, tScore: -3 }, 'a12dd8aea3ddc8da', 'd3b8024d575345ad'],
];

test('defaults (and difficulty none, ageSexBmdEffect 1) give the pixels of the version before, bit for bit', () => {
  for (const [options, image, signal] of BEFORE) {
    for (const extra of [{}, { difficulty: 'none' as const }, { difficulty: 0 }, { ageSexBmdEffect: 1 }]) {
      const r = synthesizeRadiograph({ ...options, ...extra });
      assert.equal(hash(r.image.data), image, `${JSON.stringify({ ...options, ...extra })}: image`);
      assert.equal(hash(r.signalMask), signal);
    }
  }
  // a dataset as the demo draws it (labels and pixels)
  const ds = synthesizeDataset({ n: 40, seed: 'demo-7', size: 48, osteoporosisFraction: 0.5 });
  const all = new Float32Array(40 * 48 * 48);
  ds.forEach((r, i) => all.set(r.radiograph!.image.data, i * 48 * 48));
  assert.equal(hash(all), '36f000f9217c22ae');
  assert.equal(hash(new Float64Array(ds.map((r) => r.labels.tScore))), 'a0a1fce089a6a82b');
});

test('difficulty changes only the density the signal bones show, never the labels or other pixels', () => {
  const base = { seed: 21, size: 96, age: 70, sex: 'F' as const, tScore: -2.8, signalRegion: 'spine' as const };
  const easy = synthesizeRadiograph(base);
  const hard = synthesizeRadiograph({ ...base, difficulty: 'hard' });
  assert.deepEqual(hard.labels, easy.labels);
  assert.notEqual(hard.params.densityFactor, easy.params.densityFactor);
  let changedOutside = 0;
  for (let y = 1; y < 95; y++) {
    for (let x = 1; x < 95; x++) {
      let near = false;
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) if (easy.signalMask[(y + dy) * 96 + x + dx]) near = true;
      if (!near && easy.image.data[y * 96 + x] !== hard.image.data[y * 96 + x]) changedOutside++;
    }
  }
  assert.equal(changedOutside, 0, 'pixels away from the signal bones are the same');
});

test('the best AUC the shown density allows falls with difficulty as documented (0.98 / 0.92 / 0.84)', () => {
  const records = synthesizeDataset({ n: 800, seed: 'ceiling', size: 8, osteoporosisFraction: 0.5, render: false });
  const y = records.map((r) => r.labels.osteoporosis);
  const ceilings: Record<string, number> = {};
  for (const level of ['none', 'easy', 'moderate', 'hard'] as const) {
    const shown = records.map((r) => {
      const { age, sex, tScore } = r.labels;
      return -synthesizeRadiograph({ seed: r.seed, size: 8, supersample: 1, age, sex, tScore, difficulty: level })
        .params.densityFactor;
    });
    ceilings[level] = rocAuc(y, shown);
  }
  assert.equal(ceilings.none, 1, 'without difficulty the shown density sorts the classes perfectly');
  // expected: Φ-based ceilings of the documented σ (0.5, 1.0, 1.5), ±0.03 for n = 800
  for (const [level, expected] of [
    ['easy', 0.977],
    ['moderate', 0.915],
    ['hard', 0.84],
  ] as const) {
    assert.ok(
      Math.abs(ceilings[level]! - expected) <= 0.03,
      `${level} (σ ${SYNTHETIC_DIFFICULTY[level]}): ${ceilings[level]}`,
    );
  }
});

test('ageSexBmdEffect scales how much age and sex move the T-score (0 = independent)', () => {
  const meanT = (effect: number, sex: 'M' | 'F', ageRange: [number, number]) => {
    const r = synthesizeDataset({
      n: 800,
      seed: `e${effect}${sex}`,
      size: 8,
      ageSexBmdEffect: effect,
      ageRange,
      femaleFraction: sex === 'F' ? 1 : 0,
      render: false,
    });
    return r.reduce((s, x) => s + x.labels.tScore, 0) / r.length;
  };
  // expected means from the documented model: −(age − 35) · 0.045 (women) · effect at age 75–85 (mean 80)
  for (const effect of [0, 1, 2]) {
    const t = meanT(effect, 'F', [75, 85]);
    assert.ok(Math.abs(t - -45 * 0.045 * effect) < 0.15, `effect ${effect}: mean T of women aged 75–85 = ${t}`);
  }
  assert.ok(Math.abs(meanT(0, 'M', [20, 30])) < 0.15);
});

test('bad difficulty and ageSexBmdEffect values are typed errors with a did-you-mean', () => {
  assert.throws(
    () => synthesizeRadiograph({ size: 16, difficulty: 'moderat' as never }),
    (e) => isCxrkitError(e, 'SYNTH_BAD_OPTION') && /did you mean 'moderate'/.test((e as Error).message),
  );
  assert.throws(
    () => synthesizeRadiograph({ size: 16, difficulty: -1 }),
    (e) => isCxrkitError(e, 'SYNTH_BAD_OPTION'),
  );
  assert.throws(
    () => synthesizeRadiograph({ size: 16, ageSexBmdEffect: Number.NaN }),
    (e) => isCxrkitError(e, 'SYNTH_BAD_OPTION'),
  );
  assert.throws(() => synthesizeRadiograph({ size: 16, dificulty: 'easy' } as never), /did you mean 'difficulty'/);
});
