import * as tf from '@tensorflow/tfjs-core';
import { CxrkitError, describeValue, didYouMean } from './errors.js';
import { assertWebGpuAdapter, currentGpu, installWebGpu } from './webgpu-node.js';

/** The TensorFlow.js backends cxrkit knows how to activate. */
export type BackendKind = 'cpu' | 'wasm' | 'node' | 'node-gpu' | 'webgpu';

/** Every {@link BackendKind}. */
export const BACKEND_KINDS: readonly BackendKind[] = ['cpu', 'wasm', 'node', 'node-gpu', 'webgpu'];

/** npm package that provides each backend, and the name it registers under in tfjs-core. */
export const BACKEND_PACKAGES: Readonly<Record<BackendKind, { pkg: string; name: string }>> = {
  cpu: { pkg: '@tensorflow/tfjs-backend-cpu', name: 'cpu' },
  wasm: { pkg: '@tensorflow/tfjs-backend-wasm', name: 'wasm' },
  node: { pkg: '@tensorflow/tfjs-node', name: 'tensorflow' },
  'node-gpu': { pkg: '@tensorflow/tfjs-node-gpu', name: 'tensorflow' },
  webgpu: { pkg: '@tensorflow/tfjs-backend-webgpu', name: 'webgpu' },
};

export interface InitBackendOptions {
  /** Which backend to activate. */
  kind: BackendKind;
  /**
   * Loads the backend package, which registers itself with tfjs-core on import. Pass it so your
   * bundler sees the import and cxrkit never hard-wires one:
   * `load: () => import('@tensorflow/tfjs-node-gpu')`. When omitted, cxrkit tries a dynamic import of
   * the package by name (works in Node when the package is installed).
   */
  load?: () => Promise<unknown> | unknown;
  /** wasm only: a directory or per-file map where the `.wasm` binaries live (default: next to the package). */
  wasmPaths?: string | Record<string, string>;
  /** wasm only: number of threads when the threaded build is available. */
  threads?: number;
  /**
   * webgpu only, where there is no `navigator.gpu` (Node): loads a WebGPU implementation, installed as
   * `navigator.gpu` before `load` runs — Dawn's Node binding `gpu: () => import('webgpu')` (needs a Vulkan
   * driver on Linux), or any function returning a `GPU` object. Ignored when `navigator.gpu` exists.
   */
  gpu?: () => Promise<unknown> | unknown;
  /** webgpu with Dawn only: flags for Dawn's `create()`, e.g. `['backend=vulkan']`, `['adapter=NVIDIA H200']`. */
  gpuFlags?: readonly string[];
}

/**
 * Activates a TensorFlow.js backend that the caller injects and returns its registered name
 * (`'cpu'`, `'wasm'`, `'tensorflow'` or `'webgpu'`).
 *
 * ```ts
 * await initBackend({ kind: 'node-gpu', load: () => import('@tensorflow/tfjs-node-gpu') });
 * // WebGPU in Node through Dawn (npm `webgpu`); `load` must be a dynamic import, run after `gpu`:
 * const load = () => import('@tensorflow/tfjs-backend-webgpu');
 * await initBackend({ kind: 'webgpu', gpu: () => import('webgpu'), load });
 * ```
 * @throws CxrkitError `BACKEND_UNKNOWN` for a kind not in {@link BACKEND_KINDS},
 *   `BACKEND_NOT_INSTALLED` when the package cannot be loaded, `BACKEND_NOT_REGISTERED` when it loaded
 *   but registered into another copy of tfjs-core, `BACKEND_INIT_FAILED` when it fails to start.
 */
export async function initBackend(options: InitBackendOptions): Promise<string> {
  const kind = options?.kind;
  if (!BACKEND_KINDS.includes(kind)) {
    const guess = typeof kind === 'string' ? didYouMean(kind, BACKEND_KINDS) : undefined;
    throw new CxrkitError('BACKEND_UNKNOWN', `unknown backend kind${guess ? ` — did you mean '${guess}'?` : ''}`, {
      received: kind,
      fix: `pass one of ${BACKEND_KINDS.map((k) => `'${k}'`).join(', ')}`,
    });
  }
  const { pkg, name } = BACKEND_PACKAGES[kind];
  if (kind === 'webgpu') await prepareWebGpu(options);
  let mod: unknown;
  try {
    mod = options.load ? await options.load() : await import(/* @vite-ignore */ /* webpackIgnore: true */ pkg);
  } catch (cause) {
    throw new CxrkitError('BACKEND_NOT_INSTALLED', `could not load the '${kind}' backend package ${pkg}`, {
      received: options.load ? 'the load() you passed' : pkg,
      fix: `install ${pkg} (npm i ${pkg}@4.22.0) or pass \`load\`, e.g. \`load: () => import('${pkg}')\``,
      cause,
    });
  }
  if (kind === 'wasm') configureWasm(mod, options);
  if (tf.findBackendFactory(name) === null && tf.findBackend(name) === null) {
    if (kind === 'webgpu') {
      const message = `${pkg} was loaded before navigator.gpu existed, so it did not register 'webgpu'`;
      throw new CxrkitError('BACKEND_NOT_REGISTERED', message, {
        received: 'a static import of the backend package',
        fix:
          "import it only through initBackend: `load: () => import('@tensorflow/tfjs-backend-webgpu')`, " +
          "with `gpu: () => import('webgpu')` in Node",
      });
    }
    throw new CxrkitError(
      'BACKEND_NOT_REGISTERED',
      `${pkg} loaded but did not register '${name}' with this copy of @tensorflow/tfjs-core (two copies installed?)`,
      {
        received: tf.version_core,
        fix: 'install exactly one @tensorflow/tfjs-core (4.22.0): run `npm ls @tensorflow/tfjs-core` and dedupe',
      },
    );
  }
  let ok = false;
  try {
    ok = await tf.setBackend(name);
    await tf.ready();
  } catch (cause) {
    throw new CxrkitError('BACKEND_INIT_FAILED', `the '${name}' backend failed to initialise`, {
      received: kind,
      fix: 'see the cause; for wasm check `wasmPaths`',
      cause,
    });
  }
  if (!ok) {
    throw new CxrkitError('BACKEND_INIT_FAILED', `tf.setBackend('${name}') returned false`, {
      received: kind,
      fix: 'see the console output of tfjs for the reason',
    });
  }
  return tf.getBackend();
}

/** Installs the injected WebGPU implementation (Node) and checks for an adapter, before the package loads. */
async function prepareWebGpu(options: InitBackendOptions): Promise<void> {
  if (!currentGpu() && options.gpu) {
    let mod: unknown;
    try {
      mod = await options.gpu();
    } catch (cause) {
      throw new CxrkitError('BACKEND_NOT_INSTALLED', 'could not load the WebGPU implementation passed as `gpu`', {
        received: 'the gpu() you passed',
        fix: "install Dawn's Node binding (npm i webgpu@0.6) and pass `gpu: () => import('webgpu')`",
        cause,
      });
    }
    installWebGpu(mod, options.gpuFlags);
  }
  await assertWebGpuAdapter(currentGpu());
}

interface WasmModule {
  setWasmPaths?: (p: string | Record<string, string>, usePlatformFetch?: boolean) => void;
  setThreadsCount?: (n: number) => void;
}

function configureWasm(mod: unknown, options: InitBackendOptions): void {
  const m = ((mod as { setWasmPaths?: unknown })?.setWasmPaths ? mod : (mod as { default?: unknown })?.default) as
    | WasmModule
    | undefined;
  if (options.wasmPaths !== undefined) {
    if (!m?.setWasmPaths) {
      throw new CxrkitError('BACKEND_INIT_FAILED', 'the loaded wasm module has no setWasmPaths()', {
        received: describeValue(Object.keys((mod as object) ?? {})),
        fix: "make `load` resolve to the module itself: `load: () => import('@tensorflow/tfjs-backend-wasm')`",
      });
    }
    m.setWasmPaths(options.wasmPaths);
  }
  if (options.threads !== undefined && m?.setThreadsCount) m.setThreadsCount(options.threads);
}

/** The kind to use when the environment names one (`CXRKIT_BACKEND`), else `fallback`. */
export function backendKindFromEnv(
  env: Record<string, string | undefined> = globalThis.process?.env ?? {},
  fallback: BackendKind = 'cpu',
): BackendKind {
  const v = env.CXRKIT_BACKEND;
  if (v === undefined || v === '') return fallback;
  if (!BACKEND_KINDS.includes(v as BackendKind)) {
    const guess = didYouMean(v, BACKEND_KINDS);
    throw new CxrkitError(
      'BACKEND_UNKNOWN',
      `CXRKIT_BACKEND names no backend${guess ? ` — did you mean '${guess}'?` : ''}`,
      {
        received: v,
        fix: `set CXRKIT_BACKEND to one of ${BACKEND_KINDS.join(', ')}`,
      },
    );
  }
  return v as BackendKind;
}
