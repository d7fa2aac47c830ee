// A small pool of worker threads that run prepareDicom (decode, intended-use checks, preprocessing) off the
// event loop, so that a large or hostile file never keeps the service from answering /healthz. A job that
// runs past its time limit has its worker terminated (and replaced): the decode really stops.
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { CxrkitError } from '@cxrkit/core/tfjs-free';
import type { DecodeJob, DecodeReply } from './decode-worker.js';
import type { PrepareRequest, PreparedImage } from './prepare-dicom.js';

/** Options of {@link DecodePool}. */
export interface DecodePoolOptions {
  /** Worker threads. Default min(2, available cores). */
  workers?: number;
  /** Time limit of one job, ms (the worker is terminated past it). Default 30 s. */
  timeoutMs?: number;
  /** V8 heap limit of each worker, MiB (pixels live outside it, bounded by the decode limits). Default 512. */
  maxHeapMb?: number;
}

interface Pending {
  job: DecodeJob;
  resolve(p: PreparedImage): void;
  reject(e: unknown): void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  current?: Pending & { timer: NodeJS.Timeout };
}

const serveError = (code: string, message: string, fix: string) =>
  new CxrkitError(code, message, { fix, pkg: 'serve' });

/** Starts one decode worker: the built .js beside this module, or (running from source) the .ts through tsx. */
function spawnWorker(maxHeapMb: number): Worker {
  const here = import.meta.url;
  const resourceLimits = { maxOldGenerationSizeMb: maxHeapMb };
  if (here.endsWith('.ts')) {
    // From source (tests, examples): worker entry points do not go through tsx's loader hooks on Node 20,
    // so the TypeScript worker is loaded through tsx's API.
    const entry = new URL('./decode-worker.ts', here).href;
    const api = import.meta.resolve('tsx/esm/api');
    const code = `import(${JSON.stringify(api)}).then((m) => m.tsImport(${JSON.stringify(entry)}, ${JSON.stringify(entry)}))`;
    return new Worker(code, { eval: true, resourceLimits });
  }
  return new Worker(new URL('./decode-worker.js', here), { resourceLimits });
}

/**
 * Runs {@link prepareDicom} jobs on worker threads, first come first served.
 * @throws from `run`: the job's own CxrkitError (`DICOM_*`, `SCREEN_*`), `SCREEN_TIMEOUT` past the time
 *   limit, `SCREEN_DECODE_ABORTED` when the worker died on the file, `SERVICE_CLOSED` after `close()`.
 */
export class DecodePool {
  readonly size: number;
  readonly timeoutMs: number;
  readonly #maxHeapMb: number;
  readonly #slots: Slot[] = [];
  readonly #queue: Pending[] = [];
  #nextId = 1;
  #closed = false;

  constructor(options: DecodePoolOptions = {}) {
    this.size = options.workers ?? Math.max(1, Math.min(2, availableParallelism()));
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.#maxHeapMb = options.maxHeapMb ?? 512;
    for (let i = 0; i < this.size; i++) this.#slots.push(this.#start());
  }

  /** True once every worker has started (and none is being replaced). */
  get ready(): boolean {
    return !this.#closed && this.#slots.every((s) => s.ready);
  }

  /** Jobs waiting for a worker plus jobs running. */
  get load(): number {
    return this.#queue.length + this.#slots.filter((s) => s.current).length;
  }

  /** Prepares one upload on a worker. */
  run(request: PrepareRequest): Promise<PreparedImage> {
    if (this.#closed)
      return Promise.reject(serveError('SERVICE_CLOSED', 'the service is shutting down', 'retry later'));
    return new Promise((resolve, reject) => {
      this.#queue.push({ job: { id: this.#nextId++, request }, resolve, reject });
      this.#dispatch();
    });
  }

  /** Stops every worker; queued and running jobs are rejected with SERVICE_CLOSED. */
  async close(): Promise<void> {
    this.#closed = true;
    const closed = serveError('SERVICE_CLOSED', 'the service is shutting down', 'retry later');
    for (const p of this.#queue.splice(0)) p.reject(closed);
    await Promise.all(
      this.#slots.map(async (s) => {
        if (s.current) {
          clearTimeout(s.current.timer);
          s.current.reject(closed);
          s.current = undefined;
        }
        await s.worker.terminate();
      }),
    );
  }

  #start(): Slot {
    const slot: Slot = { worker: spawnWorker(this.#maxHeapMb), ready: false };
    slot.worker.on('message', (m: DecodeReply | { ready: true }) => {
      if ('ready' in m) {
        slot.ready = true;
        this.#dispatch();
        return;
      }
      const current = slot.current;
      if (!current || current.job.id !== m.id) return;
      clearTimeout(current.timer);
      slot.current = undefined;
      if (m.ok) current.resolve(m.prepared);
      else {
        const { code, message, fix, received, pkg } = m.error;
        const error = code ? new CxrkitError(code, message, { received, fix, pkg }) : new Error(message);
        error.message = message; // the worker's full message (prefix, received value and fix included)
        current.reject(error);
      }
      this.#dispatch();
    });
    // A worker that dies (out of memory on a hostile file, a crash in a codec) takes its job with it.
    const died = (why: string) => {
      if (this.#closed) return;
      const current = slot.current;
      slot.current = undefined;
      if (current) {
        clearTimeout(current.timer);
        current.reject(
          serveError('SCREEN_DECODE_ABORTED', `the image could not be processed (${why})`, 'check the file'),
        );
      }
      this.#replace(slot);
    };
    slot.worker.on('error', (e) => died(e.message));
    slot.worker.on('exit', (code) => died(`worker exited with ${code}`));
    return slot;
  }

  #replace(slot: Slot): void {
    const i = this.#slots.indexOf(slot);
    if (i < 0) return;
    slot.worker.removeAllListeners();
    void slot.worker.terminate();
    this.#slots[i] = this.#start();
  }

  #dispatch(): void {
    for (const slot of this.#slots) {
      if (this.#queue.length === 0) return;
      if (!slot.ready || slot.current) continue;
      const next = this.#queue.shift()!;
      const timer = setTimeout(() => {
        if (slot.current?.job.id !== next.job.id) return;
        slot.current = undefined;
        next.reject(
          serveError(
            'SCREEN_TIMEOUT',
            `decoding and checking the image took more than ${this.timeoutMs} ms`,
            'retry; if it persists, check the file',
          ),
        );
        this.#replace(slot);
      }, this.timeoutMs);
      slot.current = { ...next, timer };
      const { bytes } = next.job.request;
      // the upload moves to the worker without a copy when it owns its whole buffer
      const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
      const body = own ? bytes : bytes.slice();
      slot.worker.postMessage({ ...next.job, request: { ...next.job.request, bytes: body } }, [
        body.buffer as ArrayBuffer,
      ]);
    }
  }
}
