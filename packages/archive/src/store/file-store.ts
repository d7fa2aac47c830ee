// The durable results of an archive run in one folder: results.jsonl (the record of truth, one line per SOP
// Instance UID), results.csv (the same records, flat) and errors.jsonl (one line per failed file). Appends
// are per batch: JSONL written and fsync'ed, then CSV. On open: the folder is locked to this process, a torn
// tail of either JSONL file is cut off, results.csv is rebuilt from results.jsonl whenever the two disagree
// (a kill between the two appends), and the finished paths and SOP Instance UIDs are indexed so that a rerun
// skips them and no UID is ever written twice.
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse';
import { stringify } from 'csv-stringify/sync';
import { syncDir } from '@cxrkit/core/tfjs-free';
import type { ErrorRecord, ScreenRecord } from '../types.js';
import { RESULT_CSV_COLUMNS, resultCsvRow } from './csv-columns.js';
import { FingerprintSet } from './fingerprint-set.js';
import { lockOutDir } from './out-lock.js';
import { recoverJsonl } from './recover-jsonl.js';

/** File names inside the output folder. */
export const RESULT_FILES = { results: 'results.jsonl', csv: 'results.csv', errors: 'errors.jsonl' } as const;

/** What opening the folder found and repaired. */
export interface StoreRecovery {
  /** Records already in results.jsonl / errors.jsonl. */
  results: number;
  errors: number;
  /** Bytes of torn tail cut off results.jsonl + errors.jsonl. */
  truncatedBytes: number;
  /** True when results.csv was (re)written from results.jsonl. */
  csvRebuilt: boolean;
}

/** Where a run's records go (this folder store, or another with the same contract). */
export interface ResultStore {
  /** What opening found. */
  readonly recovery: StoreRecovery;
  /** True when `path` already has a result or an error. */
  isDone(path: string): boolean;
  /** True when a result with this SOP Instance UID is stored. */
  hasInstance(sopInstanceUID: string): boolean;
  /**
   * Appends records durably; records whose SOP Instance UID is already stored (or repeated within the call)
   * are not written and are returned, for the caller to report.
   */
  appendResults(records: readonly ScreenRecord[]): Promise<ScreenRecord[]>;
  /** Appends error records (one per path; a path already done is ignored); resolves to the number written. */
  appendErrors(records: readonly ErrorRecord[]): Promise<number>;
  /** Flushes, closes the files and releases the folder. */
  close(): Promise<void>;
}

/** CSV text of records, with the header line when `header`. */
function csvText(records: readonly ScreenRecord[], header: boolean): string {
  const rows = records.map(resultCsvRow);
  return stringify(header ? [RESULT_CSV_COLUMNS as readonly string[], ...rows] : rows, { cast: { boolean: String } });
}

/** Number of data rows of a CSV file, or undefined when it is missing, torn, or not ours. */
async function csvRows(path: string): Promise<number | undefined> {
  try {
    const s = await stat(path);
    if (s.size === 0) return undefined;
    const fh = await open(path, 'r');
    const last = Buffer.alloc(1);
    await fh.read(last, 0, 1, s.size - 1);
    await fh.close();
    if (last[0] !== 0x0a) return undefined; // a torn last row
    let rows = -1;
    let headerOk = false;
    const parser = createReadStream(path).pipe(parse({ relax_column_count: false }));
    for await (const row of parser as AsyncIterable<string[]>) {
      if (rows === -1) headerOk = row.join(',') === RESULT_CSV_COLUMNS.join(',');
      rows++;
    }
    return headerOk ? rows : undefined;
  } catch {
    return undefined;
  }
}

/** Rewrites results.csv from results.jsonl (temp file, fsync, rename). */
async function rebuildCsv(dir: string): Promise<void> {
  const target = join(dir, RESULT_FILES.csv);
  const tmp = `${target}.tmp-${process.pid}`;
  const out = await open(tmp, 'w');
  try {
    await out.appendFile(csvText([], true));
    let batch: ScreenRecord[] = [];
    let written: Promise<void> = Promise.resolve();
    const flush = () => {
      const rows = batch;
      batch = [];
      if (rows.length) written = written.then(() => out.appendFile(csvText(rows, false)));
    };
    await recoverJsonl(join(dir, RESULT_FILES.results), (r) => {
      batch.push(r as ScreenRecord);
      if (batch.length >= 1000) flush();
    });
    flush();
    await written;
    await out.sync();
  } finally {
    await out.close();
  }
  await rename(tmp, target);
  await syncDir(dir);
}

/**
 * Opens (creating) the output folder `dir` for a run: locks it, recovers the files, indexes what is done.
 * @throws CxrkitError `ARCHIVE_OUT_LOCKED` (another live run writes there), `ARCHIVE_CORRUPT_RESULTS`.
 */
export async function openFileStore(dir: string): Promise<ResultStore> {
  await mkdir(dir, { recursive: true });
  const unlock = await lockOutDir(dir);
  let handles: FileHandle[] = [];
  try {
    const donePaths = new FingerprintSet();
    const instances = new FingerprintSet();
    const results = await recoverJsonl(join(dir, RESULT_FILES.results), (r) => {
      const rec = r as Partial<ScreenRecord>;
      if (typeof rec.path === 'string') donePaths.add(rec.path);
      if (typeof rec.sopInstanceUID === 'string') instances.add(rec.sopInstanceUID);
    });
    const errors = await recoverJsonl(join(dir, RESULT_FILES.errors), (r) => {
      const rec = r as Partial<ErrorRecord>;
      if (typeof rec.path === 'string') donePaths.add(rec.path);
    });
    const csvPath = join(dir, RESULT_FILES.csv);
    const csvExisted = await stat(csvPath).then(
      () => true,
      () => false,
    );
    const rebuild = (await csvRows(csvPath)) !== results.records;
    if (rebuild) await rebuildCsv(dir); // a new folder: just the header
    const csvRebuilt = rebuild && (csvExisted || results.records > 0);

    const jsonl = await open(join(dir, RESULT_FILES.results), 'a');
    const csv = await open(join(dir, RESULT_FILES.csv), 'a');
    const errs = await open(join(dir, RESULT_FILES.errors), 'a');
    handles = [jsonl, csv, errs];
    if (results.records === 0 && results.truncatedBytes === 0) await syncDir(dir);
    // appends are serialised: two overlapping batches must not interleave their lines
    let chain: Promise<unknown> = Promise.resolve();
    const serial = <T>(fn: () => Promise<T>): Promise<T> => {
      const next = chain.then(fn, fn);
      chain = next.catch(() => undefined);
      return next;
    };

    return {
      recovery: {
        results: results.records,
        errors: errors.records,
        truncatedBytes: results.truncatedBytes + errors.truncatedBytes,
        csvRebuilt,
      },
      isDone: (path) => donePaths.has(path),
      hasInstance: (uid) => instances.has(uid),
      appendResults: (records) =>
        serial(async () => {
          const fresh: ScreenRecord[] = [];
          const refused: ScreenRecord[] = [];
          const inCall = new Set<string>();
          for (const r of records) {
            const dup = instances.has(r.sopInstanceUID) || inCall.has(r.sopInstanceUID);
            inCall.add(r.sopInstanceUID);
            (dup ? refused : fresh).push(r);
          }
          if (fresh.length) {
            await jsonl.appendFile(fresh.map((r) => `${JSON.stringify(r)}\n`).join(''));
            await jsonl.sync();
            for (const r of fresh) {
              instances.add(r.sopInstanceUID);
              donePaths.add(r.path);
            }
            await csv.appendFile(csvText(fresh, false));
            await csv.sync();
          }
          return refused;
        }),
      appendErrors: (records) =>
        serial(async () => {
          const fresh = records.filter((r) => donePaths.add(r.path));
          if (fresh.length === 0) return 0;
          await errs.appendFile(fresh.map((r) => `${JSON.stringify(r)}\n`).join(''));
          await errs.sync();
          return fresh.length;
        }),
      async close() {
        await chain;
        await Promise.all(handles.map((h) => h.close()));
        handles = [];
        await unlock();
      },
    };
  } catch (e) {
    await Promise.all(handles.map((h) => h.close()));
    await unlock();
    throw e;
  }
}
