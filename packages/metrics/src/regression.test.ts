// R², MAE, RMSE, within ±k years against scikit-learn / numpy (fixture: make_roc_regression.py).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  r2Score,
  meanAbsoluteError,
  rootMeanSquaredError,
  withinYears,
  regressionMetrics,
  isCxrkitError,
  METRICS_WARNING,
} from './index.js';

interface RegCase {
  name: string;
  yTrue: number[];
  yPred: number[];
  r2: number;
  mae: number;
  rmse: number;
  within4: number;
  within9: number;
}
const fixture = JSON.parse(
  readFileSync(new URL('../../../test/fixtures/metrics/roc-regression.json', import.meta.url), 'utf8'),
) as { regression: RegCase[] };

test('r2Score, MAE, RMSE, withinYears equal sklearn/numpy to 1e-12', () => {
  assert.ok(fixture.regression.length >= 4);
  for (const c of fixture.regression) {
    const near = (a: number, e: number, what: string) =>
      assert.ok(Math.abs(a - e) <= 1e-12 * Math.max(1, Math.abs(e)), `${c.name} ${what}: ${a} vs ${e}`);
    near(r2Score(c.yTrue, c.yPred), c.r2, 'r2');
    near(meanAbsoluteError(c.yTrue, c.yPred), c.mae, 'mae');
    near(rootMeanSquaredError(c.yTrue, c.yPred), c.rmse, 'rmse');
    assert.equal(withinYears(c.yTrue, c.yPred, 4), c.within4, `${c.name} within4`);
    assert.equal(withinYears(c.yTrue, c.yPred, 9), c.within9, `${c.name} within9`);
    const all = regressionMetrics(Float32Array.from(c.yTrue), c.yPred);
    assert.equal(all.within[4], c.within4);
  }
});

test('hand-worked regression example', () => {
  // y = [30, 40, 50], ŷ = [34, 40, 41]: errors 4, 0, −9. MAE = 13/3, RMSE = sqrt(97/3),
  // SSres = 97, SStot = 200 → R² = 1 − 97/200 = 0.515; within 4: 2/3 (boundary counts), within 9: 1.
  assert.equal(r2Score([30, 40, 50], [34, 40, 41]), 0.515);
  assert.equal(meanAbsoluteError([30, 40, 50], [34, 40, 41]), 13 / 3);
  assert.equal(rootMeanSquaredError([30, 40, 50], [34, 40, 41]), Math.sqrt(97 / 3));
  assert.equal(withinYears([30, 40, 50], [34, 40, 41], 4), 2 / 3);
  assert.equal(withinYears([30, 40, 50], [34, 40, 41], 9), 1);
});

test('regression edge cases: constant truth and n < 2 give NaN with a warning; bad input is a typed error', async () => {
  const warnings: string[] = [];
  const onWarn = (w: Error) => {
    if (w.name === METRICS_WARNING) warnings.push(w.message);
  };
  process.on('warning', onWarn);
  assert.ok(Number.isNaN(r2Score([50, 50, 50], [49, 50, 51])));
  assert.ok(Number.isNaN(r2Score([50], [49])));
  assert.equal(r2Score([50, 50], [50, 50], { forceFinite: true }), 1); // sklearn's force_finite default
  assert.equal(r2Score([50, 50], [49, 50], { forceFinite: true }), 0);
  await new Promise((r) => setImmediate(r));
  process.off('warning', onWarn);
  assert.equal(warnings.length, 2, warnings.join('\n'));
  assert.match(warnings[0]!, /METRICS_R2_UNDEFINED/);
  assert.throws(
    () => meanAbsoluteError([1, 2], [1]),
    (e) => isCxrkitError(e, 'METRICS_LENGTH_MISMATCH'),
  );
  assert.throws(
    () => rootMeanSquaredError([], []),
    (e) => isCxrkitError(e, 'METRICS_EMPTY'),
  );
  assert.throws(
    () => r2Score([1, NaN], [1, 2]),
    (e) => isCxrkitError(e, 'METRICS_NAN'),
  );
  assert.throws(
    () => withinYears([1, 2], [1, 2], -1),
    (e) => isCxrkitError(e, 'METRICS_BAD_TOLERANCE'),
  );
});
