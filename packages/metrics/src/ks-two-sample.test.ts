// ksTwoSample against SciPy's ks_2samp (fixture: test/fixtures/metrics/make-ks.py, integer ages with ties).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ksTwoSample, isCxrkitError } from './index.js';

type KsCase = { a: number[]; b: number[]; statistic: number; pAsymp: number };
const fixture = new URL('../../../test/fixtures/metrics/ks-reference.json', import.meta.url);
const ksRef = JSON.parse(readFileSync(fixture, 'utf8')) as KsCase[];

test('ksTwoSample: D equals SciPy exactly, asymptotic p-value close to SciPy', () => {
  for (const c of ksRef) {
    const r = ksTwoSample(c.a, c.b);
    assert.ok(Math.abs(r.statistic - c.statistic) < 1e-12, `D ${r.statistic} vs ${c.statistic}`);
    assert.ok(Math.abs(r.pValue - c.pAsymp) < 0.02 + 0.1 * c.pAsymp, `p ${r.pValue} vs SciPy ${c.pAsymp}`);
    assert.deepEqual([r.n1, r.n2], [c.a.length, c.b.length]);
    // typed arrays give the same result, and the inputs are not reordered
    const a = Float32Array.from(c.a);
    const before = Array.from(a);
    assert.deepEqual(ksTwoSample(a, Float64Array.from(c.b)), r);
    assert.deepEqual(Array.from(a), before);
  }
});

test('ksTwoSample: typed errors for an empty sample and non-finite values', () => {
  assert.throws(
    () => ksTwoSample([], [1]),
    (e) => isCxrkitError(e, 'STATS_EMPTY_SAMPLE'),
  );
  assert.throws(
    () => ksTwoSample([1, Number.NaN], [1]),
    (e) => isCxrkitError(e, 'METRICS_NAN'),
  );
});
