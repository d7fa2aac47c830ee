// Merging the output folders of several runs (the shards of a batch-scheduler job, or runs on several machines)
// into one: results appended through a fresh file store, so a SOP Instance UID found in two folders (the same
// instance under two paths in two shards) keeps its first record and the other becomes an
// ARCHIVE_DUPLICATE_INSTANCE error; errors of paths that have a result elsewhere are dropped. Streamed: memory
// holds the fingerprints of what was merged, not the records.
import { join } from 'node:path';
import { duplicateInstance } from '../errors.js';
import type { ErrorRecord, ScreenRecord } from '../types.js';
import { openFileStore, RESULT_FILES } from './file-store.js';
import { recoverJsonl } from './recover-jsonl.js';
import { writeResultsParquet } from './write-parquet.js';

/** What a merge wrote. */
export interface MergeSummary {
  results: number;
  errors: number;
  /** Records refused because their UID was merged already. */
  duplicates: number;
}

/**
 * Merges the results.jsonl / errors.jsonl of `inputs` (output folders) into `out` (created, or continued: what
 * it has already is kept), then writes results.csv and results.parquet.
 */
export async function mergeResults(inputs: readonly string[], out: string): Promise<MergeSummary> {
  const store = await openFileStore(out);
  const summary: MergeSummary = { results: 0, errors: 0, duplicates: 0 };
  try {
    for (const dir of inputs) {
      let batch: ScreenRecord[] = [];
      let writing: Promise<void> = Promise.resolve();
      const flush = () => {
        const records = batch.filter((r) => !store.isDone(r.path));
        batch = [];
        writing = writing.then(async () => {
          const refused = await store.appendResults(records);
          summary.results += records.length - refused.length;
          summary.duplicates += refused.length;
          summary.errors += await store.appendErrors(
            refused.map((r) => duplicateInstance(r.path, r.sopInstanceUID, r.screenedAt)),
          );
        });
      };
      await recoverJsonl(join(dir, RESULT_FILES.results), (r) => {
        batch.push(r as ScreenRecord);
        if (batch.length >= 1000) flush();
      });
      flush();
      await writing;
    }
    // errors after every result, so that an error of a path screened in another folder is not kept
    for (const dir of inputs) {
      let errors: ErrorRecord[] = [];
      let writing: Promise<void> = Promise.resolve();
      const flush = () => {
        const list = errors;
        errors = [];
        writing = writing.then(async () => {
          summary.errors += await store.appendErrors(list);
        });
      };
      await recoverJsonl(join(dir, RESULT_FILES.errors), (e) => {
        errors.push(e as ErrorRecord);
        if (errors.length >= 1000) flush();
      });
      flush();
      await writing;
    }
    await writeResultsParquet(out);
    return summary;
  } finally {
    await store.close();
  }
}
