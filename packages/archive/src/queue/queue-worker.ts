// A worker process of a queue run: BullMQ hands it jobs (one instance each), its worker threads prepare them,
// its predictor scores them in batches, and the results go to the Redis result store before the jobs complete.
// A file that cannot be screened is an outcome, not a failure: its error is stored and the job completes.
// Transient failures (WADO-RS unreachable, a crashed worker thread, EMFILE, …) fail the job, and BullMQ
// retries it with backoff; after the last attempt the error is stored. A worker killed mid-job stops
// renewing its jobs' locks: after `lockDuration` another worker's stalled-job check puts them back in the
// queue, and the store's first-writer-wins makes the rerun harmless.
import { hostname } from 'node:os';
import { Worker, type Job } from 'bullmq';
import { checkCardMatchesModel, screeningVerdict, type ModelCard } from '@cxrkit/models/card';
import { badOutput, errorCode } from '../errors.js';
import { createBatchScorer, type Scored } from '../pipeline/batch-scorer.js';
import type { PredictorFactory } from '../pipeline/predictor.js';
import { toRecord } from '../pipeline/to-record.js';
import { createPreparePool } from '../pipeline/worker-pool.js';
import type { WadoRsOptions } from '../sources/wado-rs.js';
import type { ErrorRecord, PreparedInstance } from '../types.js';
import type { RedisConnection } from './connection.js';
import type { ScreenJobData } from './enqueue.js';
import { RedisResultStore, type PutOutcome } from './redis-store.js';

/** Codes worth another attempt: the file may be fine, the moment was not. */
export const TRANSIENT_CODES = new Set([
  'ARCHIVE_FETCH_FAILED',
  'ARCHIVE_WORKER_CRASHED',
  'EMFILE',
  'ENFILE',
  'EAGAIN',
  'EBUSY',
  'EIO',
  'ETIMEDOUT',
  'ECONNRESET',
  'ESTALE',
]);

/** What the worker reports (the command prints them as JSON lines). */
export type QueueWorkerEvent =
  | { type: 'ready'; worker: string }
  | { type: 'batch'; stored: number; again: number; duplicates: number; size: number; active: number }
  | { type: 'error-stored'; path: string; code: string }
  | { type: 'retry'; path: string; code: string; attempt: number }
  | { type: 'stalled'; jobId: string }
  | { type: 'closed' };

/** Options of {@link runQueueWorker}. */
export interface QueueWorkerOptions {
  connection: RedisConnection;
  queue: string;
  modelDir: string;
  card: ModelCard;
  createPredictor: PredictorFactory;
  /** Worker threads preparing instances. Default 1. */
  workers?: number;
  /** Images per predictor call. Default 8. */
  batchSize?: number;
  /** A partial batch runs this long after its first instance arrived, ms. Default 200. */
  maxWaitMs?: number;
  /** Jobs held at once. Default 2 × batchSize + 2 × workers. */
  concurrency?: number;
  /** BullMQ job lock, ms: a killed worker's jobs are retaken this long after its last renewal. Default 30,000. */
  lockDuration?: number;
  /** How often this worker looks for stalled jobs, ms. Default 15,000. */
  stalledInterval?: number;
  /** Times a job may stall before it fails. Default 2. */
  maxStalledCount?: number;
  patientFacts?: boolean;
  wado?: WadoRsOptions;
  onEvent?: (e: QueueWorkerEvent) => void;
}

/** A running queue worker. */
export interface QueueWorker {
  /** Stops taking jobs, finishes the held ones (their batches are scored and stored), closes everything. */
  close(): Promise<void>;
}

/** Starts a queue worker in this process. */
export async function runQueueWorker(options: QueueWorkerOptions): Promise<QueueWorker> {
  const { card } = options;
  const workers = options.workers ?? 1;
  const batchSize = options.batchSize ?? 8;
  const emit = (e: QueueWorkerEvent) => options.onEvent?.(e);
  const store = new RedisResultStore(options.connection, options.queue);
  const predictor = await options.createPredictor({ modelDir: options.modelDir, card, batchSize });
  screeningVerdict(card, 0);
  checkCardMatchesModel(card, { inputNames: predictor.inputNames });
  const engine = predictor.engine;
  const pool = createPreparePool({ workers, card, prepare: { wado: options.wado } });
  const outcomes = new Map<Scored, PutOutcome>();
  let active = 0;

  const scorer = createBatchScorer({
    predictor,
    card,
    batchSize,
    maxWaitMs: options.maxWaitMs ?? 200,
    onBatch: async (scored) => {
      const good = scored.filter((s) => Number.isFinite(s.score));
      const records = good.map((s) => toRecord(s, card, engine, options));
      const put = await store.putResults(records);
      good.forEach((s, i) => outcomes.set(s, put[i]!));
      emit({
        type: 'batch',
        stored: put.filter((p) => p === 'stored').length,
        again: put.filter((p) => p === 'again').length,
        duplicates: put.filter((p) => p === 'duplicate').length,
        size: scored.length,
        active,
      });
    },
  });

  const storeError = async (record: ErrorRecord) => {
    await store.putError(record);
    emit({ type: 'error-stored', path: record.path, code: record.code });
  };

  const process = async (job: Job<ScreenJobData>) => {
    const path = job.data.path;
    active++;
    try {
      let prepared: PreparedInstance;
      try {
        prepared = await pool.prepare(path);
      } catch (e) {
        const code = errorCode(e);
        const message = (e as Error)?.message ?? String(e);
        const attempts = job.opts.attempts ?? 1;
        if (TRANSIENT_CODES.has(code) && job.attemptsMade + 1 < attempts) {
          emit({ type: 'retry', path, code, attempt: job.attemptsMade + 1 });
          throw e;
        }
        await storeError({ path, code, message, failedAt: new Date().toISOString() });
        return { path, code };
      }
      const scored = await scorer.submit(prepared);
      const outcome = outcomes.get(scored);
      outcomes.delete(scored);
      if (!Number.isFinite(scored.score)) {
        await storeError(badOutput(path, prepared.sopInstanceUID));
        return { path, code: 'ARCHIVE_BAD_OUTPUT' };
      }
      return { path, sopInstanceUID: prepared.sopInstanceUID, outcome };
    } finally {
      active--;
    }
  };

  const worker = new Worker<ScreenJobData>(options.queue, process, {
    connection: options.connection,
    concurrency: options.concurrency ?? 2 * batchSize + 2 * workers,
    lockDuration: options.lockDuration ?? 30_000,
    stalledInterval: options.stalledInterval ?? 15_000,
    maxStalledCount: options.maxStalledCount ?? 2,
    name: `${hostname()}:${globalThis.process.pid}`,
  });
  worker.on('stalled', (jobId) => emit({ type: 'stalled', jobId }));
  // a job out of attempts (or stalled too often) still gets its line in the errors
  worker.on('failed', (job, err) => {
    if (!job || (job.attemptsMade < (job.opts.attempts ?? 1) && !/stalled/i.test(err.message))) return;
    void storeError({
      path: job.data.path,
      code: errorCode(err, 'ARCHIVE_JOB_FAILED'),
      message: err.message,
      failedAt: new Date().toISOString(),
    }).catch(() => undefined);
  });
  await worker.waitUntilReady();
  emit({ type: 'ready', worker: `${hostname()}:${globalThis.process.pid}` });

  return {
    async close() {
      await worker.close();
      await scorer.idle();
      await pool.close();
      await predictor.dispose?.();
      await store.close();
      emit({ type: 'closed' });
    },
  };
}
