// A queue run's results out of Redis into the same files a local run writes (results.jsonl, results.csv,
// errors.jsonl, then results.parquet from the JSONL), each written to a temp file, fsync'ed and renamed: a
// snapshot, safe to take while workers still run (run it again at the end). HSCAN may return an entry twice
// while Redis rehashes: records are deduplicated by SOP Instance UID (results) and path (errors).
import { mkdir, open, rename } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { syncDir } from '@cxrkit/core/tfjs-free';
import { RESULT_CSV_COLUMNS, resultCsvRow } from '../store/csv-columns.js';
import { RESULT_FILES } from '../store/file-store.js';
import { FingerprintSet } from '../store/fingerprint-set.js';
import { writeResultsParquet } from '../store/write-parquet.js';
import type { ErrorRecord, ScreenRecord } from '../types.js';
import type { RedisConnection } from './connection.js';
import { RedisResultStore } from './redis-store.js';

/** Options of {@link exportQueueResults}. */
export interface ExportOptions {
  connection: RedisConnection;
  queue: string;
  /** Output folder (created). */
  out: string;
}

/** Writes the store of `queue` to `out`; resolves to the numbers of records written. */
export async function exportQueueResults(
  options: ExportOptions,
): Promise<{ results: number; errors: number; out: string }> {
  const out = resolve(options.out);
  await mkdir(out, { recursive: true });
  const store = new RedisResultStore(options.connection, options.queue);
  const tmp = (name: string) => join(out, `${name}.tmp-${process.pid}`);
  try {
    const jsonl = await open(tmp(RESULT_FILES.results), 'w');
    const csv = await open(tmp(RESULT_FILES.csv), 'w');
    const errs = await open(tmp(RESULT_FILES.errors), 'w');
    let results = 0;
    let errors = 0;
    try {
      await csv.appendFile(stringify([RESULT_CSV_COLUMNS as readonly string[]]));
      const seen = new FingerprintSet();
      let batch: ScreenRecord[] = [];
      const flush = async () => {
        if (!batch.length) return;
        await jsonl.appendFile(batch.map((r) => `${JSON.stringify(r)}\n`).join(''));
        await csv.appendFile(stringify(batch.map(resultCsvRow), { cast: { boolean: String } }));
        batch = [];
      };
      for await (const value of store.scan('results')) {
        const r = JSON.parse(value) as ScreenRecord;
        if (!seen.add(r.sopInstanceUID)) continue;
        batch.push(r);
        results++;
        if (batch.length >= 500) await flush();
      }
      await flush();
      const seenPaths = new FingerprintSet();
      let lines: string[] = [];
      for await (const value of store.scan('errors')) {
        const e = JSON.parse(value) as ErrorRecord;
        if (!seenPaths.add(e.path)) continue;
        lines.push(`${JSON.stringify(e)}\n`);
        errors++;
        if (lines.length >= 500) {
          await errs.appendFile(lines.join(''));
          lines = [];
        }
      }
      await errs.appendFile(lines.join(''));
      await Promise.all([jsonl.sync(), csv.sync(), errs.sync()]);
    } finally {
      await Promise.all([jsonl.close(), csv.close(), errs.close()]);
    }
    for (const name of Object.values(RESULT_FILES)) await rename(tmp(name), join(out, name));
    await syncDir(out);
    await writeResultsParquet(out);
    return { results, errors, out };
  } finally {
    await store.close();
  }
}
