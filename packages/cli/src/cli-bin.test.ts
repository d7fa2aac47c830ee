// `cxrkit` as users run it: the committed launcher (packages/cli/bin/cxrkit.mjs) in a child process, and
// `npx cxrkit` from the repository root (the bin npm links into node_modules/.bin). On a synthetic
// cohort with every exclusion planted (exact counts per reason), on the shared DICOMs (164 files, broken
// ones included), and on every bad input a user can type, each with its exit code and a named fix.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { repoRoot, sharedData } from '../../../test/helpers.js';
import { type SyntheticCohort, writeSyntheticCohort } from '../../../test/synthetic-cohort.js';

const bin = join(repoRoot, 'packages', 'cli', 'bin', 'cxrkit.mjs');
const shared = sharedData('dicom');
const dicomRoot = shared.path('dicom');
const noSharedData = shared.missing;

/** Runs the real executable; CXRKIT_CLI_SOURCE pins the sources even if someone built dist/. */
function cxrkit(args: string[], cwd = repoRoot) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, CXRKIT_CLI_SOURCE: '1' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const csv = async (p: string) => parse(await readFile(p, 'utf8'), { columns: true }) as Record<string, string>[];
const byCode = (rows: Record<string, string>[]) => {
  const c: Record<string, number> = {};
  for (const r of rows) c[r.code!] = (c[r.code!] ?? 0) + 1;
  return c;
};

let root: string;
let cohort: SyntheticCohort;
const scanArgs = () => [
  'dataset',
  'scan',
  cohort.dir,
  '--labels',
  cohort.labels,
  '--key',
  'mrn=PatientID',
  '--tscore',
  'ls_t,fn_t,th_t',
];

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'cxrkit-cli-'));
  cohort = await writeSyntheticCohort(root, { patients: 20, size: 64, seed: 3 });
});
after(() => rm(root, { recursive: true, force: true }));

test('npx cxrkit --help from the repository root runs the local bin and lists the commands', () => {
  const r = spawnSync('npx', ['--no-install', 'cxrkit', '--help'], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, CXRKIT_CLI_SOURCE: '1' },
  });
  assert.equal(r.status, 0, r.stderr);
  for (const c of ['dataset', 'evaluate', 'explain', 'export', 'inspect'])
    assert.match(r.stdout, new RegExp(`\\n  ${c}\\b`), c);
  assert.match(r.stdout, /Exit codes: 0 ok/);
});

test('the executable prints a typed error on stderr, nothing on stdout, and exits 1', { skip: noSharedData }, () => {
  const r = cxrkit(['inspect', join(dicomRoot, 'fo-dicom-test-data/GH179B.dcm')]);
  assert.equal(r.code, 1);
  assert.match(r.err, /\[cxrkit\/core\] DICOM_TRUNCATED/);
  assert.equal(r.out, '');
});

test('dataset scan on the synthetic cohort: exact counts per reason, in files and on stdout', async () => {
  const out = join(root, 'scan');
  const r = cxrkit([...scanArgs(), '--out', out, '--workers', '2']);
  assert.equal(r.code, 0, r.err);
  const manifest = await csv(join(out, 'manifest.csv'));
  const exclusions = await csv(join(out, 'exclusions.csv'));
  assert.equal(manifest.length, cohort.included);
  assert.deepEqual(byCode(exclusions), cohort.byCode);
  assert.equal(new Set(manifest.map((m) => m.patient_id)).size, cohort.patients);
  for (const m of manifest) assert.equal(m.who, cohort.truth.get(m.patient_id!)!.who);
  // paths are relative to the output folder
  assert.deepEqual(manifest.map((m) => join(out, m.path!)).sort(), [...cohort.includedPaths].sort());
  assert.match(
    r.out,
    new RegExp(`${cohort.files} file\\(s\\).*${cohort.included} included \\(${cohort.patients} patients\\)`),
  );
  assert.match(r.out, /\| images, n \|/);
  for (const f of ['summary.json', 'baseline.csv', 'baseline.md', 'baseline.html'])
    assert.ok(existsSync(join(out, f)), f);
  // no patient identifier is printed
  for (const id of cohort.truth.keys()) assert.ok(!r.out.includes(id) && !r.err.includes(id), `${id} printed`);
  // progress: plain lines on a pipe
  assert.match(r.err, /scan: read \d+\/\d+ \(100 %\)/);
});

test('dataset scan --json prints summary.json; --cache writes one file per included image', async () => {
  const out = join(root, 'scan-json');
  const r = cxrkit([...scanArgs(), '--out', out, '--json', '--quiet', '--cache', '48', '--cache-dtype', 'float16']);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.err, '');
  const summary = JSON.parse(r.out);
  assert.equal(summary.counts.included, cohort.included);
  assert.deepEqual(summary.counts.byCode, cohort.byCode);
  assert.deepEqual(summary.settings.cache.shape, [48, 48, 1]);
  const [specDir] = readdirSync(join(out, 'cache'));
  const files = readdirSync(join(out, 'cache', specDir!));
  assert.equal(files.filter((f) => f.endsWith('.f16')).length, cohort.included);
  assert.ok(files.includes('cache.json'));
});

test('bad input: each a typed error naming the field, the value and the fix, with its exit code', async () => {
  const out = join(root, 'bad');
  const unknown = cxrkit([...scanArgs(), '--out', out, '--min-aeg', '40']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.err, /unknown option '--min-aeg'/);
  assert.match(unknown.err, /Did you mean --min-age\?/);
  const keyword = cxrkit([
    'dataset',
    'scan',
    cohort.dir,
    '--labels',
    cohort.labels,
    '--key',
    'mrn=PatientId',
    '--out',
    out,
  ]);
  assert.equal(keyword.code, 2);
  assert.match(
    keyword.err,
    /SCAN_BAD_KEY: "PatientId" .* did you mean PatientID\? \(received: "mrn=PatientId"\) Fix: /,
  );
  const column = cxrkit([
    'dataset',
    'scan',
    cohort.dir,
    '--labels',
    cohort.labels,
    '--key',
    'mnr=PatientID',
    '--out',
    out,
  ]);
  assert.equal(column.code, 2);
  assert.match(
    column.err,
    /LABELS_UNKNOWN_COLUMN: --key names the column "mnr", .* did you mean "mrn"\?.*Fix: use one of its columns: mrn, ls_t, fn_t, th_t, bmi/,
  );
  const tcol = cxrkit([...scanArgs().slice(0, -1), 'ls_t,fn,th_t', '--out', out]);
  assert.equal(tcol.code, 2);
  assert.match(tcol.err, /--tscore names the column "fn"/);
  assert.ok(!existsSync(out), 'nothing written when the options are wrong');
  const badT = join(root, 'bad-t.csv');
  await writeFile(badT, 'mrn,ls_t\nP00000,-2.7\nP00001,osteo\n');
  const tscore = cxrkit([
    'dataset',
    'scan',
    cohort.dir,
    '--labels',
    badT,
    '--key',
    'mrn=PatientID',
    '--tscore',
    'ls_t',
    '--out',
    out,
  ]);
  assert.equal(tscore.code, 1);
  assert.match(tscore.err, /LABELS_BAD_TSCORE: .*row 2 ls_t="osteo".*Fix: write T-scores as numbers/);
  const noDicom = join(root, 'no-dicom');
  await mkdir(noDicom, { recursive: true });
  await writeFile(join(noDicom, 'readme.txt'), 'nothing to see');
  const empty = cxrkit([
    'dataset',
    'scan',
    noDicom,
    '--labels',
    cohort.labels,
    '--key',
    'mrn=PatientID',
    '--out',
    out,
    '--quiet',
  ]);
  assert.equal(empty.code, 1);
  assert.match(empty.err, /SCAN_NO_DICOM: none of the 1 file\(s\) .*DICOM_NOT_DICOM/);
  const split = cxrkit([...scanArgs(), '--out', out, '--split', '70/10/10']);
  assert.equal(split.code, 2);
  assert.match(split.err, /CLI_BAD_OPTION: --split takes percentages summing to 100.*received: "70\/10\/10"/);
  const workers = cxrkit([...scanArgs(), '--out', out, '--workers', 'two']);
  assert.equal(workers.code, 2);
  assert.match(workers.err, /--workers takes an integer/);
  const json = cxrkit([...scanArgs().slice(0, 6), 'mrn=Patient', '--out', out, '--json']);
  assert.equal(JSON.parse(json.err).error.code, 'SCAN_BAD_KEY');
});

test('nothing a user wrote is overwritten without --force (exit 3); --force replaces only the scan files', async () => {
  const out = join(root, 'mine');
  await mkdir(out, { recursive: true });
  await writeFile(join(out, 'manifest.csv'), 'my own manifest');
  await writeFile(join(out, 'notes.md'), 'my notes');
  const refused = cxrkit([...scanArgs(), '--out', out, '--quiet']);
  assert.equal(refused.code, 3);
  assert.match(refused.err, /OUTPUT_NOT_EMPTY: the output folder already holds 2 file\(s\).*Fix: .*--force/);
  assert.equal(await readFile(join(out, 'manifest.csv'), 'utf8'), 'my own manifest');
  const forced = cxrkit([...scanArgs(), '--out', out, '--quiet', '--force']);
  assert.equal(forced.code, 0, forced.err);
  assert.equal(await readFile(join(out, 'notes.md'), 'utf8'), 'my notes');
  assert.equal((await csv(join(out, 'manifest.csv'))).length, cohort.included);
});

test('dataset scan on the shared DICOMs: every file accounted for, broken ones excluded with their code', {
  skip: noSharedData,
}, async () => {
  // Two real chest radiographs labelled by SOP Instance UID (their file names), and a row for no image.
  const labels = join(root, 'shared-labels.csv');
  const txv = '1.2.276.0.7230010.3.1.4.8323329.6904.1517875201.850819';
  const nccid = '1.3.6.1.4.1.11129.5.5.110503645592756492463169821050252582267888';
  await writeFile(labels, `uid,ls_t,fn_t\n${txv},-2.8,-1.9\n${nccid},-0.5,0.3\n1.2.3.4.5,-1.0,\n`);
  const out = join(root, 'shared');
  const r = cxrkit([
    'dataset',
    'scan',
    dicomRoot,
    '--labels',
    labels,
    '--key',
    'uid=SOPInstanceUID',
    '--tscore',
    'ls_t,fn_t',
    '--out',
    out,
    '--quiet',
  ]);
  assert.equal(r.code, 0, r.err);
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name.startsWith('.')) continue;
      if (e.isDirectory()) walk(join(d, e.name));
      else files.push(join(d, e.name));
    }
  };
  walk(dicomRoot);
  assert.equal(files.length, 164, 'the shared data README counts 164 files');
  const manifest = await csv(join(out, 'manifest.csv'));
  const exclusions = await csv(join(out, 'exclusions.csv'));
  const rel = (p: string) => relative(dicomRoot, p.startsWith('/') ? p : join(out, p));
  const fileRows = exclusions.filter((x) => x.path !== '');
  assert.equal(manifest.length + fileRows.length, 164);
  assert.deepEqual(
    [...manifest.map((m) => rel(m.path!)), ...fileRows.map((x) => rel(x.path!))].sort(),
    files.map((f) => relative(dicomRoot, f)).sort(),
  );
  const codeOf = (p: string) => fileRows.find((x) => rel(x.path!) === p)?.code;
  // the torchxrayvision CR: PA, 62 years, labelled → included, osteoporosis (lowest −2.8)
  assert.equal(manifest.length, 1);
  assert.equal(rel(manifest[0]!.path!), `torchxrayvision-tests/${txv}.dcm`);
  assert.equal(manifest[0]!.who, 'osteoporosis');
  assert.equal(manifest[0]!.age, '62');
  // the same file tagged MONOCHROME1 (same SOP Instance UID, the data README says) → duplicate
  assert.equal(codeOf('torchxrayvision-tests/Fake_MONOHR1.dcm'), 'DUPLICATE_IMAGE');
  // NCCID DX: no View Position (pydicom reads none) → not PA, though labelled
  assert.equal(codeOf(`nhsx-nccid-testdata/${nccid}.dcm`), 'VIEW_NOT_ALLOWED');
  // NEMA RG3 (CR, AP): lossless versions decode to identical pixels (README) → one kept, the others duplicates
  const rg3 = ['RG3_JPLL', 'RG3_JLSL', 'RG3_J2KR', 'RG3_RLE'].map((f) => codeOf(`nema-wg04/${f}`));
  assert.equal(rg3.filter((c) => c === 'DUPLICATE_IMAGE').length, 3, JSON.stringify(rg3));
  assert.equal(rg3.filter((c) => c === 'VIEW_NOT_ALLOWED').length, 1);
  assert.equal(codeOf('nema-wg04/README.txt'), 'DICOM_NOT_DICOM');
  assert.equal(codeOf('dwv-tests-data/dwv-test_no-number-rows.dcm'), 'DICOM_MISSING_ATTRIBUTE');
  assert.equal(codeOf('fo-dicom-test-data/GH179B.dcm'), 'DICOM_TRUNCATED');
  const labelRows = exclusions.filter((x) => x.code === 'LABEL_WITHOUT_IMAGE');
  assert.deepEqual(
    labelRows.map((x) => x.row),
    ['3'],
  );
  const unreadable = fileRows.filter((x) => x.code.startsWith('DICOM_'));
  for (const x of unreadable)
    assert.match(x.reason, /^\[cxrkit\/core\] DICOM_\w+: .*Fix: /, 'the reader’s message with its fix');
});
