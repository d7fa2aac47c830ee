// The onnxruntime predictor: same `predict` contract as createTfjsPredictor (@cxrkit/models).
import { CxrkitError, describeValue } from '@cxrkit/core/tfjs-free';
import { concatChunks, orderInputs, resolveBatchSize, sliceRows } from '@cxrkit/models/predictor';
import type { PredictInputs, PredictOutputs, Predictor, PredictorOptions } from '@cxrkit/models/predictor';

/** The parts of `onnxruntime-node` / `onnxruntime-web` the predictor uses (both export them). */
export interface OrtModule {
  InferenceSession: { create(model: Uint8Array | string, options?: Record<string, unknown>): Promise<OrtSession> };
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => unknown;
  env?: { wasm?: { numThreads?: number; wasmPaths?: unknown }; versions?: Record<string, string> };
}

export interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, unknown>): Promise<Record<string, { data: unknown; dims: readonly number[] }>>;
  release?(): Promise<void>;
}

export interface OnnxPredictorOptions extends PredictorOptions {
  /**
   * Loads onnxruntime; pass it so your bundler sees the import and cxrkit never picks one:
   * `load: () => import('onnxruntime-node')` (Node) or `load: () => import('onnxruntime-web')` (browser, wasm).
   */
  load: () => Promise<unknown> | unknown;
  /** Threads for one inference (onnxruntime intra-op threads; onnxruntime-web: wasm threads). Default: onnxruntime's own (all cores). */
  threads?: number;
  /** Execution providers in order of preference. Default: the runtime's own ('cpu' for onnxruntime-node, 'wasm' for onnxruntime-web). */
  executionProviders?: string[];
  /** Graph optimisations at session creation. Default 'all' (includes Conv+BatchNormalization fusion). */
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  /**
   * Let idle intra-op threads spin-wait (onnxruntime's default, true): lowest latency on a quiet machine.
   * Set false where other processes share the cores — measured here under load ≈ 10 on 2 cores, InceptionV3
   * at 512 px went from 1.63 s to 0.86 s per image (bench/onnx.bench.ts --no-spin). onnxruntime-node only.
   */
  allowSpinning?: boolean;
  /** Further onnxruntime SessionOptions, merged last (e.g. `{ extra: { session: { intra_op: { allow_spinning: '0' } } } }`). */
  sessionOptions?: Record<string, unknown>;
  /**
   * Let onnxruntime-node send its usage telemetry. Default false: cxrkit sets ORT_DISABLE_TELEMETRY=1 (unless
   * the environment already sets it) before the first session, because onnxruntime-node 1.30 otherwise writes
   * a device id and an event database under ~/.cache/Microsoft/DeveloperTools/.onnxruntime and a
   * `mat-debug-<pid>.log` and `.ses` file in the temp folder of every process (a medical service must not).
   * It only takes effect before the process's first onnxruntime session.
   */
  telemetry?: boolean;
}

/** The ONNX predictor: a {@link Predictor} plus the session it runs. */
export interface OnnxPredictor extends Predictor {
  readonly session: OrtSession;
}

function resolveOrt(mod: unknown): OrtModule {
  const m = mod as Partial<OrtModule> & { default?: Partial<OrtModule> };
  const ort = m?.InferenceSession ? m : m?.default?.InferenceSession ? m.default : undefined;
  if (!ort || typeof ort.Tensor !== 'function') {
    throw new CxrkitError(
      'ONNX_RUNTIME_INVALID',
      'load() did not return an onnxruntime module (no InferenceSession/Tensor)',
      {
        received: describeValue(Object.keys((mod as object) ?? {})),
        fix: "pass load: () => import('onnxruntime-node') or () => import('onnxruntime-web')",
        pkg: 'onnx',
      },
    );
  }
  return ort as OrtModule;
}

/**
 * Opens an exported cxrkit model (ONNX bytes, or a file path/URL onnxruntime can open) on an injected
 * onnxruntime and returns a predictor with the same `predict` contract as `createTfjsPredictor`:
 * images `[batch, h, w, c]` NHWC float32 (plus named extra inputs), outputs keyed by the tfjs output names.
 *
 * ```ts
 * const p = await createOnnxPredictor(bytes, { load: () => import('onnxruntime-node'), threads: 2, batchSize: 8 });
 * const out = await p.predict({ data, shape: [n, 512, 512, 1] });
 * ```
 * @throws CxrkitError `ONNX_RUNTIME_NOT_INSTALLED` when `load` fails, `ONNX_RUNTIME_INVALID` when it gives
 *   something else, `ONNX_SESSION_FAILED` when onnxruntime rejects the model, `PREDICT_BAD_INPUT` / `PREDICT_BAD_OPTION`.
 */
export async function createOnnxPredictor(
  model: Uint8Array | string,
  options: OnnxPredictorOptions,
): Promise<OnnxPredictor> {
  if (typeof options?.load !== 'function') {
    throw new CxrkitError('ONNX_BAD_OPTION', 'createOnnxPredictor needs `load`, the onnxruntime import', {
      received: describeValue(options?.load),
      fix: "pass load: () => import('onnxruntime-node') (Node) or () => import('onnxruntime-web') (browser)",
      pkg: 'onnx',
    });
  }
  const batchSize = resolveBatchSize(options.batchSize, 'onnx');
  if (options.threads !== undefined && (!Number.isInteger(options.threads) || options.threads < 1)) {
    throw new CxrkitError('PREDICT_BAD_OPTION', 'threads must be a positive integer', {
      received: options.threads,
      fix: 'pass e.g. threads: 2',
      pkg: 'onnx',
    });
  }
  if (!options.telemetry && typeof process !== 'undefined' && process.env && !process.env['ORT_DISABLE_TELEMETRY']) {
    process.env['ORT_DISABLE_TELEMETRY'] = '1';
  }
  let mod: unknown;
  try {
    mod = await options.load();
  } catch (cause) {
    throw new CxrkitError('ONNX_RUNTIME_NOT_INSTALLED', 'could not load onnxruntime', {
      received: 'the load() you passed',
      fix: 'install it: ONNXRUNTIME_NODE_INSTALL=skip npm i onnxruntime-node (Node) or npm i onnxruntime-web (browser); see @cxrkit/onnx README',
      cause,
      pkg: 'onnx',
    });
  }
  const ort = resolveOrt(mod);
  if (options.threads !== undefined && ort.env?.wasm) ort.env.wasm.numThreads = options.threads;
  const sessionOptions: Record<string, unknown> = {
    graphOptimizationLevel: options.graphOptimizationLevel ?? 'all',
    executionMode: 'sequential',
  };
  // Unset, each runtime uses its own default: 'cpu' for onnxruntime-node, 'wasm' for onnxruntime-web.
  if (options.executionProviders) sessionOptions['executionProviders'] = options.executionProviders;
  if (options.threads !== undefined) {
    sessionOptions['intraOpNumThreads'] = options.threads;
    sessionOptions['interOpNumThreads'] = 1;
  }
  if (options.allowSpinning !== undefined) {
    sessionOptions['extra'] = {
      session: {
        intra_op: { allow_spinning: options.allowSpinning ? '1' : '0' },
        inter_op: { allow_spinning: options.allowSpinning ? '1' : '0' },
      },
    };
  }
  Object.assign(sessionOptions, options.sessionOptions);
  let session: OrtSession;
  try {
    session = await ort.InferenceSession.create(model, sessionOptions);
  } catch (cause) {
    throw new CxrkitError(
      'ONNX_SESSION_FAILED',
      `onnxruntime could not open the model: ${(cause as Error)?.message ?? String(cause)}`,
      {
        received: typeof model === 'string' ? model : `${model.byteLength} bytes`,
        fix: 'pass the bytes from exportOnnx (or the path of a file written from them)',
        cause,
        pkg: 'onnx',
      },
    );
  }
  const inputNames = [...session.inputNames];
  const outputNames = [...session.outputNames];
  return {
    session,
    inputNames,
    outputNames,
    engine: ort.env?.versions?.['node']
      ? `onnxruntime-node ${ort.env.versions['node']}`
      : ort.env?.versions?.['web']
        ? `onnxruntime-web ${ort.env.versions['web']}`
        : 'onnxruntime',
    async predict(inputs: PredictInputs): Promise<PredictOutputs> {
      const { batches, batch } = orderInputs(inputs, inputNames, 'onnx');
      const chunks: PredictOutputs[] = [];
      for (let start = 0; start < batch; start += batchSize) {
        const end = Math.min(batch, start + batchSize);
        const feeds: Record<string, unknown> = {};
        batches.forEach((b, i) => {
          const s = sliceRows(b, start, end);
          feeds[inputNames[i]!] = new ort.Tensor('float32', s.data, s.shape);
        });
        const result = await session.run(feeds);
        const chunk: PredictOutputs = {};
        for (const name of outputNames) {
          const r = result[name]!;
          chunk[name] = { data: r.data as Float32Array, shape: [...r.dims].map(Number) };
        }
        chunks.push(chunk);
      }
      return concatChunks(chunks, outputNames);
    },
    async dispose() {
      await session.release?.();
    },
  };
}
