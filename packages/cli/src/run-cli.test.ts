// `cxrkit` in-process (runCli with captured output): the command list, usage errors with "did you mean",
// exit codes, and `inspect` (moved here from @cxrkit/core) against pydicom/numpy's reference values.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot, sharedData } from '../../../test/helpers.js';
import { runCaptured } from './capture-io.js';

const CR = 'torchxrayvision-tests/1.2.276.0.7230010.3.1.4.8323329.6904.1517875201.850819.dcm';
const reference = JSON.parse(readFileSync(join(repoRoot, 'test/fixtures/dicom/reference.json'), 'utf8'));
const shared = sharedData('dicom');
const noData = shared.missing;
const data = (...p: string[]) => shared.path('dicom', ...p);

const run = (...argv: string[]) => runCaptured(argv);

test('cxrkit --help lists the commands; no arguments is a usage error', async () => {
  const h = await run('--help');
  assert.equal(h.code, 0);
  assert.match(h.out, /Usage: cxrkit/);
  for (const c of ['dataset', 'train', 'experiment', 'report', 'evaluate', 'explain', 'export', 'inspect'])
    assert.match(h.out, new RegExp(`\\n  ${c}\\b`));
  assert.match(h.out, /Exit codes: 0 ok, 1 failure/);
  const none = await run();
  assert.equal(none.code, 2);
  assert.match(none.err, /Usage: cxrkit/);
  const sub = await run('inspect', '--help');
  assert.equal(sub.code, 0);
  assert.match(sub.out, /--json/);
  assert.match(sub.out, /Examples:/);
});

test("train, experiment and report run @cxrkit/experiments' commands as `cxrkit …`", async () => {
  const help = await run('experiment', '--help');
  assert.equal(help.code, 0);
  assert.match(help.out, /Usage: cxrkit experiment \[options\] <file>/);
  assert.match(help.out, /--quick/);
  const usage = await run('train', 'part1.yaml');
  assert.equal(usage.code, 2, 'a missing --out is a usage error');
  assert.match(usage.err, /required option '-o, --out <dir>'/);
  const typo = await run('report', '/x', '--jsno');
  assert.equal(typo.code, 2);
  assert.match(typo.err, /Did you mean --json\?/);
  const notStudy = await run('report', repoRoot);
  assert.equal(notStudy.code, 1, 'a folder that is not a study is a typed failure');
  assert.match(notStudy.err, /REPORT_NOT_A_RUN/);
});

test('an unknown command or option suggests the closest one (exit 2)', async () => {
  const r = await run('inspekt', 'x.dcm');
  assert.equal(r.code, 2);
  assert.match(r.err, /unknown command 'inspekt'/);
  assert.match(r.err, /Did you mean inspect\?/);
  const o = await run('inspect', 'x.dcm', '--jsn');
  assert.equal(o.code, 2);
  assert.match(o.err, /unknown option '--jsn'/);
  assert.match(o.err, /Did you mean --json\?/);
  const sub = await run('dataset', 'scna');
  assert.equal(sub.code, 2);
  assert.match(sub.err, /Did you mean scan\?/);
});

test('inspect prints metadata and modality statistics that match pydicom/numpy', { skip: noData }, async () => {
  const r = await run('inspect', data(CR));
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /sex +M/);
  assert.match(r.out, /age \(years\) +62 \(from PatientAge\)/);
  assert.match(r.out, /view position +PA/);
  const j = await run('inspect', data(CR), '--json');
  const d = JSON.parse(j.out);
  assert.equal(d.meta.age, 62);
  assert.equal(d.meta.sex, 'M');
  assert.equal(d.rows, 1024);
  const ref = reference[CR].modality;
  assert.equal(d.modalityStats.min, ref.min);
  assert.equal(d.modalityStats.max, ref.max);
  assert.ok(Math.abs(d.modalityStats.mean - ref.mean) < 1e-9 * ref.mean);
  assert.ok(Math.abs(d.modalityStats.std - ref.std) < 1e-9 * ref.std, `std ${d.modalityStats.std} vs numpy ${ref.std}`);
});

test('inspect on a bad file prints the typed error on stderr and exits 1', { skip: noData }, async () => {
  const r = await run('inspect', data('nema-wg04/README.txt'));
  assert.equal(r.code, 1);
  assert.equal(r.out, '');
  assert.match(r.err, /DICOM_NOT_DICOM/);
  const j = await run('inspect', data('dwv-tests-data/dwv-test_no-number-rows.dcm'), '--json');
  assert.equal(j.code, 1);
  assert.equal(JSON.parse(j.err).error.code, 'DICOM_MISSING_ATTRIBUTE');
  const missing = await run('inspect', join(repoRoot, 'no-such-file.dcm'));
  assert.equal(missing.code, 1);
  assert.match(missing.err, /DICOM_READ_FAILED/);
  const usage = await run('inspect', 'a.dcm', '--frame', '-1');
  assert.equal(usage.code, 2);
  assert.match(usage.err, /CLI_BAD_OPTION: --frame takes an integer/);
});
