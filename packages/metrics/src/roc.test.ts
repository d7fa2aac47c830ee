// ROC AUC and ROC curve against scikit-learn (fixture: test/fixtures/metrics/make_roc_regression.py).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { rocAuc, rocCurve, isCxrkitError } from './index.js';

interface BinaryCase {
  name: string;
  yTrue: number[];
  yScore: number[];
  auc: number;
  roc: { fpr: number[]; tpr: number[]; thresholds: (number | null)[] };
  rocDropped: { fpr: number[]; tpr: number[]; thresholds: (number | null)[] };
}
const fixture = JSON.parse(
  readFileSync(new URL('../../../test/fixtures/metrics/roc-regression.json', import.meta.url), 'utf8'),
) as { binary: BinaryCase[] };

function close(actual: readonly number[], expected: readonly (number | null)[], tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    const e = expected[i] === null ? Infinity : expected[i]!;
    if (e === Infinity) assert.equal(actual[i], Infinity, `${what}[${i}]`);
    else assert.ok(Math.abs(actual[i]! - e) <= tol, `${what}[${i}]: ${actual[i]} vs sklearn ${e}`);
  }
}

test('rocAuc equals sklearn roc_auc_score to 1e-12 (ties, imbalance, perfect, inverted, constant)', () => {
  assert.ok(fixture.binary.length >= 7);
  for (const c of fixture.binary) {
    const auc = rocAuc(c.yTrue, c.yScore);
    assert.ok(Math.abs(auc - c.auc) <= 1e-12, `${c.name}: ${auc} vs sklearn ${c.auc}`);
    // Typed arrays and booleans give the same answer.
    assert.equal(rocAuc(Uint8Array.from(c.yTrue), Float64Array.from(c.yScore)), auc);
    assert.equal(
      rocAuc(
        c.yTrue.map((v) => v === 1),
        c.yScore,
      ),
      auc,
    );
  }
});

test('rocAuc of the scikit-learn documentation example is 0.75 (hand count: 3 of 4 pairs ordered)', () => {
  assert.equal(rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), 0.75);
  // One tie between a positive and a negative counts one half: pairs (p=0.5 vs n=0.5) = 0.5, (p=0.9 vs n=0.5) = 1.
  assert.equal(rocAuc([0, 1, 1], [0.5, 0.5, 0.9]), 0.75);
});

test('rocCurve equals sklearn roc_curve, with and without drop_intermediate', () => {
  for (const c of fixture.binary) {
    const full = rocCurve(c.yTrue, c.yScore);
    close(full.fpr, c.roc.fpr, 1e-12, `${c.name} fpr`);
    close(full.tpr, c.roc.tpr, 1e-12, `${c.name} tpr`);
    close(full.thresholds, c.roc.thresholds, 0, `${c.name} thresholds`);
    const dropped = rocCurve(c.yTrue, c.yScore, { dropIntermediate: true });
    close(dropped.fpr, c.rocDropped.fpr, 1e-12, `${c.name} fpr (dropped)`);
    close(dropped.tpr, c.rocDropped.tpr, 1e-12, `${c.name} tpr (dropped)`);
    close(dropped.thresholds, c.rocDropped.thresholds, 0, `${c.name} thresholds (dropped)`);
  }
});

test('ROC inputs: one class, empty, NaN, length mismatch, non-binary labels are typed errors', () => {
  const code = (fn: () => unknown, c: string) =>
    assert.throws(fn, (e: unknown) => isCxrkitError(e, c) && (e as Error).message.startsWith(`[cxrkit/metrics] ${c}:`));
  code(() => rocAuc([1, 1, 1], [0.2, 0.3, 0.4]), 'METRICS_ONE_CLASS');
  code(() => rocCurve([0, 0], [0.2, 0.3]), 'METRICS_ONE_CLASS');
  code(() => rocAuc([], []), 'METRICS_EMPTY');
  code(() => rocAuc([0, 1], [0.2, NaN]), 'METRICS_NAN');
  code(() => rocAuc([0, 1], [0.2, Infinity]), 'METRICS_NAN');
  code(() => rocAuc([0, 1, 1], [0.2, 0.4]), 'METRICS_LENGTH_MISMATCH');
  code(() => rocAuc([0, 2], [0.2, 0.4]), 'METRICS_NOT_BINARY');
  code(() => rocAuc('01' as unknown as number[], [0.2, 0.4]), 'METRICS_NOT_ARRAY');
  // A raw buffer (not a typed-array view of it) is named by its size, as @cxrkit/core's errors do.
  assert.throws(
    () => rocAuc(new ArrayBuffer(16) as unknown as number[], [0.2, 0.4]),
    (e: unknown) =>
      isCxrkitError(e, 'METRICS_NOT_ARRAY') && /\(received: ArrayBuffer\(16\)\)/.test((e as Error).message),
  );
});
