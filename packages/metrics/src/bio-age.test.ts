// Biological-age analysis against numpy/SciPy on a synthetic cohort (fixture: make_bio_age.py).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  ageGap,
  ageGapGroups,
  biologicalAgeAnalysis,
  regressionBySubgroup,
  chiSquareTest,
  AGE_GAP_GROUPS,
  isCxrkitError,
} from './index.js';

interface Cat {
  categories: string[];
  table: number[][];
  statistic: number;
  p: number;
  dof: number;
  nMissing: number;
}
interface Cont {
  statistic: number;
  p: number;
  nMissing: number;
  mean: number[];
  median: number[];
  sd: number[];
  q1: number[];
  q3: number[];
  n: number[];
}
type Reg = { r2: number; mae: number; rmse: number; within4: number; within9: number };
const fx = JSON.parse(
  readFileSync(new URL('../../../test/fixtures/metrics/bio-age.json', import.meta.url), 'utf8'),
) as {
  chronological: number[];
  predicted: number[];
  sex: string[];
  bmd: string[];
  medication: (boolean | null)[];
  lumbarT: (number | null)[];
  group: string[];
  sizes: Record<string, number>;
  categorical: Record<string, Cat>;
  continuous: Record<string, Cont>;
  regression: Record<'overall' | 'F' | 'M', Reg>;
};
const near = (a: number, e: number, tol: number, what: string) =>
  assert.ok(Math.abs(a - e) <= tol * Math.max(1, Math.abs(e)), `${what}: ${a} vs ${e}`);

test('age-gap groups match numpy (gap ≥ +5 older, ≤ −5 younger, boundaries included)', () => {
  assert.deepEqual(ageGapGroups(fx.chronological, fx.predicted), fx.group);
  assert.deepEqual(ageGapGroups([50, 60, 70, 45], [55, 55, 74.5, 45.5]), ['older', 'younger', 'well', 'well']);
  assert.deepEqual(Array.from(ageGap([50, 60], [55, 52.5])), [5, -7.5]);
  assert.deepEqual(ageGapGroups([50, 60], [53, 57], 2), ['older', 'younger']); // configurable threshold
  assert.throws(
    () => ageGapGroups([50], [55], -1),
    (e) => isCxrkitError(e, 'METRICS_BAD_OPTION'),
  );
});

test('biologicalAgeAnalysis: group sizes, chi-square and Kruskal–Wallis p-values equal SciPy to 1e-12', () => {
  const r = biologicalAgeAnalysis({
    chronological: fx.chronological,
    predicted: fx.predicted,
    categorical: { sex: fx.sex, bmd: fx.bmd, medication: fx.medication },
    continuous: { lumbarT: fx.lumbarT },
  });
  assert.deepEqual(r.sizes, fx.sizes);
  for (const [name, e] of Object.entries(fx.categorical)) {
    const c = r.categorical[name]!;
    assert.deepEqual(c.categories, e.categories, `${name} categories`);
    assert.deepEqual(
      AGE_GAP_GROUPS.map((g) => c.categories.map((k) => c.counts[g][k])),
      e.table,
      `${name} table`,
    );
    assert.equal(c.nMissing, e.nMissing);
    assert.equal(c.test.dof, e.dof);
    near(c.test.statistic, e.statistic, 1e-12, `${name} chi2`);
    assert.ok(Math.abs(c.test.p - e.p) <= 1e-12, `${name} p ${c.test.p} vs ${e.p}`);
    const pct = c.percents.older;
    near(
      Object.values(pct).reduce((a, b) => a + b, 0),
      100,
      1e-12,
      'percents sum to 100',
    );
  }
  const lt = r.continuous.lumbarT!;
  const e = fx.continuous.lumbarT!;
  assert.equal(lt.nMissing, e.nMissing);
  near(lt.test.statistic, e.statistic, 1e-12, 'Kruskal H');
  assert.ok(Math.abs(lt.test.p - e.p) <= 1e-12, 'Kruskal p');
  AGE_GAP_GROUPS.forEach((g, i) => {
    const s = lt.summary[g];
    assert.equal(s.n, e.n[i]);
    for (const k of ['mean', 'median', 'sd', 'q1', 'q3'] as const) near(s[k], e[k][i]!, 1e-12, `${g} ${k}`);
  });
  near(r.accuracy.r2, fx.regression.overall.r2, 1e-12, 'R² overall');
});

test('regressionBySubgroup (by sex) equals scikit-learn per subgroup', () => {
  const r = regressionBySubgroup(fx.chronological, fx.predicted, fx.sex);
  for (const [key, got] of [
    ['overall', r.overall],
    ['F', r.groups.F!],
    ['M', r.groups.M!],
  ] as const) {
    const e = fx.regression[key];
    near(got.r2, e.r2, 1e-12, `${key} r2`);
    near(got.mae, e.mae, 1e-12, `${key} mae`);
    near(got.rmse, e.rmse, 1e-12, `${key} rmse`);
    assert.equal(got.within[4], e.within4);
    assert.equal(got.within[9], e.within9);
  }
  assert.deepEqual(Object.keys(r.groups).sort(), ['F', 'M']);
});

test('thesis Part 1: osteoporosis shares by age-gap group (44.09 / 33.13 / 29.82 % of 499 / 10,907 / 1,566) → chi-square p < 0.001, as reported', () => {
  const sizes = [499, 10907, 1566];
  const shares = [44.09, 33.13, 29.82];
  // 220/499 = 44.09 %, 3,614/10,907 = 33.13 % (3,613 also rounds there), 467/1,566 = 29.82 %.
  const osteo = [220, 3614, 467];
  osteo.forEach((k, i) => assert.equal(Math.round((10000 * k) / sizes[i]!) / 100, shares[i]));
  const table = osteo.map((k, i) => [sizes[i]! - k, k]);
  const r = chiSquareTest(table);
  const stats = JSON.parse(readFileSync(new URL('../../../test/fixtures/metrics/stats.json', import.meta.url), 'utf8'));
  const ref = stats.chiSquare.find((c: { name: string }) => c.name === '3x2-thesis-like');
  assert.deepEqual(ref.table, table);
  assert.ok(Math.abs(r.p - ref.corrected.p) <= 1e-12 && r.dof === 2);
  assert.ok(r.p < 0.001, `p = ${r.p}`);
});
