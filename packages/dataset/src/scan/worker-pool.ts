// Reads many files in parallel: N worker threads (each decodes one file at a time), or, with 0 workers,
// a bounded async pool in this thread. Results come back in input order; progress through a callback.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { datasetError } from '../errors.js';
import { type CacheRequest, type ImageReadResult, readImageFacts } from './read-image-facts.js';

/** Options of {@link readAllImages}. */
export interface ReadAllOptions {
  /** Worker threads; 0 reads in this thread. Default min(4, cores). */
  workers?: number;
  /** Cache the qualifying images' pixels. */
  cache?: CacheRequest;
  /** Called after each file with the number done so far. */
  onFile?: (done: number, total: number) => void;
}

/** Default number of worker threads: min(4, available cores). */
export function defaultWorkers(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

/** Starts one reading thread: dist/scan-worker.js from the built package, or the .ts source through tsx. */
function startWorker(cache: CacheRequest | undefined): Worker {
  const workerData = { cache };
  if (!import.meta.url.endsWith('.ts')) {
    return new Worker(new URL('./scan-worker.js', import.meta.url), { workerData, execArgv: [] });
  }
  // From the sources (the workspace runs TypeScript through tsx): register tsx inside the worker, then
  // import the worker module; the source export condition lets it resolve @cxrkit/* to src/.
  const api = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const entry = JSON.stringify(new URL('./scan-worker.ts', import.meta.url).href);
  const code = `import(${api}).then((m) => { m.register(); return import(${entry}); })`;
  return new Worker(code, { eval: true, workerData, execArgv: ['--conditions=cxrkit-source'] });
}

/** Reads every path (see readImageFacts); resolves to one result per path, in input order. */
export async function readAllImages(
  paths: readonly string[],
  options: ReadAllOptions = {},
): Promise<ImageReadResult[]> {
  const results: ImageReadResult[] = new Array(paths.length);
  const total = paths.length;
  let done = 0;
  const finish = (i: number, r: ImageReadResult) => {
    results[i] = r;
    done++;
    options.onFile?.(done, total);
  };
  const workers = Math.min(options.workers ?? defaultWorkers(), total);
  if (workers <= 0) {
    let next = 0;
    const lane = async () => {
      while (next < total) {
        const i = next++;
        finish(i, await readImageFacts(paths[i]!, options.cache));
      }
    };
    await Promise.all([lane(), lane()]);
    return results;
  }
  let next = 0;
  let startFailure: Error | undefined;
  // One lane per worker; a worker that dies (not a read error: those come back as results) fails the
  // file it held, and the lane starts a fresh worker for the rest.
  const lane = async () => {
    while (next < total && !startFailure) {
      await new Promise<void>((resolve) => {
        const worker = startWorker(options.cache);
        let current = -1;
        let answered = false;
        let ended = false;
        const end = () => {
          if (!ended) {
            ended = true;
            resolve();
          }
        };
        const crashed = (why: string) => {
          if (!answered && !startFailure) {
            // A thread that dies before its first answer cannot start at all: stop, do not retry per file.
            startFailure = new Error(why);
            current = -1;
          }
          if (current >= 0)
            finish(current, { ok: false, path: paths[current]!, code: 'READ_WORKER_CRASHED', message: why });
          current = -1;
          end();
        };
        const send = () => {
          if (next >= total) {
            void worker.terminate().finally(end);
            return;
          }
          current = next++;
          worker.postMessage({ id: current, path: paths[current] });
        };
        worker.on('message', (msg: { id: number; result: ImageReadResult }) => {
          answered = true;
          current = -1;
          finish(msg.id, msg.result);
          send();
        });
        worker.on('error', (e) => crashed(`the reading thread failed: ${e.message}`));
        worker.on('exit', (code) => crashed(`the reading thread exited with code ${code}`));
        worker.once('online', send);
      });
    }
  };
  await Promise.all(Array.from({ length: workers }, lane));
  if (startFailure) {
    throw datasetError('SCAN_WORKER_START_FAILED', `a reading thread could not start: ${startFailure.message}`, {
      received: options.workers,
      fix: 'pass --workers 0 to read in the main thread, and report the message',
      cause: startFailure,
    });
  }
  return results;
}
