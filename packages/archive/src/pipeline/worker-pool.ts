// A pool of worker threads that read, decode and preprocess instances (prepare-worker.ts), one instance per
// worker at a time; a worker that dies fails its instance (ARCHIVE_WORKER_CRASHED) and is replaced. With
// `workers: 0` instances are prepared on the calling thread (debugging, tiny runs). The pool queues what it
// is given: the caller bounds how much is in flight (screen-archive.ts does).
import type { Worker } from 'node:worker_threads';
import type { ModelCard } from '@cxrkit/models/card';
import { CxrkitError } from '@cxrkit/core/tfjs-free';
import { archiveError, archiveFail } from '../errors.js';
import type { PreparedInstance } from '../types.js';
import { prepareInstance, type PrepareOptions } from './prepare.js';
import { prepareWorkerScript, startWorker, type WorkerScript } from './worker-script.js';

/** Options of {@link createPreparePool}. */
export interface PreparePoolOptions {
  /** Worker threads (0 = prepare on the calling thread). */
  workers: number;
  /** The card whose preprocessing and fusion encodings are applied. */
  card: ModelCard;
  /** WADO-RS request options. */
  prepare?: PrepareOptions;
  /** Override where the worker code is (tests). */
  script?: WorkerScript;
}

/** A running pool. */
export interface PreparePool {
  /** Number of worker threads (0: in-process). */
  readonly workers: number;
  /** Prepares one instance; rejects with the instance's typed error (its `code` is what errors.jsonl records). */
  prepare(source: string): Promise<PreparedInstance>;
  /** Instances given and not yet answered. */
  readonly pending: number;
  /** Stops the workers (instances still queued are rejected). */
  close(): Promise<void>;
}

type Reply =
  | { ready: true }
  | { id: number; ok: true; prepared: PreparedInstance }
  | { id: number; ok: false; code: string; message: string };

interface Task {
  id: number;
  source: string;
  resolve(p: PreparedInstance): void;
  reject(e: unknown): void;
}

interface Slot {
  worker: Worker;
  task?: Task;
}

/** A failure reported by a worker, rebuilt with its code. */
function workerError(code: string, message: string): CxrkitError {
  const e = new CxrkitError(code, message, { pkg: 'archive' });
  // keep the original message (it already names the package and the fix)
  Object.defineProperty(e, 'message', { value: message });
  return e;
}

/**
 * Starts `workers` worker threads preparing instances as `card` says.
 * @throws CxrkitError `ARCHIVE_BAD_OPTION` for a bad worker count.
 */
export function createPreparePool(options: PreparePoolOptions): PreparePool {
  const { workers, card } = options;
  if (!Number.isInteger(workers) || workers < 0) {
    archiveFail('ARCHIVE_BAD_OPTION', 'workers must be a whole number ≥ 0', workers, 'pass e.g. workers: 2');
  }
  const prepareOptions = options.prepare ?? {};
  let pending = 0;
  if (workers === 0) {
    return {
      workers,
      get pending() {
        return pending;
      },
      async prepare(source) {
        pending++;
        try {
          return await prepareInstance(source, card, prepareOptions);
        } finally {
          pending--;
        }
      },
      async close() {},
    };
  }

  const script = options.script ?? prepareWorkerScript();
  const queue: Task[] = [];
  const slots: Slot[] = [];
  let nextId = 0;
  let closed = false;

  const dispatch = () => {
    for (const slot of slots) {
      if (slot.task || queue.length === 0) continue;
      const task = queue.shift()!;
      slot.task = task;
      slot.worker.postMessage({ id: task.id, source: task.source });
    }
  };

  const spawn = (index: number) => {
    const worker = startWorker(script, { workerData: { card, options: prepareOptions } });
    const slot: Slot = { worker };
    slots[index] = slot;
    worker.on('message', (reply: Reply) => {
      if ('ready' in reply) return;
      const task = slot.task;
      if (!task || task.id !== reply.id) return;
      slot.task = undefined;
      pending--;
      if (reply.ok) task.resolve(reply.prepared);
      else task.reject(workerError(reply.code, reply.message));
      dispatch();
    });
    const died = (why: string) => {
      const task = slot.task;
      slot.task = undefined;
      if (task) {
        pending--;
        task.reject(
          archiveError(
            'ARCHIVE_WORKER_CRASHED',
            `the worker preparing this file died (${why})`,
            task.source,
            'the file may crash the decoder: check it with `cxrkit inspect`',
          ),
        );
      }
      if (!closed && slots[index] === slot) {
        spawn(index);
        dispatch();
      }
    };
    worker.on('error', (e) => died(e.message));
    worker.on('exit', (code) => {
      if (!closed) died(`exit code ${code}`);
    });
  };
  for (let i = 0; i < workers; i++) spawn(i);

  return {
    workers,
    get pending() {
      return pending;
    },
    prepare(source) {
      if (closed)
        return Promise.reject(archiveError('ARCHIVE_BAD_OPTION', 'the pool is closed', source, 'open a new one'));
      pending++;
      return new Promise<PreparedInstance>((resolve, reject) => {
        queue.push({ id: nextId++, source, resolve, reject });
        dispatch();
      });
    },
    async close() {
      closed = true;
      for (const t of queue.splice(0))
        t.reject(archiveError('ARCHIVE_BAD_OPTION', 'the pool was closed', t.source, ''));
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
