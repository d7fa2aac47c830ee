// Multi-threaded wasm in Node. tfjs 4.22 (a) reports WASM_HAS_MULTITHREAD_SUPPORT = false whenever
// IS_NODE, (b) hands Emscripten its pthread worker and main script as `blob:` URLs, which Node's
// worker_threads cannot load, and (c) sizes XNNPACK's pool at cores/2 unless setThreadsCount is called.
// prepareWasmThreads() undoes all three, narrowly:
//   (a) sets the flag to true (it is only consulted when the wasm backend initialises);
//   (b) wraps globalThis.Blob / URL.createObjectURL so that ONLY the two blobs tfjs builds for the
//       threaded module (recognised by their content) become real files in a private temp folder;
//       the worker file gets a 4-line prologue that swaps the main-script Blob it is sent for that
//       file's path. Every other Blob/URL call goes to the originals untouched;
//   (c) calls the injected module's setThreadsCount(threads) and answers the one os.cpus() call made
//       by Emscripten's emscripten_num_logical_cores() with 2·threads cores, then restores os.cpus;
//   (d) un-refs the pthread workers once loaded, so that scripts still exit on their own.
// It leans on tfjs-backend-wasm 4.22 internals: if they change, init falls back to tfjs's normal
// single-threaded path and `getWasmThreadsCount()` reports 1 (tested in threads.test.ts).
import * as tf from '@tensorflow/tfjs-core';

/** What prepareWasmThreads needs from `@tensorflow/tfjs-backend-wasm` (the caller injects it). */
export interface WasmBackendModule {
  version_wasm?: string;
  setThreadsCount?: (n: number) => void;
  getThreadsCount?: () => number;
}

export interface WasmThreadsOptions {
  /** XNNPACK pool size. Default: every logical core (`os.availableParallelism()`), at least 1. */
  threads?: number;
}

export interface WasmThreadsPlan {
  /** True when the threaded build will be requested at backend initialisation. */
  enabled: boolean;
  /** Threads requested (1 when not enabled). */
  threads: number;
  /** Why threads were not enabled, when they were not. */
  reason?: string;
}

const MAIN_MARKER = 'var WasmBackendModuleThreadedSimd = ';
const WORKER_MARKER = 'WasmBackendModuleThreadedSimd(Module)';
// The factory's source comes from tfjs's rollup Node bundle, which hoists its requires into
// module-level variables (tf-backend-wasm.node.js lines 20-23 in 4.22.0); a worker evaluating the
// source on its own needs them defined.
const MAIN_PROLOGUE =
  "var commonjsGlobal = globalThis; var require$$0 = require('fs'); var require$$1 = require('path');" +
  " var require$$3 = require('perf_hooks'); var require$$4 = require('os');\n";
/** The tfjs-backend-wasm version whose internals this file was written against. */
export const WASM_THREADS_TESTED_VERSION = '4.22.0';
let installed: { dir: string } | undefined;

/**
 * Prepares tfjs's `wasm` backend to run multi-threaded in Node. Call AFTER importing
 * `@tensorflow/tfjs-backend-wasm` and BEFORE the wasm backend initialises (`initBackend({ kind:
 * 'wasm' })` / `tf.setBackend('wasm')`); pass the imported module:
 *
 * ```ts
 * const wasm = await import('@tensorflow/tfjs-backend-wasm');
 * await prepareWasmThreads(wasm, { threads: 2 });
 * await initBackend({ kind: 'wasm', load: () => wasm });
 * ```
 * Outside Node (browsers decide threading by cross-origin isolation) or without SharedArrayBuffer it
 * changes nothing and says why. Measured 1.3–1.8× on whole models with 2 threads on 2 cores.
 */
export async function prepareWasmThreads(
  wasmModule: WasmBackendModule,
  options: WasmThreadsOptions = {},
): Promise<WasmThreadsPlan> {
  const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';
  if (!isNode) return { enabled: false, threads: 1, reason: 'not Node: tfjs decides threading itself in browsers' };
  if (typeof SharedArrayBuffer === 'undefined')
    return { enabled: false, threads: 1, reason: 'SharedArrayBuffer is unavailable' };
  const os = await import('node:os');
  const threads = Math.max(1, Math.floor(options.threads ?? os.availableParallelism?.() ?? os.cpus().length));
  if (
    !tf.env().getFlags ||
    !('WASM_HAS_MULTITHREAD_SUPPORT' in (tf.env() as unknown as { flagRegistry: object }).flagRegistry)
  ) {
    return {
      enabled: false,
      threads: 1,
      reason: 'import @tensorflow/tfjs-backend-wasm before calling prepareWasmThreads',
    };
  }
  const version = wasmModule.version_wasm ?? (wasmModule as { default?: WasmBackendModule }).default?.version_wasm;
  if (version !== WASM_THREADS_TESTED_VERSION) {
    return {
      enabled: false,
      threads: 1,
      reason: `tfjs-backend-wasm ${version ?? '(unknown version)'} is not the tested ${WASM_THREADS_TESTED_VERSION}`,
    };
  }
  if (threads === 1) {
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    wasmModule.setThreadsCount?.(1);
    return { enabled: false, threads: 1, reason: 'threads: 1 requested' };
  }
  await installBlobFiles();
  await reportCoresOnceToEmscripten(threads);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  wasmModule.setThreadsCount?.(threads);
  return { enabled: true, threads };
}

async function installBlobFiles(): Promise<void> {
  if (installed) return;
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cxrkit-wasm-threads-'));
  const mainPath = path.join(dir, 'tfjs-backend-wasm-threaded-simd.js');
  const workerPath = path.join(dir, 'tfjs-backend-wasm-threaded-simd.worker.cjs');
  const texts = new WeakMap<Blob, string>();
  const OriginalBlob = globalThis.Blob;
  // Records the text of string-only blobs (tfjs builds both of its blobs from one string).
  class RecordingBlob extends OriginalBlob {
    constructor(parts?: BlobPart[], opts?: BlobPropertyBag) {
      super(parts, opts);
      if (parts && parts.length === 1 && typeof parts[0] === 'string') {
        texts.set(this, parts[0]);
        // The main script is posted to workers as this Blob (never through createObjectURL).
        if (parts[0].startsWith(MAIN_MARKER)) fs.writeFileSync(mainPath, MAIN_PROLOGUE + parts[0]);
      }
    }
  }
  const originalCreate = URL.createObjectURL.bind(URL);
  const create = (obj: Blob): string => {
    const text = texts.get(obj);
    if (text !== undefined && text.startsWith(MAIN_MARKER)) return mainPath;
    if (text !== undefined && text.includes(WORKER_MARKER) && text.includes('worker_threads')) {
      // The worker is sent the main script as a Blob it cannot import in Node: hand it the file.
      const prologue =
        `const __cxrkitWt = require('worker_threads'); const __cxrkitOn = __cxrkitWt.parentPort.on.bind(__cxrkitWt.parentPort);\n` +
        `__cxrkitWt.parentPort.on = (ev, fn) => __cxrkitOn(ev, ev !== 'message' ? fn : (d) => {\n` +
        `  if (d && d.cmd === 'load' && typeof d.urlOrBlob !== 'string') d.urlOrBlob = ${JSON.stringify(mainPath)};\n  fn(d); });\n`;
      fs.writeFileSync(workerPath, prologue + text);
      return workerPath;
    }
    return originalCreate(obj);
  };
  // Emscripten assigns global.Worker = worker_threads.Worker; hand it a subclass whose pthread workers
  // stop holding the process open once loaded (XNNPACK's pool threads live forever, so a ref'd worker
  // would keep every script that uses the wasm backend from exiting).
  let WorkerClass: unknown;
  Object.defineProperty(globalThis, 'Worker', {
    configurable: true,
    get: () => WorkerClass,
    set: (Base: unknown) => {
      WorkerClass = typeof Base === 'function' ? unrefWhenLoaded(Base as WorkerCtor, workerPath) : Base;
    },
  });
  globalThis.Blob = RecordingBlob as typeof Blob;
  URL.createObjectURL = create as typeof URL.createObjectURL;
  installed = { dir };
  process.once('exit', () => {
    try {
      fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      /* best effort */
    }
  });
}

type WorkerLike = { ref(): void; unref(): void; on(ev: string, fn: (d: unknown) => void): void };
type WorkerCtor = new (file: string, opts?: object) => WorkerLike;

function unrefWhenLoaded(Base: WorkerCtor, workerPath: string): WorkerCtor {
  return class CxrkitPthreadWorker extends Base {
    constructor(file: string, opts?: object) {
      super(file, opts);
      if (file !== workerPath) return;
      let loaded = false;
      const ref = this.ref.bind(this);
      this.ref = () => {
        if (!loaded) ref();
      };
      this.on('message', (d) => {
        if (!loaded && (d as { cmd?: string } | null)?.cmd === 'loaded') {
          loaded = true;
          this.unref();
        }
      });
    }
  };
}

/**
 * tfjs's native init caps the pool at emscripten_num_logical_cores()/2, i.e. os.cpus().length/2 in
 * Node. Answer that one call (recognised by its caller's name) with 2·threads cores, then restore.
 */
async function reportCoresOnceToEmscripten(threads: number): Promise<void> {
  const os = (await import('node:os')).default as { cpus: () => unknown[] };
  const original = os.cpus;
  if ((original as { __cxrkit?: boolean }).__cxrkit) return;
  const wrapped = Object.assign(
    function cpus(this: unknown): unknown[] {
      const real = original.call(this) as unknown[];
      if (!new Error().stack?.includes('_emscripten_num_logical_cores')) return real;
      os.cpus = original;
      const n = Math.max(real.length, 2 * threads);
      return Array.from({ length: n }, (_, i) => real[i % Math.max(1, real.length)]);
    },
    { __cxrkit: true },
  );
  os.cpus = wrapped;
}

/**
 * Threads XNNPACK actually uses on the active wasm backend (1 for the single-threaded build), read
 * from the backend's Emscripten module; undefined when the active backend is not wasm.
 */
export function getWasmThreadsCount(): number | undefined {
  if (tf.getBackend() !== 'wasm') return undefined;
  const wasm = (tf.backend() as unknown as { wasm?: { tfjs?: { getThreadsCount?: () => number } } }).wasm;
  return wasm?.tfjs?.getThreadsCount?.() ?? 1;
}
