// screenArchive end to end, in this process with two worker threads started from the TypeScript sources
// (through tsx): synthetic CR DICOMs and real ones from the shared data. Expected values come from outside
// the pipeline: each file read with readDicom, its inputs made with the card's modelInputs and scored alone
// (batch 1) by a bare onnxruntime session; a file that fails there must fail in the run with the same code.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { isCxrkitError, readDicom } from '@cxrkit/core/tfjs-free';
import { modelInputs, type ModelCard } from '@cxrkit/models/card';
import { createOnnxPredictor } from '@cxrkit/onnx';
import { repoRoot } from '../../../test/helpers.js';
import { openEngine } from './cli/engines.js';
import { errorCode } from './errors.js';
import type { PredictorFactory, ScreeningPredictor } from './pipeline/predictor.js';
import { screenArchive } from './screen-archive.js';
import { mergeResults } from './store/merge-results.js';
import { listInstances } from './sources/instances.js';
import { writeSyntheticDicoms, writeTestModel } from './test-fixtures.js';
import type { ErrorRecord, ScreenRecord } from './types.js';

const dataRoot = process.env.CXRKIT_DATA ?? join(repoRoot, '..', 'shared', 'data');
const realFolders = ['nhsx-nccid-testdata', 'torchxrayvision-tests', 'dwv-tests-data'].map((f) =>
  join(dataRoot, 'dicom', f),
);
const haveReal = realFolders.every((f) => existsSync(f));
const root = await mkdtemp(join(tmpdir(), 'cxrkit-archive-'));
const modelDir = join(root, 'model');
const synthetic = join(root, 'synthetic');
let card: ModelCard;
let inputs: string[];
/** path → expected score (batch 1, bare onnxruntime) or error code. */
const expected = new Map<string, { score?: number; code?: string; uid?: string; age?: number }>();

const onnx: PredictorFactory = async ({ modelDir: dir, batchSize }) =>
  (await createOnnxPredictor(join(dir, 'model.onnx'), {
    load: () => ort,
    batchSize,
    threads: 1,
  })) as ScreeningPredictor;

const readJsonl = async <T>(file: string): Promise<T[]> =>
  (await readFile(file, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as T);

before(async () => {
  card = await writeTestModel(modelDir, { size: 128 });
  await writeSyntheticDicoms(synthetic, 40, { size: 160, perFolder: 15 });
  inputs = [synthetic, ...(haveReal ? realFolders : [])];
  const session = await ort.InferenceSession.create(join(modelDir, 'model.onnx'), { intraOpNumThreads: 1 });
  for await (const path of listInstances(inputs)) {
    try {
      const dicom = await readDicom(path);
      const uid = dicom.meta.sopInstanceUid;
      if (!uid) {
        expected.set(path, { code: 'ARCHIVE_NO_SOP_INSTANCE_UID' });
        continue;
      }
      const feeds = modelInputs(dicom.grayscale(0), dicom.meta, card);
      const out = await session.run(
        Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, new ort.Tensor('float32', v.data, v.shape)])),
      );
      const score = (out[session.outputNames[0]!]!.data as Float32Array)[0]!;
      expected.set(path, { score, uid, age: dicom.meta.age });
    } catch (e) {
      expected.set(path, { code: errorCode(e) });
    }
  }
  await session.release();
});
after(() => rm(root, { recursive: true, force: true }));

test('every instance: one result per SOP Instance UID with the batch-1 score, or its error code', async (t) => {
  if (!haveReal) t.diagnostic(`real DICOMs not found under ${dataRoot}/dicom: synthetic only (set CXRKIT_DATA)`);
  const out = join(root, 'out');
  const progress: number[] = [];
  const summary = await screenArchive({
    inputs,
    out,
    modelDir,
    createPredictor: onnx,
    workers: 2,
    batchSize: 4,
    onProgress: (p) => progress.push(p.screened + p.failed),
  });
  const results = await readJsonl<ScreenRecord>(join(out, 'results.jsonl'));
  const errors = await readJsonl<ErrorRecord>(join(out, 'errors.jsonl'));
  // one result per UID: a file holding an instance already screened from another path is a duplicate
  const uids = new Set([...expected.values()].filter((e) => e.score !== undefined).map((e) => e.uid));
  assert.equal(results.length, uids.size);
  assert.equal(errors.length, expected.size - uids.size);
  assert.equal(new Set(results.map((r) => r.sopInstanceUID)).size, results.length, 'one record per UID');
  assert.deepEqual([summary.progress.screened, summary.progress.failed], [results.length, errors.length]);
  assert.equal(summary.progress.total, expected.size);
  assert.ok(progress.length > 1 && progress.at(-1) === expected.size, 'progress reported up to the end');
  assert.equal(summary.cardId, card.id);
  assert.equal(summary.parquetRows, results.length);
  for (const r of results) {
    const want = expected.get(r.path)!;
    assert.equal(r.sopInstanceUID, want.uid, r.path);
    assert.ok(Math.abs(r.score - want.score!) <= 1e-5, `${r.path}: ${r.score} vs batch-1 ${want.score}`);
    assert.equal(r.positive, r.score >= 0.5);
    assert.equal(r.cardId, card.id);
    assert.match(r.recommendation, r.positive ? /^High risk of osteoporosis/ : /^Low risk of osteoporosis/);
    assert.equal(
      r.warnings.some((w) => /^Patient aged/.test(w)),
      want.age! < 50,
      `${r.path}: age ${want.age} against minAge 50`,
    );
    assert.equal(r.age, undefined, 'no patient facts unless asked');
    assert.ok(r.timingsMs.decode > 0 && r.timingsMs.preprocess > 0 && r.timingsMs.predict > 0);
    assert.ok(r.batchSize >= 1 && r.batchSize <= 4);
  }
  for (const e of errors) {
    const want = expected.get(e.path)!;
    if (want.score === undefined) assert.equal(e.code, want.code, e.path);
    else {
      assert.equal(e.code, 'ARCHIVE_DUPLICATE_INSTANCE', e.path);
      assert.ok(results.some((r) => r.sopInstanceUID === want.uid && r.path !== e.path));
    }
  }
  if (haveReal) {
    assert.ok(
      results.some((r) => r.path.includes('nhsx-nccid')),
      'the real NIH chest radiograph is screened',
    );
    assert.ok(
      errors.some((e) => e.code.startsWith('DICOM_')),
      'a broken real file is recorded with its code',
    );
  }
  assert.ok(
    results.some((r) => r.score >= 0.5) || results.some((r) => r.score < 0.5),
    'live scores (not all one constant)',
  );

  // the same command again: nothing to do, nothing written twice
  const rerun = await screenArchive({ inputs, out, modelDir, createPredictor: onnx, workers: 2, batchSize: 4 });
  assert.deepEqual([rerun.progress.screened, rerun.progress.failed, rerun.progress.skipped], [0, 0, expected.size]);
  assert.equal((await readJsonl(join(out, 'results.jsonl'))).length, results.length);
});

test('the same instance under a second path is refused as a duplicate, not written twice', async () => {
  const dir = join(root, 'dup-in');
  await mkdir(dir, { recursive: true });
  const first = join(synthetic, 'batch-000', 'cr-00000.dcm');
  await copyFile(first, join(dir, 'a.dcm'));
  await copyFile(first, join(dir, 'b.dcm'));
  const out = join(root, 'dup-out');
  await screenArchive({ inputs: [dir], out, modelDir, createPredictor: onnx, workers: 1, batchSize: 2 });
  const results = await readJsonl<ScreenRecord>(join(out, 'results.jsonl'));
  const errors = await readJsonl<ErrorRecord>(join(out, 'errors.jsonl'));
  assert.equal(results.length, 1);
  assert.deepEqual(
    errors.map((e) => [e.code, e.sopInstanceUID]),
    [['ARCHIVE_DUPLICATE_INSTANCE', results[0]!.sopInstanceUID]],
  );
});

test('shards 0/3, 1/3, 2/3 are disjoint and together give the whole run', async () => {
  const whole = await readJsonl<ScreenRecord>(join(root, 'out', 'results.jsonl'));
  const seen = new Map<string, number>();
  let listed = 0;
  for (let i = 0; i < 3; i++) {
    const s = await screenArchive({
      inputs: [synthetic],
      out: join(root, `shard-${i}`),
      modelDir,
      createPredictor: onnx,
      workers: 1,
      shard: `${i}/3`,
      count: false,
    });
    listed += s.progress.screened + s.progress.failed;
    assert.equal(s.progress.screened + s.progress.otherShards, 40);
    for (const r of await readJsonl<ScreenRecord>(join(root, `shard-${i}`, 'results.jsonl'))) {
      assert.ok(!seen.has(r.sopInstanceUID), 'in one shard only');
      seen.set(r.sopInstanceUID, r.score);
    }
  }
  assert.equal(listed, 40);
  for (const r of whole.filter((x) => x.path.startsWith(synthetic))) {
    assert.ok(Math.abs(seen.get(r.sopInstanceUID)! - r.score) <= 1e-5);
  }

  // merged (twice: a merge continued with the same folders adds nothing), plus a folder holding one of the
  // instances under another path: one record per UID, the other path a duplicate
  const extra = join(root, 'extra-in');
  await mkdir(extra, { recursive: true });
  await copyFile(join(synthetic, 'batch-000', 'cr-00001.dcm'), join(extra, 'same-instance.dcm'));
  await screenArchive({ inputs: [extra], out: join(root, 'extra-out'), modelDir, createPredictor: onnx, workers: 1 });
  const folders = [0, 1, 2].map((i) => join(root, `shard-${i}`)).concat(join(root, 'extra-out'));
  const merged = join(root, 'merged');
  const m = await mergeResults(folders, merged);
  assert.deepEqual(m, { results: 40, errors: 1, duplicates: 1 });
  assert.deepEqual(await mergeResults(folders, merged), { results: 0, errors: 0, duplicates: 0 });
  const all = await readJsonl<ScreenRecord>(join(merged, 'results.jsonl'));
  assert.deepEqual(all.map((r) => r.sopInstanceUID).sort(), [...seen.keys()].sort());
  const errs = await readJsonl<ErrorRecord>(join(merged, 'errors.jsonl'));
  assert.deepEqual(
    errs.map((e) => [e.code, e.path]),
    [['ARCHIVE_DUPLICATE_INSTANCE', join(extra, 'same-instance.dcm')]],
  );
  assert.equal((await readFile(join(merged, 'results.csv'), 'utf8')).trim().split('\n').length, 41);
});

test('results.parquet holds the records of results.jsonl (read back with hyparquet)', async () => {
  const out = join(root, 'out');
  const records = await readJsonl<ScreenRecord>(join(out, 'results.jsonl'));
  const { parquetReadObjects } = await import('hyparquet');
  const bytes = await readFile(join(out, 'results.parquet'));
  const rows = (await parquetReadObjects({
    file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
  })) as Record<string, unknown>[];
  assert.equal(rows.length, records.length);
  const byUid = new Map(rows.map((r) => [r['sopInstanceUID'], r]));
  for (const r of records) {
    const p = byUid.get(r.sopInstanceUID)!;
    assert.ok(p, r.sopInstanceUID);
    assert.equal(p['path'], r.path);
    assert.equal(p['score'], r.score);
    assert.equal(p['positive'], r.positive);
    assert.equal(p['warnings'], r.warnings.join(' | '));
    assert.equal(p['rows'], r.rows);
    assert.equal((p['screenedAt'] as Date).toISOString(), r.screenedAt);
    assert.equal(p['age'], null, 'no patient facts unless asked');
  }
});

test('the tfjs engine (fallback) gives the onnxruntime scores within 1e-4', async () => {
  const engine = await openEngine('tfjs', modelDir, { tfjs: { kind: process.env.CXRKIT_BACKEND ?? 'cpu' } });
  assert.equal(engine.card.id, card.id);
  const out = join(root, 'tfjs');
  const s = await screenArchive({
    inputs: [join(synthetic, 'batch-000')],
    out,
    modelDir,
    card: engine.card,
    createPredictor: engine.createPredictor,
    workers: 1,
    batchSize: 5,
  });
  assert.match(s.engine, /^tfjs/);
  const viaOrt = new Map((await readJsonl<ScreenRecord>(join(root, 'out', 'results.jsonl'))).map((r) => [r.path, r]));
  const viaTfjs = await readJsonl<ScreenRecord>(join(out, 'results.jsonl'));
  assert.equal(viaTfjs.length, 15);
  for (const r of viaTfjs) assert.ok(Math.abs(r.score - viaOrt.get(r.path)!.score) <= 1e-4, r.path);
});

test('a failing model stops the run; the batches before it stay stored and a rerun finishes', async () => {
  const out = join(root, 'fatal');
  let calls = 0;
  const failing: PredictorFactory = async (ctx) => {
    const p = await onnx(ctx);
    return {
      ...p,
      inputNames: p.inputNames,
      outputNames: p.outputNames,
      engine: p.engine,
      predict: (inputs) => (++calls === 3 ? Promise.reject(new Error('device lost')) : p.predict(inputs)),
    };
  };
  const dir = join(synthetic, 'batch-001');
  await assert.rejects(
    screenArchive({ inputs: [dir], out, modelDir, createPredictor: failing, workers: 1, batchSize: 2 }),
    /device lost/,
  );
  const stored = await readJsonl<ScreenRecord>(join(out, 'results.jsonl'));
  assert.ok(stored.length >= 4 && stored.length < 15, `the first two batches: ${stored.length}`);
  const rerun = await screenArchive({ inputs: [dir], out, modelDir, createPredictor: onnx, workers: 1, batchSize: 2 });
  assert.equal(rerun.progress.skipped, stored.length);
  const all = await readJsonl<ScreenRecord>(join(out, 'results.jsonl'));
  assert.equal(all.length, 15);
  assert.equal(new Set(all.map((r) => r.sopInstanceUID)).size, 15);
});

test('options are checked before anything runs', async () => {
  await assert.rejects(screenArchive({ inputs: [synthetic], out: join(root, 'x'), modelDir } as never), (e: unknown) =>
    isCxrkitError(e, 'ARCHIVE_BAD_OPTION'),
  );
  await assert.rejects(
    screenArchive({ inputs: [synthetic], out: join(root, 'x'), modelDir, createPredictor: onnx, shard: '3/3' }),
    (e: unknown) => isCxrkitError(e, 'ARCHIVE_BAD_OPTION'),
  );
});
