// Labels files: CSV and TSV, the --key and --tscore checks, and every way a spreadsheet can be wrong,
// each a typed error naming the field, the value and the fix.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isCxrkitError } from '@cxrkit/core';
import { indexLabels, parseLabelKey } from './label-index.js';
import { labelsDelimiter, parseLabelsTable } from './read-labels-table.js';

const throwsCode = (fn: () => unknown, code: string, ...patterns: RegExp[]) =>
  assert.throws(fn, (e: unknown) => {
    assert.ok(isCxrkitError(e, code), `expected ${code}, got ${String(e)}`);
    for (const p of patterns) assert.match((e as Error).message, p);
    assert.match((e as Error).message, /Fix: /);
    return true;
  });

test('parseLabelKey: column=Keyword; a wrong keyword names the value and suggests the right one', () => {
  assert.deepEqual(parseLabelKey('mrn=PatientID'), { column: 'mrn', keyword: 'PatientID' });
  assert.deepEqual(parseLabelKey(' acc = AccessionNumber '), { column: 'acc', keyword: 'AccessionNumber' });
  throwsCode(() => parseLabelKey('mrn=PatientId'), 'SCAN_BAD_KEY', /did you mean PatientID\?/, /"mrn=PatientId"/);
  throwsCode(() => parseLabelKey('mrn'), 'SCAN_BAD_KEY', /<labels column>=<DICOM keyword>/);
  throwsCode(() => parseLabelKey('=PatientID'), 'SCAN_BAD_KEY');
  throwsCode(() => parseLabelKey('uid=StudyInstanceUID'), 'SCAN_BAD_KEY', /PatientID, AccessionNumber, SOPInstanceUID/);
});

test('CSV and TSV: delimiter by extension or by the header line; quoted cells; BOM', () => {
  assert.equal(labelsDelimiter('a.tsv', 'x,y'), '\t');
  assert.equal(labelsDelimiter('a.csv', 'x\ty\tz'), ',');
  assert.equal(labelsDelimiter('a.txt', 'x\ty\tz'), '\t');
  assert.equal(labelsDelimiter('a.txt', 'x,y'), ',');
  const csv = parseLabelsTable('\ufeffmrn,ls_t,note\n"A,1",-2.6," two, words "\n\nB2,,x\n', ',');
  assert.deepEqual(csv.header, ['mrn', 'ls_t', 'note']);
  assert.deepEqual(csv.rows, [
    ['A,1', '-2.6', 'two, words'],
    ['B2', '', 'x'],
  ]);
  const tsv = parseLabelsTable('mrn\tls_t\nA\t-1.1\n', '\t');
  assert.deepEqual(tsv.rows, [['A', '-1.1']]);
  throwsCode(() => parseLabelsTable('mrn,ls_t\nA,1,2\n', ','), 'LABELS_BAD_ROW', /data row 1/);
  throwsCode(() => parseLabelsTable('mrn,mrn\nA,B\n', ','), 'LABELS_DUPLICATE_COLUMN', /"mrn"/);
  throwsCode(() => parseLabelsTable('', ','), 'LABELS_EMPTY');
});

test('indexLabels: unknown columns (did you mean), T-scores that are not numbers, repeated keys', () => {
  const table = parseLabelsTable('mrn,ls_t,fn_t,th_t\nA,-2.6,-1.0,\nB,NA,-0.5,0.2\nC,,,\n,1,1,1\n', ',');
  const index = indexLabels(table, { column: 'mrn', keyword: 'PatientID' }, ['ls_t', 'fn_t', 'th_t']);
  assert.equal(index.rowCount, 4);
  assert.deepEqual(index.byKey.get('A')!.tScores, [-2.6, -1.0, undefined]);
  assert.deepEqual(index.byKey.get('B')!.tScores, [undefined, -0.5, 0.2]);
  assert.deepEqual(index.byKey.get('C')!.tScores, [undefined, undefined, undefined]);
  assert.deepEqual(index.emptyKeyRows, [4]);
  throwsCode(
    () => indexLabels(table, { column: 'mnr', keyword: 'PatientID' }),
    'LABELS_UNKNOWN_COLUMN',
    /--key names the column "mnr"/,
    /did you mean "mrn"\?/,
  );
  throwsCode(
    () => indexLabels(table, { column: 'mrn', keyword: 'PatientID' }, ['ls_t', 'fnt']),
    'LABELS_UNKNOWN_COLUMN',
    /--tscore names the column "fnt"/,
    /did you mean "fn_t"\?/,
  );
  // a European decimal comma in a CSV splits the cell: the row is refused with its number
  throwsCode(() => parseLabelsTable('mrn,ls_t\nA,-2.6\nB,-2,5\n', ','), 'LABELS_BAD_ROW', /data row 2 .* 3 cells/);
  const comma = parseLabelsTable('mrn\tls_t\nA\t-2,6\nB\tlow\nC\t-25\n', '\t');
  throwsCode(
    () => indexLabels(comma, { column: 'mrn', keyword: 'PatientID' }, ['ls_t']),
    'LABELS_BAD_TSCORE',
    /3 T-score cell\(s\)/,
    /row 1 ls_t="-2,6"/,
    /row 2 ls_t="low"/,
    /row 3 ls_t="-25"/,
  );
  const dup = parseLabelsTable('mrn,ls_t\nA,-1\nB,-2\nA,-3\n', ',');
  assert.throws(
    () => indexLabels(dup, { column: 'mrn', keyword: 'PatientID' }, ['ls_t']),
    (e: unknown) =>
      isCxrkitError(e, 'LABELS_DUPLICATE_KEY') &&
      /rows 1 and 3/.test((e as Error).message) &&
      !/"A"/.test((e as Error).message),
  );
});
