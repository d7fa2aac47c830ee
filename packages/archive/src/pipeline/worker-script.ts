// Where the prepare worker's code is and how to start it: the built `prepare-worker.js` (`.cjs`) beside the
// bundle when installed, or `prepare-worker.ts` through tsx when this package runs from its sources in the
// repository (`--conditions=cxrkit-source --import tsx`). A worker does not get the parent's `--import tsx`
// hooks before its entry loads (Node 20), so the source path starts from a tiny bootstrap that registers tsx
// first, then imports the TypeScript entry.
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** How the prepare worker is started from this module's location. */
export interface WorkerScript {
  /** 'source' (TypeScript through tsx) or 'built' (JavaScript from dist/). */
  mode: 'source' | 'built';
  /** The worker entry's URL. */
  entry: URL;
}

/** The prepare worker's entry for this module's location (`here`: its import.meta.url). */
export function prepareWorkerScript(here: string = import.meta.url): WorkerScript {
  if (/\.[cm]?ts$/.test(new URL(here).pathname)) return { mode: 'source', entry: new URL('./prepare-worker.ts', here) };
  const ext = new URL(here).pathname.endsWith('.cjs') ? '.cjs' : '.js';
  return { mode: 'built', entry: new URL(`./prepare-worker${ext}`, here) };
}

/** Starts a worker thread on `script` with `options` (workerData, …), registering tsx first for sources. */
export function startWorker(script: WorkerScript, options: WorkerOptions): Worker {
  if (script.mode === 'built') return new Worker(script.entry, options);
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap =
    `import(${JSON.stringify(tsx)}).then((m) => { m.register(); ` +
    `return import(${JSON.stringify(script.entry.href)}); });`;
  return new Worker(bootstrap, { ...options, eval: true, execArgv: ['--conditions=cxrkit-source'] });
}
