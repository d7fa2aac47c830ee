// Seeded stratified bootstrap: reproducibility, stratification, agreement with DeLong on a large sample.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  bootstrapCi,
  seededRandom,
  quantileSorted,
  delongCi,
  rocAuc,
  meanAbsoluteError,
  isCxrkitError,
  METRICS_WARNING,
} from './index.js';

function cohort(n: number, seed: number) {
  const r = seededRandom(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const yTrue: number[] = [];
  const yScore: number[] = [];
  for (let i = 0; i < n; i++) {
    const y = r() < 0.3 ? 1 : 0;
    yTrue.push(y);
    yScore.push(y * 1.2 + gauss());
  }
  return { yTrue, yScore };
}

test('seededRandom: deterministic, uniform-looking on [0, 1)', () => {
  const a = seededRandom(7);
  const b = seededRandom(7);
  const xs = Array.from({ length: 10000 }, () => a());
  assert.deepEqual(
    xs.slice(0, 5),
    Array.from({ length: 5 }, () => b()),
  );
  assert.notEqual(seededRandom(8)(), xs[0]);
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  assert.ok(Math.abs(mean - 0.5) < 0.01, `mean ${mean}`);
});

test('quantileSorted interpolates like numpy.quantile (linear)', () => {
  // numpy.quantile([1, 2, 3, 4], [0.25, 0.5, 0.975]) = [1.75, 2.5, 3.925]
  assert.equal(quantileSorted([1, 2, 3, 4], 0.25), 1.75);
  assert.equal(quantileSorted([1, 2, 3, 4], 0.5), 2.5);
  assert.ok(Math.abs(quantileSorted([1, 2, 3, 4], 0.975) - 3.925) < 1e-15);
});

test('stratified bootstrap AUC CI: same seed → same interval; close to DeLong on 1,000 cases', () => {
  const { yTrue, yScore } = cohort(1000, 3);
  const stat = (d: { yTrue: Float64Array; yScore: Float64Array }) => rocAuc(d.yTrue, d.yScore);
  const t0 = performance.now();
  const ci = bootstrapCi({ yTrue, yScore }, stat, { strata: yTrue, nBoot: 500, seed: 11 });
  const ms = performance.now() - t0;
  const again = bootstrapCi({ yTrue, yScore }, stat, { strata: yTrue, nBoot: 500, seed: 11 });
  assert.deepEqual(ci, again);
  assert.notDeepEqual(bootstrapCi({ yTrue, yScore }, stat, { strata: yTrue, nBoot: 500, seed: 12 }).lower, ci.lower);
  assert.equal(ci.estimate, rocAuc(yTrue, yScore));
  assert.equal(ci.nBoot, 500);
  assert.equal(ci.nFailed, 0);
  const d = delongCi(yTrue, yScore);
  // Both estimate the same sampling distribution: bounds within 0.015, SEs within 15 %.
  assert.ok(
    Math.abs(ci.lower - d.lower) < 0.015 && Math.abs(ci.upper - d.upper) < 0.015,
    `bootstrap [${ci.lower}, ${ci.upper}] vs DeLong [${d.lower}, ${d.upper}]`,
  );
  assert.ok(Math.abs(ci.se / d.se - 1) < 0.15, `SE ${ci.se} vs ${d.se}`);
  assert.ok(ms < 5000, `500 AUC resamples of 1,000 cases took ${ms} ms`);
});

test('stratification keeps class counts in every resample; unstratified one-class resamples are dropped with a warning', async () => {
  const yTrue = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  const yScore = [0.9, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.95];
  const positives: number[] = [];
  bootstrapCi(
    { yTrue, yScore },
    (d) => (positives.push(d.yTrue.reduce((a, b) => a + b, 0)), rocAuc(d.yTrue, d.yScore)),
    { strata: yTrue, nBoot: 200 },
  );
  assert.ok(positives.slice(1).every((p) => p === 1));
  const warnings: string[] = [];
  const onWarn = (w: Error) => void (w.name === METRICS_WARNING && warnings.push(w.message));
  process.on('warning', onWarn);
  const plain = bootstrapCi({ yTrue, yScore }, (d) => rocAuc(d.yTrue, d.yScore), { nBoot: 200 });
  await new Promise((r) => setImmediate(r));
  process.off('warning', onWarn);
  assert.ok(plain.nFailed > 0 && plain.nFailed + plain.nBoot === 200); // (9/10)^10 ≈ 35 % lose the positive
  assert.ok(warnings.some((w) => w.includes('METRICS_BOOTSTRAP_FAILED')));
});

test('bootstrap works for any metric (MAE) and rejects bad options', () => {
  const t = [50, 60, 70, 80, 55, 65];
  const p = [52, 57, 71, 85, 55, 60];
  const ci = bootstrapCi({ t, p }, (d) => meanAbsoluteError(d.t, d.p), { nBoot: 300, level: 0.9 });
  assert.equal(ci.estimate, meanAbsoluteError(t, p));
  assert.ok(ci.lower <= ci.estimate && ci.estimate <= ci.upper);
  assert.throws(
    () => bootstrapCi({ t, p }, () => 0, { nBoot: 0 }),
    (e) => isCxrkitError(e, 'METRICS_BAD_OPTION'),
  );
  assert.throws(
    () => bootstrapCi({ t, p: [1] }, () => 0),
    (e) => isCxrkitError(e, 'METRICS_LENGTH_MISMATCH'),
  );
});
