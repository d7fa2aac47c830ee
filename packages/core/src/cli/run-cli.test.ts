// The cxrkit CLI in-process (captured output) and once as a real process (exit code, stderr).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataDir, repoRoot, sharedData } from '../../../../test/helpers.js';
import { runCli } from './run-cli.js';
import type { CliIo } from './command.js';

const data = sharedData('dicom');
const CR = 'torchxrayvision-tests/1.2.276.0.7230010.3.1.4.8323329.6904.1517875201.850819.dcm';
const reference = JSON.parse(readFileSync(join(repoRoot, 'test/fixtures/dicom/reference.json'), 'utf8'));

async function run(...argv: string[]) {
  let out = '';
  let err = '';
  const io: CliIo = { stdout: (t) => void (out += t), stderr: (t) => void (err += t) };
  const code = await runCli(argv, io);
  return { code, out, err };
}

test('cxrkit --help lists the commands; no arguments is a usage error', async () => {
  const h = await run('--help');
  assert.equal(h.code, 0);
  assert.match(h.out, /usage: cxrkit <command>/);
  assert.match(h.out, /inspect +print a DICOM/);
  const none = await run();
  assert.equal(none.code, 2);
  assert.match(none.err, /usage/);
  const sub = await run('inspect', '--help');
  assert.equal(sub.code, 0);
  assert.match(sub.out, /--json/);
});

test('an unknown command suggests the closest one', async () => {
  const r = await run('inspekt', 'x.dcm');
  assert.equal(r.code, 2);
  assert.match(r.err, /did you mean inspect\?/);
});

test('inspect prints metadata and modality statistics that match pydicom/numpy', { skip: data.missing }, async () => {
  const r = await run('inspect', dataDir('dicom', CR));
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /sex +M/);
  assert.match(r.out, /age \(years\) +62 \(from PatientAge\)/);
  assert.match(r.out, /view position +PA/);
  const j = await run('inspect', dataDir('dicom', CR), '--json');
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

test('inspect on a bad file prints the typed error on stderr and exits 1', { skip: data.missing }, async () => {
  const r = await run('inspect', dataDir('dicom', 'nema-wg04/README.txt'));
  assert.equal(r.code, 1);
  assert.equal(r.out, '');
  assert.match(r.err, /DICOM_NOT_DICOM/);
  const j = await run('inspect', dataDir('dicom', 'dwv-tests-data/dwv-test_no-number-rows.dcm'), '--json');
  assert.equal(j.code, 1);
  assert.equal(JSON.parse(j.err).error.code, 'DICOM_MISSING_ATTRIBUTE');
  const missing = await run('inspect', join(repoRoot, 'no-such-file.dcm'));
  assert.equal(missing.code, 1);
  assert.match(missing.err, /DICOM_READ_FAILED/);
  const usage = await run('inspect', 'a.dcm', '--frame', '-1');
  assert.equal(usage.code, 2);
});

test('the cxrkit executable exits non-zero with the error on stderr', { skip: data.missing }, () => {
  const r = spawnSync(
    process.execPath,
    ['--conditions=cxrkit-source', '--import', 'tsx', join(repoRoot, 'packages/core/src/cli/main.ts'), 'inspect', dataDir('dicom', 'fo-dicom-test-data/GH179B.dcm')],
    { encoding: 'utf8', cwd: repoRoot },
  );
  assert.equal(r.status, 1);
  assert.match(r.stderr, /\[cxrkit\/core\] DICOM_TRUNCATED/);
  assert.equal(r.stdout, '');
});
