// The baseline table on five records whose summaries are worked out by hand.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { baselineCharacteristics, baselineMarkdown, baselineRows } from './baseline-table.js';

test('baseline characteristics: counts, age mean ± sample SD, sex and WHO shares per split', () => {
  const cols = baselineCharacteristics(
    [
      { patientId: 'a', split: 'train', age: 60, sex: 'F', who: 'osteoporosis' },
      { patientId: 'a', split: 'train', age: 62, sex: 'F', who: 'osteoporosis' },
      { patientId: 'b', split: 'train', age: 70, sex: 'M', who: 'normal' },
      { patientId: 'c', split: 'test', age: 55, sex: 'F', who: 'osteopenia' },
      { patientId: 'd', split: 'test', sex: 'M', who: 'normal' },
    ],
    ['train', 'tune', 'test'],
  );
  assert.deepEqual(
    cols.map((c) => c.name),
    ['train', 'tune', 'test', 'all'],
  );
  const [train, tune, test_, all] = cols;
  assert.equal(train!.images, 3);
  assert.equal(train!.patients, 2);
  // ages 60, 62, 70: mean 64, sample SD sqrt(((−4)² + (−2)² + 6²) / 2) = sqrt(28)
  assert.equal(train!.age.mean, 64);
  assert.ok(Math.abs(train!.age.sd - Math.sqrt(28)) < 1e-12);
  assert.equal(tune!.images, 0);
  assert.ok(Number.isNaN(tune!.age.mean));
  assert.equal(test_!.age.n, 1);
  assert.deepEqual(all!.sex, { F: 3, M: 2, other: 0, unknown: 0 });
  assert.deepEqual(all!.who, { normal: 2, osteopenia: 1, osteoporosis: 2 });
  const rows = baselineRows(cols);
  assert.deepEqual(rows[3], ['age, years (mean ± SD)', '64.0 ± 5.3', '—', '55.0 ± —', '61.8 ± 6.2']);
  assert.deepEqual(rows[4], ['female, n (%)', '2 (66.7 %)', '0', '1 (50.0 %)', '3 (60.0 %)']);
  assert.match(
    baselineMarkdown(cols),
    /\| WHO osteoporosis, n \(%\) \| 2 \(66\.7 %\) \| 0 \| 0 \(0\.0 %\) \| 2 \(40\.0 %\) \|/,
  );
});
