import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { isCxrkitError } from '@cxrkit/core/tfjs-free';
import type { ScreenRecord } from '../types.js';
import { RESULT_CSV_COLUMNS } from './csv-columns.js';
import { openFileStore } from './file-store.js';
import { OUT_LOCK_FILE } from './out-lock.js';

const root = await mkdtemp(join(tmpdir(), 'cxrkit-store-'));
after(() => rm(root, { recursive: true, force: true }));

function record(k: number, uid = `2.25.${1000 + k}`): ScreenRecord {
  return {
    sopInstanceUID: uid,
    path: `/archive/${k}.dcm`,
    score: k / 10,
    threshold: 0.5,
    positive: k / 10 >= 0.5,
    condition: 'osteoporosis',
    recommendation: 'r, with a comma and "quotes"',
    warnings: k % 2 ? ['Age unknown: …', 'View position AP: …'] : [],
    cardId: 'sha256:0',
    engine: 'test',
    rows: 10,
    columns: 12,
    timingsMs: { read: 1, decode: 2, preprocess: 3, wait: 4, predict: 5 },
    batchSize: 2,
    screenedAt: '2026-01-01T00:00:00.000Z',
  };
}

const csvRows = async (dir: string) => parse(await readFile(join(dir, 'results.csv'), 'utf8')) as string[][];
const jsonl = async (dir: string, name = 'results.jsonl') =>
  (await readFile(join(dir, name), 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

test('appends results and errors; a reopened store skips their paths and refuses their UIDs', async () => {
  const dir = join(root, 'basic');
  const store = await openFileStore(dir);
  assert.deepEqual(store.recovery, { results: 0, errors: 0, truncatedBytes: 0, csvRebuilt: false });
  assert.deepEqual(await store.appendResults([record(1), record(2)]), []);
  // a UID seen already, and one repeated within the call, are refused and returned
  const refused = await store.appendResults([record(3), record(4, '2.25.1001'), record(5, '2.25.1003')]);
  assert.deepEqual(
    refused.map((r) => r.path),
    ['/archive/4.dcm', '/archive/5.dcm'],
  );
  await store.appendErrors([{ path: '/archive/bad.dcm', code: 'DICOM_NOT_DICOM', message: 'm', failedAt: 't' }]);
  await store.appendErrors([{ path: '/archive/bad.dcm', code: 'DICOM_NOT_DICOM', message: 'again', failedAt: 't' }]);
  await store.close();

  const rows = await csvRows(dir);
  assert.deepEqual(rows[0], [...RESULT_CSV_COLUMNS]);
  assert.equal(rows.length, 4);
  assert.deepEqual(rows[1]!.slice(0, 8), [
    '2.25.1001',
    '/archive/1.dcm',
    '0.1',
    '0.5',
    'false',
    'osteoporosis',
    'r, with a comma and "quotes"',
    'Age unknown: … | View position AP: …',
  ]);
  assert.equal((await jsonl(dir, 'errors.jsonl')).length, 1, 'one error line per path');

  const again = await openFileStore(dir);
  assert.deepEqual(again.recovery, { results: 3, errors: 1, truncatedBytes: 0, csvRebuilt: false });
  for (const k of [1, 2, 3]) assert.ok(again.isDone(`/archive/${k}.dcm`));
  assert.ok(again.isDone('/archive/bad.dcm'));
  assert.ok(!again.isDone('/archive/4.dcm'));
  assert.ok(again.hasInstance('2.25.1002'));
  assert.deepEqual((await again.appendResults([record(2)])).length, 1);
  await again.close();
  assert.equal((await jsonl(dir)).length, 3);
});

test('a torn results.jsonl tail is cut and results.csv is rebuilt to match it', async () => {
  const dir = join(root, 'torn');
  const store = await openFileStore(dir);
  await store.appendResults([record(1), record(2)]);
  await store.close();
  // a kill in the middle of the third append: half a JSON line, and a CSV row that never came
  await appendFile(join(dir, 'results.jsonl'), JSON.stringify(record(3)).slice(0, 40));
  const reopened = await openFileStore(dir);
  assert.equal(reopened.recovery.results, 2);
  assert.equal(reopened.recovery.truncatedBytes, 40);
  assert.equal(reopened.recovery.csvRebuilt, false, 'the CSV had the same 2 rows');
  assert.ok(!reopened.isDone('/archive/3.dcm'));
  await reopened.appendResults([record(3)]);
  await reopened.close();
  assert.deepEqual(
    (await jsonl(dir)).map((r) => r.sopInstanceUID),
    ['2.25.1001', '2.25.1002', '2.25.1003'],
  );

  // the CSV behind the JSONL (killed between the two appends), and a torn CSV row: rebuilt from the JSONL
  const csvPath = join(dir, 'results.csv');
  const lines = (await readFile(csvPath, 'utf8')).split('\n');
  await writeFile(csvPath, `${lines.slice(0, 3).join('\n')}\n2.25.1003,/arch`);
  const fixed = await openFileStore(dir);
  assert.equal(fixed.recovery.csvRebuilt, true);
  await fixed.close();
  assert.deepEqual(
    (await csvRows(dir)).slice(1).map((r) => r[0]),
    ['2.25.1001', '2.25.1002', '2.25.1003'],
  );
});

test('the folder is locked to one live writer; a dead writer’s lock is taken over', async () => {
  const dir = join(root, 'lock');
  const store = await openFileStore(dir);
  await assert.rejects(openFileStore(dir), (e: unknown) => isCxrkitError(e, 'ARCHIVE_OUT_LOCKED'));
  await store.close();

  // a lock left by a process that has exited (SIGKILL leaves its lock file behind)
  const child = spawn(process.execPath, ['-e', '0']);
  const pid = child.pid!;
  await new Promise((r) => child.on('exit', r));
  await writeFile(join(dir, OUT_LOCK_FILE), JSON.stringify({ pid, host: hostname(), startedAt: 'then' }));
  const taken = await openFileStore(dir);
  await taken.close();

  // another host's lock is not broken (its process cannot be checked from here)
  await writeFile(join(dir, OUT_LOCK_FILE), JSON.stringify({ pid: 1, host: 'elsewhere', startedAt: 'then' }));
  await assert.rejects(openFileStore(dir), (e: unknown) => isCxrkitError(e, 'ARCHIVE_OUT_LOCKED'));
});
