// `cxrkit --help`, usage errors and a whole `dataset scan` (with the pixel cache) load no TensorFlow.js:
// run in a child Node whose module hooks make every @tensorflow/* package unresolvable.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { importWithBlocked } from '../../../test/fixtures/no-tfjs/import-blocked.js';
import { type SyntheticCohort, writeSyntheticCohort } from '../../../test/synthetic-cohort.js';

let root: string;
let cohort: SyntheticCohort;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'cxrkit-cli-notfjs-'));
  cohort = await writeSyntheticCohort(root, { patients: 6, size: 48 });
});
after(() => rm(root, { recursive: true, force: true }));

/** runCli(args) in the blocked child; resolves to its exit code and output. */
function runBlocked(args: string[]) {
  const expression = `(async () => {
    let out = '';
    const io = { stdout: (t) => { out += t; }, stderr: (t) => { out += t; }, isTTY: false };
    const code = await m.runCli(${JSON.stringify(args)}, io);
    return { code, out };
  })()`;
  const r = importWithBlocked('@cxrkit/cli', expression);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { code: number; out: string };
}

test('help, usage errors and a dataset scan with its cache run with every @tensorflow package missing', () => {
  const help = runBlocked(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.out, /evaluate/);
  assert.equal(runBlocked(['evaluate', '--help']).code, 0);
  assert.equal(runBlocked(['explain', 'm', 'x', '--out', 'o', '--bogus']).code, 2);
  const out = join(root, 'scan');
  const scan = runBlocked([
    ...['dataset', 'scan', cohort.dir, '--labels', cohort.labels, '--key', 'mrn=PatientID', '--tscore', 'ls_t,fn_t'],
    ...['--out', out, '--workers', '0', '--cache', '48', '--json', '--quiet'],
  ]);
  assert.equal(scan.code, 0, scan.out);
  assert.equal(JSON.parse(scan.out).counts.included, cohort.included);
});
