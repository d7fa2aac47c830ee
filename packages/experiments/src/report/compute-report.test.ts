// The report's numbers against values worked out by hand (not by the code under test), and the
// manifest source of a study (a `cxrkit dataset scan` folder) with its typed errors.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isCxrkitError, writePng } from '@cxrkit/core';
import {
  ageBand,
  baselineTable,
  binarySummary,
  manifestStudyData,
  regressionSummary,
  taskTarget,
} from '@cxrkit/experiments';

test('binarySummary: AUC, confusion counts and Wilson intervals of a 4-case example worked by hand', () => {
  // scores 0.9 (pos), 0.4 (pos), 0.6 (neg), 0.1 (neg); threshold 0.5 → TP 1, FN 1, FP 1, TN 1
  const b = binarySummary([1, 1, 0, 0], [0.9, 0.4, 0.6, 0.1], 0.5);
  assert.deepEqual(b.confusion, { tp: 1, fn: 1, fp: 1, tn: 1 });
  assert.equal(b.auc.value, 0.75); // 3 of the 4 positive–negative pairs ranked right
  assert.equal(b.sensitivity.value, 0.5);
  assert.equal(b.specificity.value, 0.5);
  // Wilson 95 % for 1/2: (p + z²/2n ± z·√(p(1−p)/n + z²/4n²)) / (1 + z²/n), z = 1.959964
  assert.ok(
    Math.abs(b.sensitivity.ci[0] - 0.09453) < 1e-4 && Math.abs(b.sensitivity.ci[1] - 0.90547) < 1e-4,
    `${b.sensitivity.ci}`,
  );
  assert.equal(b.f1, 0.5);
  assert.equal(b.n, 4);
  assert.equal(b.positives, 2);
});

test('regressionSummary: R², MAE and shares within ±4 / ±9 years by hand', () => {
  // truth 40, 50, 60, 70 (mean 55, SS_tot 500); predictions off by 2, −5, 10, 0 → SS_res 129
  const r = regressionSummary([40, 50, 60, 70], [42, 45, 70, 70]);
  assert.ok(Math.abs(r.r2 - (1 - 129 / 500)) < 1e-12);
  assert.equal(r.mae, 17 / 4);
  assert.equal(r.within4, 0.5);
  assert.equal(r.within9, 0.75);
});

test('age bands from cut points', () => {
  assert.deepEqual(
    [49, 50, 64, 65, 90].map((a) => ageBand(a, [50, 65])),
    ['<50', '50–64', '50–64', '≥65', '≥65'],
  );
  assert.equal(ageBand(undefined, [50]), undefined);
});

test('a scan manifest as a study source: splits (valid = tune), labels, baseline table, typed errors', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cxrkit-manifest-'));
  try {
    const img = { data: new Float32Array(16 * 16).map((_, i) => (i % 16) / 15), width: 16, height: 16 };
    await writePng(join(dir, 'a.png'), img);
    const rows = [
      'sop_instance_uid,path,patient_id,age,sex,view,split,who,tscore_min,osteoporosis,bmi',
      '1.1,a.png,P1,61,F,PA,train,osteoporosis,-2.9,1,22',
      '1.2,a.png,P2,55,M,PA,valid,normal,-0.4,0,27',
      '1.3,a.png,P3,72,F,PA,test,,-1.7,,',
    ];
    writeFileSync(join(dir, 'manifest.csv'), `${rows.join('\n')}\n`);
    const data = await manifestStudyData(dir);
    assert.deepEqual(
      data.records.map((r) => r.split),
      ['train', 'tune', 'test'],
    );
    assert.deepEqual(
      data.records.map((r) => r.osteoporosis),
      [1, 0, 0],
      'the third from its T-score (−1.7: osteopenia)',
    );
    assert.equal(data.records[2]!.who, 'osteopenia');
    const sex = { kind: 'binary' as const, label: 'sex', positive: 'M' };
    assert.deepEqual(
      data.records.map((r) => taskTarget(sex, r)),
      [0, 1, 0],
    );
    assert.deepEqual(
      data.records.map((r) => taskTarget({ kind: 'regression', label: 'bmi' }, r)),
      [22, 27, undefined],
    );
    const prepared = await data.prepared(data.records[0]!, 32);
    assert.equal(prepared.width, 32);
    const mean = prepared.data.reduce((s, v) => s + v, 0) / prepared.data.length;
    assert.ok(Math.abs(mean) < 1e-4, 'z-scored');
    const table = baselineTable(data);
    assert.deepEqual(table.rows.find((r) => r.label === 'images')!.values, ['1', '1', '1', '3']);
    assert.deepEqual(table.rows.find((r) => r.label === 'women')!.values, [
      '1 (100.0 %)',
      '0 (0.0 %)',
      '1 (100.0 %)',
      '2 (66.7 %)',
    ]);
    writeFileSync(join(dir, 'bad.csv'), 'sop_instance_uid,path,patient_id,split\n1,a.png,P1,holdout\n');
    await assert.rejects(
      manifestStudyData(join(dir, 'bad.csv')),
      (e) => isCxrkitError(e, 'EXPERIMENT_DATASET_INVALID') && /holdout/.test((e as Error).message),
    );
    await assert.rejects(manifestStudyData(join(dir, 'none')), (e) => isCxrkitError(e, 'EXPERIMENT_DATASET_NOT_FOUND'));
    assert.throws(
      () => taskTarget({ kind: 'binary', label: 'sex' }, data.records[0]!),
      (e) => isCxrkitError(e, 'EXPERIMENT_LABEL_INVALID'),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
