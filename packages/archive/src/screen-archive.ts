// screenArchive: a whole archive through one model on one machine. Data flow:
//   inputs → listInstances (folder walk / manifest / URLs, streamed) → shard + done filter
//   → prepare pool (worker threads: read, readDicom, modelInputs) → batch scorer (one predictor call per
//   batch) → file store (results.jsonl + results.csv, errors.jsonl; appended and fsync'ed per batch).
// At most `maxInFlight` instances are between the listing and the store at any time, so memory does not
// grow with the archive; what was done before (results and errors in `out`) is skipped.
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { checkCardMatchesModel, readModelCard, screeningVerdict, type ModelCard } from '@cxrkit/models/card';
import { archiveFail, badOutput, duplicateInstance, errorCode } from './errors.js';
import { createBatchScorer, type Scored } from './pipeline/batch-scorer.js';
import type { PredictorFactory, ScreeningPredictor } from './pipeline/predictor.js';
import { toRecord } from './pipeline/to-record.js';
import { createPreparePool, type PreparePool } from './pipeline/worker-pool.js';
import { ProgressMeter, type ArchiveProgress } from './progress.js';
import { listInstances } from './sources/instances.js';
import { parseShard, shardOf, type Shard } from './sources/shard.js';
import type { WadoRsOptions } from './sources/wado-rs.js';
import { FingerprintSet } from './store/fingerprint-set.js';
import { openFileStore, type StoreRecovery } from './store/file-store.js';
import { writeResultsParquet } from './store/write-parquet.js';
import type { ErrorRecord, PreparedInstance, ScreenRecord } from './types.js';

/** Options of {@link screenArchive}. */
export interface ScreenArchiveOptions {
  /** Folders (walked), manifests (.csv/.tsv/.jsonl/.txt), DICOM files and WADO-RS instance URLs. */
  inputs: readonly string[];
  /** Output folder: results.jsonl, results.csv, errors.jsonl (created; a rerun continues it). */
  out: string;
  /** The model folder (model-card.json beside model.onnx and/or model.json). */
  modelDir: string;
  /** The card to screen with. Default: `readModelCard(modelDir)`. */
  card?: ModelCard;
  /** Makes the predictor (onnxruntime, tfjs, …): the pipeline never picks an engine itself. */
  createPredictor: PredictorFactory;
  /** Worker threads that read, decode and preprocess. Default: available cores − 1 (at least 1). */
  workers?: number;
  /** Images per predictor call. Default 8. */
  batchSize?: number;
  /** Only this shard of the inputs (`{ index, count }` or `'i/n'`). */
  shard?: Shard | string;
  /** Most instances between listing and storing at once. Default 2 × batchSize + 2 × workers. */
  maxInFlight?: number;
  /** Put the age and sex the model was fed into the records (patient data; default false). */
  patientFacts?: boolean;
  /** WADO-RS request options (headers, attempts, timeout). */
  wado?: WadoRsOptions;
  /** Count the instances to do first (in parallel with the run), for a total and an ETA. Default true. */
  count?: boolean;
  /**
   * Rewrite `out/results.parquet` from results.jsonl when the run completes (a snapshot: Parquet cannot be
   * appended per batch). Default true.
   */
  parquet?: boolean;
  /** Progress after every batch (and every error). */
  onProgress?: (progress: ArchiveProgress) => void;
  /** Stops listing new instances; what is in flight is finished and stored. */
  signal?: AbortSignal;
}

/** What a run did. */
export interface ArchiveSummary {
  out: string;
  cardId: string;
  engine: string;
  /** What opening the output folder found (earlier records, torn tail cut, CSV rebuilt). */
  recovery: StoreRecovery;
  /** The last progress (counts, rate, stage means). */
  progress: ArchiveProgress;
  /** True when `signal` stopped the run before the end of the inputs. */
  stopped: boolean;
  /** Rows of results.parquet, when it was written. */
  parquetRows?: number;
}

function checkOptions(o: ScreenArchiveOptions): { workers: number; batchSize: number; shard?: Shard } {
  const workers = o.workers ?? Math.max(1, availableParallelism() - 1);
  const batchSize = o.batchSize ?? 8;
  if (typeof o.createPredictor !== 'function') {
    archiveFail(
      'ARCHIVE_BAD_OPTION',
      'screenArchive needs createPredictor, the engine factory',
      o.createPredictor,
      "pass e.g. createPredictor: ({ modelDir }) => createOnnxPredictor(join(modelDir, 'model.onnx'), " +
        "{ load: () => import('onnxruntime-node') })",
    );
  }
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    archiveFail('ARCHIVE_BAD_OPTION', 'batchSize must be a whole number ≥ 1', batchSize, 'pass e.g. batchSize: 8');
  }
  const shard = typeof o.shard === 'string' ? parseShard(o.shard) : o.shard;
  return { workers, batchSize, shard };
}

/** The card's predictor check: a binary screen whose inputs are the predictor's. */
function checkCard(card: ModelCard, predictor: ScreeningPredictor): void {
  screeningVerdict(card, 0); // throws SCREEN_NOT_BINARY for anything but a binary screen with a threshold
  checkCardMatchesModel(card, { inputNames: predictor.inputNames });
}

/**
 * Screens every instance the inputs name with the model in `modelDir`, writing one record per SOP Instance
 * UID to `out/results.jsonl` (+ `results.csv`) and one per failed file to `out/errors.jsonl`. A rerun with the
 * same `out` skips what is there; a kill loses at most the batches in flight and never duplicates a record.
 * @throws CxrkitError `ARCHIVE_BAD_OPTION`, `ARCHIVE_BAD_INPUT`, `ARCHIVE_OUT_LOCKED`, `ARCHIVE_CORRUPT_RESULTS`,
 *   the card's errors (`CARD_*`, `SCREEN_NOT_BINARY`), and whatever the predictor throws (a failing model
 *   stops the run: the batches before it are stored).
 */
export async function screenArchive(options: ScreenArchiveOptions): Promise<ArchiveSummary> {
  const { workers, batchSize, shard } = checkOptions(options);
  const out = resolve(options.out);
  const card = options.card ?? (await readModelCard(options.modelDir));
  const maxInFlight = options.maxInFlight ?? 2 * batchSize + 2 * workers;
  const meter = new ProgressMeter();
  const report = () => options.onProgress?.(meter.snapshot());

  const store = await openFileStore(out);
  let predictor: ScreeningPredictor | undefined;
  let pool: PreparePool | undefined;
  try {
    predictor = await options.createPredictor({ modelDir: options.modelDir, card, batchSize });
    checkCard(card, predictor);
    const engine = predictor.engine;
    pool = createPreparePool({ workers, card, prepare: { wado: options.wado } });
    const now = () => new Date().toISOString();

    const fail = async (errors: ErrorRecord[]) => {
      await store.appendErrors(errors);
      meter.failed += errors.length;
      meter.tick(errors.length);
      report();
    };

    const scorer = createBatchScorer({
      predictor,
      card,
      batchSize,
      onBatch: async (scored: Scored[]) => {
        const good = scored.filter((s) => Number.isFinite(s.score));
        const records = good.map((s) => toRecord(s, card, engine, options));
        const refused = await store.appendResults(records);
        const stored = records.length - refused.length;
        for (const r of records) if (!refused.includes(r)) meter.addTimings(r.timingsMs);
        meter.screened += stored;
        meter.tick(stored);
        const errors: ErrorRecord[] = [
          ...scored
            .filter((s) => !Number.isFinite(s.score))
            .map((s) => badOutput(s.prepared.path, s.prepared.sopInstanceUID)),
          ...refused.map((r) => duplicateInstance(r.path, r.sopInstanceUID)),
        ];
        if (errors.length) await fail(errors);
        else report();
      },
    });

    const listed = new FingerprintSet();
    let inFlight = 0;
    let listingDone = false;
    let fatal: unknown;
    let wake: (() => void) | undefined;
    // at the end of the listing, a partial batch runs once nothing more is being prepared
    const maybeFlush = () => {
      if (listingDone && pool!.pending === 0) scorer.flush();
    };
    const settle = () => {
      inFlight--;
      wake?.();
    };
    const handle = async (path: string) => {
      let prepared: PreparedInstance;
      try {
        prepared = await pool!.prepare(path);
      } catch (e) {
        maybeFlush();
        await fail([{ path, code: errorCode(e), message: (e as Error)?.message ?? String(e), failedAt: now() }]);
        return;
      }
      if (store.hasInstance(prepared.sopInstanceUID)) {
        maybeFlush();
        // the same instance under another path: refused before spending a model call on it
        await fail([duplicateInstance(path, prepared.sopInstanceUID)]);
        return;
      }
      const scored = scorer.submit(prepared);
      maybeFlush();
      await scored;
    };

    if (options.count !== false) {
      void (async () => {
        let total = 0;
        for await (const path of listInstances(options.inputs, { exclude: [out], onError: () => {} })) {
          if (shard && shardOf(path, shard.count) !== shard.index) continue;
          if (store.isDone(path) && !listed.has(path)) continue;
          total++;
        }
        meter.total = total;
      })().catch(() => undefined); // the main listing reports input errors
    }

    // a folder that cannot be listed is one error line, not the end of the run
    const unlistable = (dir: string, e: unknown) => {
      inFlight++;
      fail([{ path: dir, code: errorCode(e), message: (e as Error)?.message ?? String(e), failedAt: now() }]).then(
        settle,
        (err: unknown) => {
          fatal ??= err;
          settle();
        },
      );
    };
    try {
      for await (const path of listInstances(options.inputs, { exclude: [out], onError: unlistable })) {
        if (fatal !== undefined || options.signal?.aborted) break;
        if (shard && shardOf(path, shard.count) !== shard.index) {
          meter.otherShards++;
          continue;
        }
        if (store.isDone(path) || !listed.add(path)) {
          meter.skipped++;
          continue;
        }
        while (inFlight >= maxInFlight) await new Promise<void>((r) => (wake = r));
        inFlight++;
        handle(path).then(settle, (e: unknown) => {
          fatal ??= e;
          settle();
        });
      }
    } catch (e) {
      fatal ??= e; // e.g. a damaged manifest: what is in flight is still finished and stored below
    }
    listingDone = true;
    maybeFlush();
    while (inFlight > 0) await new Promise<void>((r) => (wake = r));
    await scorer.idle();
    if (fatal !== undefined) throw fatal;
    const stopped = options.signal?.aborted === true;
    const parquetRows = !stopped && options.parquet !== false ? await writeResultsParquet(out) : undefined;
    const progress = meter.snapshot();
    options.onProgress?.(progress);
    return { out, cardId: card.id, engine, recovery: store.recovery, progress, stopped, parquetRows };
  } finally {
    await pool?.close();
    await predictor?.dispose?.();
    await store.close();
  }
}

export type { ScreenRecord };
