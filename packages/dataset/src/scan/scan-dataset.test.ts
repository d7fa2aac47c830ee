// scanDataset on a synthetic cohort whose every exclusion was planted (test/synthetic-cohort.ts): exact
// counts per reason, WHO classes from the lowest T-score as written in the labels, a patient-level split
// that is seeded and stratified, the same result with and without worker threads, the written files,
// and the pixel cache against the model card's own preprocessing.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { isCxrkitError, readDicom } from '@cxrkit/core';
import { cardImagePixels } from '@cxrkit/models/card';
import { parse } from 'csv-parse/sync';
import { type SyntheticCohort, writeSyntheticCohort } from '../../../../test/synthetic-cohort.js';
import { openPixelCache, readCachedPixels } from '../cache/pixel-cache.js';
import { checkOutputFolder, prepareOutputFolder } from '../output/output-folder.js';
import { writeScanOutputs } from '../output/write-scan-outputs.js';
import { readScanManifest } from '../read-scan-manifest.js';
import { scanDataset, type ScanResult } from './scan-dataset.js';

let root: string;
let cohort: SyntheticCohort;
let inThread: ScanResult;
const T = ['ls_t', 'fn_t', 'th_t'];

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'cxrkit-scan-'));
  cohort = await writeSyntheticCohort(root, { patients: 20, size: 64 });
  inThread = await scanDataset({
    dir: cohort.dir,
    labels: cohort.labels,
    key: 'mrn=PatientID',
    tScoreColumns: T,
    workers: 0,
  });
});
after(() => rm(root, { recursive: true, force: true }));

const counts = (r: ScanResult) => {
  const byCode: Record<string, number> = {};
  for (const x of r.exclusions) byCode[x.code] = (byCode[x.code] ?? 0) + 1;
  return byCode;
};

test('every planted exclusion is found, once, with its code; the rest is included', () => {
  assert.equal(inThread.files, cohort.files);
  assert.equal(inThread.entries.length, cohort.included);
  assert.deepEqual(counts(inThread), cohort.byCode);
  assert.equal(inThread.labelRows, cohort.labelRows);
  assert.deepEqual(inThread.entries.map((e) => e.path).sort(), [...cohort.includedPaths].sort());
  const files = inThread.exclusions.filter((x) => x.path !== '');
  assert.equal(files.length + inThread.entries.length, cohort.files, 'every file is in the manifest or the exclusions');
});

test('WHO class and lowest T-score follow the labels as written (by hand in the cohort)', () => {
  for (const e of inThread.entries) {
    const t = cohort.truth.get(e.patientId)!;
    assert.equal(e.who, t.who, e.patientId);
    assert.equal(e.tScoreMin, Math.min(...t.tScores.filter((v): v is number => v !== undefined)));
    assert.equal(e.osteoporosis, t.who === 'osteoporosis' ? 1 : 0);
    assert.ok(e.age !== undefined && e.age >= 50);
    assert.equal(e.view, 'PA');
    assert.equal(e.modality, 'CR');
  }
});

test('the split is by patient, 70/10/20 of patients per stratum, seeded', async () => {
  const splitOf = new Map<string, string>();
  for (const e of inThread.entries) {
    const s = splitOf.get(e.patientId);
    assert.ok(s === undefined || s === e.split, `patient ${e.patientId} in two splits`);
    splitOf.set(e.patientId, e.split);
  }
  const per = { train: 0, tune: 0, test: 0 } as Record<string, number>;
  for (const s of splitOf.values()) per[s]!++;
  assert.equal(per.train! + per.tune! + per.test!, cohort.patients);
  assert.ok(per.train! >= 0.55 * cohort.patients && per.test! >= 0.1 * cohort.patients, JSON.stringify(per));
  const again = await scanDataset({
    dir: cohort.dir,
    labels: cohort.labels,
    key: 'mrn=PatientID',
    tScoreColumns: T,
    workers: 0,
  });
  assert.deepEqual(
    again.entries.map((e) => e.split),
    inThread.entries.map((e) => e.split),
    'same seed, same split',
  );
  const other = await scanDataset({
    dir: cohort.dir,
    labels: cohort.labels,
    key: 'mrn=PatientID',
    tScoreColumns: T,
    workers: 0,
    split: { seed: 7 },
  });
  assert.notDeepEqual(
    other.entries.map((e) => e.split),
    inThread.entries.map((e) => e.split),
    'another seed, another split',
  );
});

test('worker threads give the same result as reading in this thread; progress is reported', async () => {
  const seen: string[] = [];
  const threaded = await scanDataset({
    dir: cohort.dir,
    labels: cohort.labels,
    key: 'mrn=PatientID',
    tScoreColumns: T,
    workers: 2,
    onProgress: (p) => {
      if (p.stage === 'read' && p.done === p.total) seen.push('read done');
    },
  });
  assert.deepEqual(threaded.entries, inThread.entries);
  assert.deepEqual(threaded.exclusions, inThread.exclusions);
  assert.deepEqual(seen, ['read done']);
});

test('min age, views and split options change what is included', async () => {
  const all = await scanDataset({
    dir: cohort.dir,
    labels: cohort.labels,
    key: 'mrn=PatientID',
    tScoreColumns: T,
    workers: 0,
    minAge: 0,
    views: null,
  });
  // the young, AP and age-less images now pass; they carry labels rows with T-scores
  assert.equal(all.entries.length, cohort.included + 3);
  const two = await scanDataset({
    dir: cohort.dir,
    labels: cohort.labels,
    key: 'mrn=PatientID',
    workers: 0,
    split: { fractions: [0.5, 0.5], names: ['a', 'b'] },
  });
  assert.deepEqual([...new Set(two.entries.map((e) => e.split))].sort(), ['a', 'b']);
  assert.equal(two.entries[0]!.who, undefined, 'no --tscore: no WHO class');
  // without T-score columns the row without T-scores is a label like any other
  assert.equal(two.entries.length, cohort.included + 2);
});

test('outputs: manifest, exclusions, summary, baseline; readScanManifest reads the manifest back', async () => {
  const out = join(root, 'out');
  await prepareOutputFolder(out);
  const { summary } = await writeScanOutputs(out, inThread);
  const manifest = parse(await readFile(join(out, 'manifest.csv'), 'utf8'), { columns: true }) as Record<
    string,
    string
  >[];
  assert.equal(manifest.length, cohort.included);
  assert.deepEqual(Object.keys(manifest[0]!).slice(0, 3), ['sop_instance_uid', 'path', 'patient_id']);
  for (const c of ['mrn', 'ls_t', 'fn_t', 'th_t', 'bmi', 'who', 'split', 'age', 'sex', 'view'])
    assert.ok(c in manifest[0]!, c);
  const exclusions = parse(await readFile(join(out, 'exclusions.csv'), 'utf8'), { columns: true }) as Record<
    string,
    string
  >[];
  assert.equal(
    exclusions.length,
    Object.values(cohort.byCode).reduce((a, b) => a + b, 0),
  );
  assert.deepEqual(Object.keys(exclusions[0]!), ['path', 'code', 'reason', 'row']);
  assert.equal(summary.counts.included, cohort.included);
  assert.deepEqual(summary.counts.byCode, Object.fromEntries(Object.entries(counts(inThread))));
  const json = await readFile(join(out, 'summary.json'), 'utf8');
  for (const id of cohort.truth.keys()) assert.ok(!json.includes(`"${id}"`), 'no patient id in summary.json');
  assert.match(await readFile(join(out, 'baseline.md'), 'utf8'), /\| images, n \| \d+ \| \d+ \| \d+ \| 36 \|/);
  assert.match(await readFile(join(out, 'baseline.html'), 'utf8'), /<table>/);
  const back = await readScanManifest(out, 'test');
  assert.deepEqual(
    back.map((r) => r.path),
    inThread.entries.filter((e) => e.split === 'test').map((e) => e.path),
  );
  await assert.rejects(
    readScanManifest(out, 'tset'),
    (e: unknown) => isCxrkitError(e, 'MANIFEST_UNKNOWN_SPLIT') && /did you mean "test"\?/.test((e as Error).message),
  );
});

test('an output folder with files is refused without force; force replaces only the scan files', async () => {
  const out = join(root, 'user-folder');
  await mkdir(out, { recursive: true });
  await writeFile(join(out, 'my-notes.txt'), 'mine');
  await writeFile(join(out, 'manifest.csv'), 'old');
  await assert.rejects(checkOutputFolder(out), (e: unknown) => isCxrkitError(e, 'OUTPUT_NOT_EMPTY'));
  await assert.rejects(prepareOutputFolder(out), (e: unknown) => isCxrkitError(e, 'OUTPUT_NOT_EMPTY'));
  assert.equal(await readFile(join(out, 'manifest.csv'), 'utf8'), 'old', 'nothing overwritten');
  await prepareOutputFolder(out, true);
  assert.deepEqual(await readdir(out), ['my-notes.txt']);
});

test('a folder with no DICOM, a missing folder: typed errors', async () => {
  const empty = join(root, 'no-dicom');
  await mkdir(empty, { recursive: true });
  await writeFile(join(empty, 'a.txt'), 'hello');
  await assert.rejects(
    scanDataset({ dir: empty, labels: cohort.labels, key: 'mrn=PatientID', workers: 0 }),
    (e: unknown) => isCxrkitError(e, 'SCAN_NO_DICOM') && /none of the 1 file/.test((e as Error).message),
  );
  await assert.rejects(
    scanDataset({ dir: join(root, 'nope'), labels: cohort.labels, key: 'mrn=PatientID' }),
    (e: unknown) => isCxrkitError(e, 'SCAN_NOT_A_FOLDER'),
  );
  await assert.rejects(
    scanDataset({ dir: empty, labels: join(root, 'nope.csv'), key: 'mrn=PatientID' }),
    (e: unknown) => isCxrkitError(e, 'LABELS_NOT_FOUND'),
  );
});

test('pixel cache: one file per included image, equal to the card preprocessing of the DICOM', async () => {
  const cacheRoot = join(root, 'cache32');
  const r = await scanDataset({
    dir: cohort.dir,
    labels: cohort.labels,
    key: 'mrn=PatientID',
    tScoreColumns: T,
    workers: 2,
    cache: { root: cacheRoot, size: 48 },
  });
  const spec = await openPixelCache(cacheRoot);
  assert.equal(spec.shape[0], 48);
  const dir = (await readdir(cacheRoot))[0]!;
  const files = (await readdir(join(cacheRoot, dir))).filter((f) => f.endsWith('.f32'));
  assert.equal(files.length, cohort.included, 'excluded images are not left in the cache');
  for (const e of r.entries.slice(0, 5)) {
    const cached = await readCachedPixels(cacheRoot, spec, e.sopInstanceUid);
    const expected = cardImagePixels((await readDicom(e.path)).grayscale(0), {
      architecture: { inputSize: 48, channels: 1 },
      preprocessing: { normalize: 'zscore', clipPercent: 0.5 },
    });
    assert.deepEqual(cached, expected);
  }
  const half = join(root, 'cache16');
  const r16 = await scanDataset({
    dir: cohort.dir,
    labels: cohort.labels,
    key: 'mrn=PatientID',
    tScoreColumns: T,
    workers: 0,
    cache: { root: half, size: 48, dtype: 'float16' },
  });
  const spec16 = await openPixelCache(half, { size: 48, dtype: 'float16' });
  const e = r16.entries[0]!;
  const a = (await readCachedPixels(half, spec16, e.sopInstanceUid))!;
  const b = (await readCachedPixels(cacheRoot, spec, e.sopInstanceUid))!;
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) <= Math.abs(b[i]!) * 2 ** -11 + 2 ** -24);
});

test('key by AccessionNumber: one labels row per study; a file without an accession lacks a label', async () => {
  const dir = join(root, 'by-accession');
  await mkdir(dir, { recursive: true });
  const { encodeDicom, synthesizeRadiograph } = await import('@cxrkit/core');
  for (const [k, acc] of ['ACC-1', 'ACC-2', undefined].entries()) {
    const r = synthesizeRadiograph({ seed: 40 + k, size: 48, age: 66, sex: 'F', tScore: -3 + k });
    const bytes = encodeDicom(r, { patientId: `Q${k}`, seed: `acc-${k}`, ...(acc ? { accessionNumber: acc } : {}) });
    await writeFile(join(dir, `${k}.dcm`), bytes);
  }
  const labels = join(root, 'by-accession.tsv');
  await writeFile(labels, 'accession\tls_t\nACC-1\t-3.0\nACC-2\t-2.0\n');
  const r = await scanDataset({ dir, labels, key: 'accession=AccessionNumber', tScoreColumns: ['ls_t'], workers: 0 });
  assert.deepEqual(
    r.entries.map((e) => [e.accessionNumber, e.who]),
    [
      ['ACC-1', 'osteoporosis'],
      ['ACC-2', 'osteopenia'],
    ],
  );
  assert.deepEqual(
    r.exclusions.map((x) => x.code),
    ['MISSING_LABEL'],
  );
  assert.match(r.exclusions[0]!.reason, /the file has no AccessionNumber/);
});
