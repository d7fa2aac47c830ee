// results.parquet: the records of results.jsonl as a typed, columnar file (hyparquet-writer: maintained, pure
// JavaScript, runs on Node 20). A Parquet file ends with a footer describing its row groups, so it cannot be
// appended to after a batch the way JSONL is: it is not the durable record of a run but a snapshot, rewritten
// from results.jsonl (streamed, 10,000 rows per row group; temp file, fsync, rename) when a run completes.
import { open, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { syncDir } from '@cxrkit/core/tfjs-free';
import type { ScreenRecord } from '../types.js';
import { RESULT_CSV_COLUMNS, resultCsvRow } from './csv-columns.js';
import { recoverJsonl } from './recover-jsonl.js';

/** Name of the Parquet snapshot in an output folder. */
export const RESULTS_PARQUET = 'results.parquet';

type BasicType = 'STRING' | 'DOUBLE' | 'BOOLEAN' | 'INT32' | 'TIMESTAMP';

/** Parquet type of each results.csv column (same names, same order). */
const COLUMN_TYPES: Record<(typeof RESULT_CSV_COLUMNS)[number], BasicType> = {
  sopInstanceUID: 'STRING',
  path: 'STRING',
  score: 'DOUBLE',
  threshold: 'DOUBLE',
  positive: 'BOOLEAN',
  condition: 'STRING',
  recommendation: 'STRING',
  warnings: 'STRING',
  cardId: 'STRING',
  engine: 'STRING',
  studyInstanceUID: 'STRING',
  seriesInstanceUID: 'STRING',
  modality: 'STRING',
  viewPosition: 'STRING',
  bodyPart: 'STRING',
  rows: 'INT32',
  columns: 'INT32',
  age: 'DOUBLE',
  sex: 'STRING',
  readMs: 'DOUBLE',
  decodeMs: 'DOUBLE',
  preprocessMs: 'DOUBLE',
  waitMs: 'DOUBLE',
  predictMs: 'DOUBLE',
  batchSize: 'INT32',
  screenedAt: 'TIMESTAMP',
};

const ROWS_PER_GROUP = 10_000;

/** Writes `dir/results.parquet` from `dir/results.jsonl`; resolves to the number of rows. */
export async function writeResultsParquet(dir: string): Promise<number> {
  const { ParquetWriter, fileWriter, schemaFromColumnData } = await import('hyparquet-writer');
  const target = join(dir, RESULTS_PARQUET);
  const tmp = `${target}.tmp-${process.pid}`;
  const columns = (rows: ScreenRecord[]) =>
    RESULT_CSV_COLUMNS.map((name, k) => ({
      name,
      type: COLUMN_TYPES[name],
      data: rows.map((r) => {
        const v = resultCsvRow(r)[k];
        return name === 'screenedAt' && typeof v === 'string' ? new Date(v) : (v ?? null);
      }),
    }));
  let writer: InstanceType<typeof ParquetWriter> | undefined;
  let batch: ScreenRecord[] = [];
  let rows = 0;
  let pending: Promise<void> = Promise.resolve();
  const flush = () => {
    if (!batch.length && writer) return;
    const columnData = columns(batch);
    writer ??= new ParquetWriter({
      writer: fileWriter(tmp),
      schema: schemaFromColumnData({ columnData }),
      createdBy: '@cxrkit/archive',
    });
    const w = writer;
    rows += batch.length;
    batch = [];
    if (columnData[0]!.data.length) pending = pending.then(() => w.write({ columnData, rowGroupSize: ROWS_PER_GROUP }));
  };
  await recoverJsonl(join(dir, 'results.jsonl'), (r) => {
    batch.push(r as ScreenRecord);
    if (batch.length >= ROWS_PER_GROUP) flush();
  });
  flush();
  await pending;
  await writer!.finish();
  const fh = await open(tmp, 'r+');
  await fh.sync();
  await fh.close();
  await rename(tmp, target);
  await syncDir(dir);
  return rows;
}
