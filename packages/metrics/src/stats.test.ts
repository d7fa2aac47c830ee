// Chi-square test of independence, Kruskal–Wallis and the distribution functions against SciPy
// (fixture: test/fixtures/metrics/make_stats.py): p-values to 1e-12.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  chiSquareTest,
  kruskalWallis,
  chiSquareSf,
  normalTwoSidedP,
  normalQuantile,
  normalCdf,
  isCxrkitError,
} from './index.js';

interface ChiRes {
  statistic: number;
  p: number;
  dof: number;
  expected: number[][];
}
const fixture = JSON.parse(
  readFileSync(new URL('../../../test/fixtures/metrics/stats.json', import.meta.url), 'utf8'),
) as {
  chiSquare: { name: string; table: number[][]; corrected: ChiRes; uncorrected: ChiRes }[];
  kruskal: { name: string; groups: number[][]; statistic: number; p: number }[];
  chi2sf: { x: number; dof: number; p: number }[];
  normTwoSided: { z: number; p: number }[];
  normPpf: { p: number; z: number }[];
};
const rel = (a: number, e: number, tol: number, what: string) =>
  assert.ok(Math.abs(a - e) <= tol * Math.max(1, Math.abs(e)), `${what}: ${a} vs scipy ${e}`);

test('chiSquareTest equals scipy.stats.chi2_contingency (Yates for 2×2, dof 0, 3×4, tiny p) to 1e-12', () => {
  assert.ok(fixture.chiSquare.length >= 9);
  for (const c of fixture.chiSquare) {
    for (const [key, correction] of [
      ['corrected', true],
      ['uncorrected', false],
    ] as const) {
      const r = chiSquareTest(c.table, { correction });
      const e = c[key];
      assert.equal(r.dof, e.dof, `${c.name} dof`);
      rel(r.statistic, e.statistic, 1e-12, `${c.name} ${key} statistic`);
      assert.ok(Math.abs(r.p - e.p) <= 1e-12, `${c.name} ${key} p: ${r.p} vs scipy ${e.p}`);
      r.expected.forEach((row, i) =>
        row.forEach((v, j) => rel(v, e.expected[i]![j]!, 1e-12, `${c.name} expected[${i}][${j}]`)),
      );
    }
  }
  // Default is Yates-corrected, like SciPy.
  assert.equal(
    chiSquareTest([
      [12, 5],
      [7, 18],
    ]).statistic,
    fixture.chiSquare[0]!.corrected.statistic,
  );
});

test('kruskalWallis equals scipy.stats.kruskal (with and without ties) to 1e-12', () => {
  assert.ok(fixture.kruskal.length >= 5);
  for (const c of fixture.kruskal) {
    const r = kruskalWallis(c.groups);
    rel(r.statistic, c.statistic, 1e-12, `${c.name} H`);
    assert.ok(Math.abs(r.p - c.p) <= 1e-12, `${c.name} p: ${r.p} vs ${c.p}`);
    assert.equal(r.dof, c.groups.length - 1);
  }
});

test('distribution functions equal scipy chi2.sf / norm.sf / norm.ppf to 1e-12 (ppf: 1e-11 relative in the far tail)', () => {
  for (const c of fixture.chi2sf)
    assert.ok(
      Math.abs(chiSquareSf(c.x, c.dof) - c.p) <= 1e-12 * Math.max(1e-3, c.p) + 1e-15,
      `chi2.sf(${c.x}, ${c.dof})`,
    );
  for (const c of fixture.normTwoSided) {
    assert.ok(Math.abs(normalTwoSidedP(c.z) - c.p) <= 1e-14, `2 norm.sf(|${c.z}|)`);
    assert.ok(Math.abs(2 * normalCdf(-Math.abs(c.z)) - c.p) <= 1e-14, `2 norm.cdf(-|${c.z}|)`);
  }
  for (const c of fixture.normPpf) rel(normalQuantile(c.p), c.z, c.p < 1e-3 ? 1e-11 : 1e-12, `norm.ppf(${c.p})`);
});

test('statistics edge cases are typed errors', () => {
  const code = (fn: () => unknown, c: string) => assert.throws(fn, (e) => isCxrkitError(e, c));
  code(() => chiSquareTest([]), 'METRICS_BAD_TABLE');
  code(() => chiSquareTest([[1, 2], [3]]), 'METRICS_BAD_TABLE');
  code(
    () =>
      chiSquareTest([
        [1, -2],
        [3, 4],
      ]),
    'METRICS_BAD_TABLE',
  );
  code(
    () =>
      chiSquareTest([
        [1, 0],
        [3, 0],
      ]),
    'METRICS_ZERO_EXPECTED',
  );
  code(() => kruskalWallis([[1, 2, 3]]), 'METRICS_TOO_FEW_GROUPS');
  code(() => kruskalWallis([[1, 2], []]), 'METRICS_EMPTY');
  code(
    () =>
      kruskalWallis([
        [1, 2],
        [3, NaN],
      ]),
    'METRICS_NAN',
  );
  code(
    () =>
      kruskalWallis([
        [2, 2],
        [2, 2, 2],
      ]),
    'METRICS_ALL_IDENTICAL',
  );
});
