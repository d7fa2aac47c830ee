// Wilson intervals against SciPy, DeLong against a hand-worked example and an independent O(m·n)
// transcription of DeLong et al. (1988) on their own ovarian-cancer data (fixture: make_stats.py).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { wilsonInterval, delongCi, delongTest, rocAuc, isCxrkitError } from './index.js';

interface DelongCase {
  name: string;
  yTrue: number[];
  scores: Record<string, number[]>;
  auc: Record<string, number>;
  sklearnAuc: Record<string, number>;
  se: Record<string, number>;
  ci95: Record<string, [number, number]>;
  tests: { a: string; b: string; difference: number; se: number; z: number; p: number }[];
}
const fixture = JSON.parse(
  readFileSync(new URL('../../../test/fixtures/metrics/stats.json', import.meta.url), 'utf8'),
) as {
  wilson: { k: number; n: number; level: number; lower: number; upper: number }[];
  delong: DelongCase[];
};
const near = (a: number, e: number, tol: number, what: string) =>
  assert.ok(Math.abs(a - e) <= tol, `${what}: ${a} vs ${e}`);

test('wilsonInterval equals scipy binomtest(...).proportion_ci(method="wilson") to 1e-12', () => {
  assert.ok(fixture.wilson.length >= 8);
  for (const c of fixture.wilson) {
    const [lo, hi] = wilsonInterval(c.k, c.n, c.level);
    near(lo, c.lower, 1e-12, `wilson(${c.k}, ${c.n}, ${c.level}) lower`);
    near(hi, c.upper, 1e-12, `wilson(${c.k}, ${c.n}, ${c.level}) upper`);
  }
  assert.throws(
    () => wilsonInterval(3, 0),
    (e) => isCxrkitError(e, 'METRICS_BAD_COUNTS'),
  );
  assert.throws(
    () => wilsonInterval(5, 4),
    (e) => isCxrkitError(e, 'METRICS_BAD_COUNTS'),
  );
  assert.throws(
    () => wilsonInterval(1, 4, 95),
    (e) => isCxrkitError(e, 'METRICS_BAD_LEVEL'),
  );
});

test('DeLong, hand-worked (DeLong et al. 1988 structural components, 3 positives / 2 negatives)', () => {
  // Model A: positives X = 0.9, 0.6, 0.4; negatives Y = 0.5, 0.3.
  //   psi(X_i, Y_j): 0.9 → (1, 1), 0.6 → (1, 1), 0.4 → (0, 1).
  //   V10 = (1, 1, 1/2), V01 = (2/3, 1); AUC = mean V10 = 5/6.
  //   S10 = var(V10) = ((1/6)² + (1/6)² + (1/3)²) / 2 = 1/12; S01 = var(V01) = 2 (1/6)² / 1 = 1/18.
  //   Var(AUC) = S10/3 + S01/2 = 1/36 + 1/36 = 1/18.
  // Model B: positives 0.8, 0.5, 0.7; negatives 0.5, 0.1 (one tie, counted 1/2).
  //   V10 = (1, 3/4, 1), V01 = (5/6, 1); AUC = 11/12; S10 = 1/48, S01 = 1/72; Var = 1/144 + 1/144 = 1/72.
  //   Cov10 = ((1/6)(1/12) + (1/6)(−1/6) + (−1/3)(1/12)) / 2 = −1/48; Cov01 = 2 (1/6)(1/12) / 1 = 1/36.
  //   Cov(A, B) = −1/48/3 + 1/36/2 = 1/144. Var(A − B) = 1/18 + 1/72 − 2/144 = 1/18.
  //   z = (5/6 − 11/12) / sqrt(1/18) = −sqrt(18)/12 = −0.3536; p = erfc(|z|/√2) = erfc(1/4) = 0.7236736098317631.
  const y = [1, 1, 1, 0, 0];
  const a = [0.9, 0.6, 0.4, 0.5, 0.3];
  const b = [0.8, 0.5, 0.7, 0.5, 0.1];
  const ciA = delongCi(y, a);
  near(ciA.auc, 5 / 6, 1e-15, 'AUC A');
  near(ciA.se, Math.sqrt(1 / 18), 1e-15, 'SE A');
  near(ciA.lower, 5 / 6 - 1.959963984540054 * Math.sqrt(1 / 18), 1e-12, 'lower A');
  assert.equal(ciA.upper, 1); // clipped
  near(delongCi(y, b).se, Math.sqrt(1 / 72), 1e-15, 'SE B');
  const t = delongTest(y, a, b);
  near(t.difference, 5 / 6 - 11 / 12, 1e-15, 'difference');
  near(t.se, Math.sqrt(1 / 18), 1e-15, 'SE of difference');
  near(t.z, -Math.sqrt(18) / 12, 1e-14, 'z');
  near(t.p, 0.7236736098317631, 1e-14, 'p = erfc(1/4)');
  near(t.correlation, 1 / 144 / Math.sqrt((1 / 18) * (1 / 72)), 1e-14, 'correlation');
});

test('DeLong CI, SE and test equal an independent O(m·n) DeLong (1988) transcription to 1e-12, incl. their ovarian-cancer data', () => {
  assert.equal(fixture.delong[0]!.name, 'delong1988-ovarian');
  for (const c of fixture.delong) {
    for (const [k, s] of Object.entries(c.scores)) {
      const ci = delongCi(c.yTrue, s);
      near(ci.auc, c.auc[k]!, 1e-12, `${c.name} ${k} AUC`);
      near(rocAuc(c.yTrue, s), c.sklearnAuc[k]!, 1e-12, `${c.name} ${k} sklearn AUC`);
      near(ci.se, c.se[k]!, 1e-12, `${c.name} ${k} SE`);
      near(ci.lower, c.ci95[k]![0], 1e-12, `${c.name} ${k} lower`);
      near(ci.upper, c.ci95[k]![1], 1e-12, `${c.name} ${k} upper`);
    }
    for (const e of c.tests) {
      const t = delongTest(c.yTrue, c.scores[e.a]!, c.scores[e.b]!);
      near(t.difference, e.difference, 1e-12, `${c.name} ${e.a}−${e.b} difference`);
      near(t.se, e.se, 1e-12, `${c.name} ${e.a}−${e.b} SE`);
      near(t.z, e.z, 1e-10, `${c.name} ${e.a}−${e.b} z`);
      near(t.p, e.p, 1e-12, `${c.name} ${e.a}−${e.b} p`);
    }
  }
  // DeLong et al. (1988) data: albumin 0.7366, total protein 0.6478, K-G score 0.7258 (AUCs to 4 decimals).
  const ov = fixture.delong[0]!;
  assert.deepEqual(
    Object.fromEntries(Object.entries(ov.scores).map(([k, s]) => [k, Math.round(rocAuc(ov.yTrue, s) * 1e4) / 1e4])),
    { alb: 0.7366, tp: 0.6478, kg: 0.7258 },
  );
});

test('DeLong edge cases: identical models (p = 1, warning), too few cases (NaN, warning), typed errors', () => {
  const y = [0, 0, 1, 1, 0, 1];
  const s = [0.1, 0.4, 0.35, 0.8, 0.2, 0.9];
  const same = delongTest(y, s, s);
  assert.equal(same.p, 1);
  assert.equal(same.z, 0);
  const monotone = delongTest(
    y,
    s,
    s.map((v) => 10 * v - 3),
  ); // same ranking
  assert.equal(monotone.p, 1);
  assert.ok(Number.isNaN(delongCi([1, 0, 0], [0.9, 0.1, 0.2]).se)); // one positive
  assert.throws(
    () => delongCi([1, 1], [0.2, 0.3]),
    (e) => isCxrkitError(e, 'METRICS_ONE_CLASS'),
  );
  assert.throws(
    () => delongTest(y, s, s.slice(1)),
    (e) => isCxrkitError(e, 'METRICS_LENGTH_MISMATCH'),
  );
  assert.throws(
    () => delongCi(y, s, 1.5),
    (e) => isCxrkitError(e, 'METRICS_BAD_LEVEL'),
  );
});
