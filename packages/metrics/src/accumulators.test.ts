// Batch-by-batch accumulators give exactly the whole-set metrics; per-subgroup screening summaries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  ScreeningAccumulator,
  RegressionAccumulator,
  screeningBySubgroup,
  rocAuc,
  delongCi,
  binaryMetrics,
  regressionMetrics,
  isCxrkitError,
} from './index.js';

const fx = JSON.parse(
  readFileSync(new URL('../../../test/fixtures/metrics/roc-regression.json', import.meta.url), 'utf8'),
) as {
  binary: { name: string; yTrue: number[]; yScore: number[]; auc: number }[];
  regression: { name: string; yTrue: number[]; yPred: number[]; r2: number }[];
};

test('ScreeningAccumulator over batches of 64 equals the whole-set AUC (sklearn) and metrics', () => {
  const c = fx.binary.find((b) => b.name === 'continuous-1000')!;
  const acc = new ScreeningAccumulator();
  for (let i = 0; i < c.yTrue.length; i += 64)
    acc.update(c.yTrue.slice(i, i + 64), Float64Array.from(c.yScore.slice(i, i + 64)));
  assert.equal(acc.count, 1000);
  const r = acc.compute({ threshold: 0.4 });
  assert.ok(Math.abs(r.auc.auc - c.auc) <= 1e-12);
  assert.deepEqual(r.auc, delongCi(c.yTrue, c.yScore));
  assert.deepEqual(r.metrics, binaryMetrics(c.yTrue, c.yScore, { threshold: 0.4 }));
  acc.reset();
  assert.equal(acc.count, 0);
  assert.throws(
    () => acc.update([0, 1], [0.5]),
    (e) => isCxrkitError(e, 'METRICS_LENGTH_MISMATCH'),
  );
  assert.throws(
    () => acc.compute(),
    (e) => isCxrkitError(e, 'METRICS_EMPTY'),
  );
});

test('RegressionAccumulator over uneven batches equals the whole-set R² (sklearn)', () => {
  const c = fx.regression.find((b) => b.name === 'age-500')!;
  const acc = new RegressionAccumulator();
  for (const [a, b] of [
    [0, 1],
    [1, 100],
    [100, 101],
    [101, 500],
  ])
    acc.update(c.yTrue.slice(a, b), c.yPred.slice(a, b));
  const r = acc.compute();
  assert.ok(Math.abs(r.r2 - c.r2) <= 1e-12);
  assert.deepEqual(r, regressionMetrics(c.yTrue, c.yPred));
});

test('screeningBySubgroup: per-group AUC and metrics; a one-class group gets NaN AUC with a warning', () => {
  const c = fx.binary.find((b) => b.name === 'ties-200')!;
  const sex = c.yTrue.map((_, i) => (i % 3 === 0 ? 'M' : 'F'));
  const r = screeningBySubgroup(c.yTrue, c.yScore, sex, { threshold: 0 });
  assert.ok(Math.abs(r.overall.auc.auc - c.auc) <= 1e-12);
  const idxM = sex.flatMap((s, i) => (s === 'M' ? [i] : []));
  assert.equal(
    r.groups.M!.auc.auc,
    rocAuc(
      idxM.map((i) => c.yTrue[i]!),
      idxM.map((i) => c.yScore[i]!),
    ),
  );
  assert.equal(r.groups.M!.n + r.groups.F!.n, 200);
  const one = screeningBySubgroup([1, 1, 0, 1], [0.9, 0.8, 0.1, 0.7], ['a', 'a', 'b', 'b']);
  assert.ok(Number.isNaN(one.groups.a!.auc.auc));
  assert.equal(one.groups.b!.auc.auc, 1);
  assert.throws(
    () => screeningBySubgroup([1, 0], [0.9, 0.1], ['a', null as unknown as string]),
    (e) => isCxrkitError(e, 'METRICS_NAN'),
  );
});
