// wasm32 has a 4 GiB heap. tfjs 4.22's wasm backend does not check malloc: when the heap cannot grow,
// a tensor is silently placed at address 0 and the next kernel either corrupts memory or dies with
// "RuntimeError: memory access out of bounds". This file (1) estimates a training step's heap need
// before it runs and (2) turns a failed allocation into a typed error at the moment it happens.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { CxrkitError } from '@cxrkit/core';

/** Emscripten's heap ceiling for tfjs-backend-wasm 4.22 (getHeapMax(): 4 GiB − 64 KiB). */
export const WASM_HEAP_LIMIT_BYTES = 4_294_901_760;

/**
 * Bytes of wasm heap per float of "activation" (Σ layer output sizes × batch) one Adam training step
 * needs: the forward outputs the tape keeps (conv, BN, ReLU outputs are separate tensors), the
 * backward's gradients and kernel workspaces, and malloc fragmentation. Calibrated on InceptionV3
 * (createModel, training mode, this folder's kernels incl. the fused batch norm and Adam, 2 threads):
 * the heap after 2 steps was 1,409 MiB at 299×299 batch 2 (65.1 M activations), 1,890 MiB at 512×512
 * batch 1 (98.8 M) and 3,068 MiB at 512×512 batch 2 (197.6 M): ≈ 12.5 B per activation plus ≈ 0.7 GiB
 * fixed. With 14 B and 16 B/parameter + 256 MiB the estimate is 1.56, 2.03 and 3.42 GB for those three
 * (conservative), so 512×512 batch 2 fits and batch 3 does not; InceptionV3 at 299 fits up to batch 8.
 * (Before the fused batch norm — tf.moments + tf.batchNorm — a step needed ≈ 25.5 B per activation, and
 * 512×512 batch 2 did not fit; the runtime guard below catches any underestimate.)
 */
export const WASM_TRAIN_BYTES_PER_ACTIVATION = 14;

/** Parameters are held 4× during an Adam step: weights, gradients, first and second moments. */
const BYTES_PER_PARAM = 16;
/** Runtime, XNNPACK's packed-weight operator caches, Adam temporaries, heap-growth slack. */
const FIXED_OVERHEAD_BYTES = 256 * 2 ** 20;

export interface WasmTrainingMemoryEstimate {
  /** Floats of layer outputs per sample (Σ over layers of ∏ output shape without the batch axis). */
  activationsPerSample: number;
  /** Trainable + non-trainable parameters. */
  params: number;
  /** Estimated peak heap bytes of one training step at `batchSize`. */
  bytes: number;
  /** The wasm heap limit the estimate is compared with. */
  limitBytes: number;
  /** Largest batch size estimated to fit (0 when not even one sample fits). */
  maxBatchSize: number;
}

/**
 * Estimates the wasm heap a training step of `model` at `batchSize` needs (bytes; see
 * {@link WASM_TRAIN_BYTES_PER_ACTIVATION}). Input shape comes from the model ([batch, h, w, c]).
 */
export function estimateWasmTrainingMemory(model: tfl.LayersModel, batchSize: number): WasmTrainingMemoryEstimate {
  let activationsPerSample = 0;
  for (const layer of model.layers) {
    const shapes = (Array.isArray(layer.outputShape[0]) ? layer.outputShape : [layer.outputShape]) as Array<
      Array<number | null>
    >;
    for (const s of shapes) activationsPerSample += s.slice(1).reduce<number>((a, b) => a * (b ?? 1), 1);
  }
  const params = model.countParams();
  const fixed = params * BYTES_PER_PARAM + FIXED_OVERHEAD_BYTES;
  const perSample = activationsPerSample * WASM_TRAIN_BYTES_PER_ACTIVATION;
  return {
    activationsPerSample,
    params,
    bytes: fixed + perSample * batchSize,
    limitBytes: WASM_HEAP_LIMIT_BYTES,
    maxBatchSize: Math.max(0, Math.floor((WASM_HEAP_LIMIT_BYTES - fixed) / perSample)),
  };
}

const gib = (b: number) => `${(b / 2 ** 30).toFixed(2)} GiB`;

/**
 * Throws `WASM_OUT_OF_MEMORY` (a CxrkitError) when the active backend is `wasm` and a training step of
 * `model` at `batchSize` is estimated not to fit in the 4 GiB wasm heap; a no-op on other backends.
 * The message names the largest batch that fits and the gradient-accumulation setting that keeps the
 * effective batch. Returns the estimate.
 */
export function assertWasmTrainingFits(model: tfl.LayersModel, batchSize: number): WasmTrainingMemoryEstimate {
  const est = estimateWasmTrainingMemory(model, batchSize);
  if (tf.getBackend() !== 'wasm' || est.bytes <= est.limitBytes) return est;
  const input = model.inputs[0]?.shape.slice(1).join('×') ?? '?';
  const fix =
    est.maxBatchSize >= 1
      ? `use batchSize ${est.maxBatchSize} with accumulationSteps ${Math.ceil(batchSize / est.maxBatchSize)} ` +
        `(same effective batch; consider batchNorm: 'frozen' for tiny batches), a smaller input, or a native backend (tfjs-node)`
      : 'use a smaller input size or a width-scaled model, or a native backend (tfjs-node): one sample does not fit in 4 GiB';
  throw new CxrkitError(
    'WASM_OUT_OF_MEMORY',
    `a training step of '${model.name}' (input ${input}) at batch ${batchSize} needs about ${gib(est.bytes)} of wasm heap; wasm32 has ${gib(est.limitBytes)}`,
    { received: { batchSize, estimatedBytes: est.bytes, maxBatchSize: est.maxBatchSize }, fix, pkg: 'tfjs-ext' },
  );
}

interface EmscriptenLike {
  _malloc: ((n: number) => number) & { __cxrkitGuard?: true };
  _free?: (p: number) => void;
  HEAPU8: Uint8Array;
}

/**
 * Makes an allocation the wasm heap cannot satisfy throw `WASM_OUT_OF_MEMORY` right away, instead of
 * tfjs placing the tensor at address 0 (memory corruption or "memory access out of bounds" later).
 * Wraps `_malloc` of the active wasm backend's Emscripten module; tfjs's tidy scopes then release the
 * step's tensors, so the backend stays usable (e.g. retry with a smaller batch). Idempotent; returns
 * false when the active backend is not wasm. Called by the wasm training kernels on first use.
 */
export function installWasmMemoryGuard(): boolean {
  if (tf.getBackend() !== 'wasm') return false;
  return guardBackendMemory(tf.backend());
}

/** {@link installWasmMemoryGuard} for a given wasm backend object (used by the kernels). */
export function guardBackendMemory(backend: unknown): boolean {
  const m = (backend as { wasm?: EmscriptenLike } | null)?.wasm;
  if (!m || typeof m._malloc !== 'function') return false;
  if (m._malloc.__cxrkitGuard) return true;
  // Emscripten's exported _malloc is a lazy stub that, on first call, rebinds Module._malloc to the raw
  // export (which would drop our wrapper): resolve it first.
  m._free?.(m._malloc(8));
  const original = m._malloc;
  const guarded = Object.assign(
    (n: number): number => {
      const p = original(n);
      if (p === 0 && n > 0) {
        throw new CxrkitError(
          'WASM_OUT_OF_MEMORY',
          `the wasm heap could not grow by ${(n / 2 ** 20).toFixed(1)} MiB (heap is ${gib(m.HEAPU8.length)}, limit ${gib(WASM_HEAP_LIMIT_BYTES)})`,
          {
            received: { requestedBytes: n, heapBytes: m.HEAPU8.length },
            fix: 'lower batchSize and raise accumulationSteps (same effective batch), use a smaller input, or a native backend (tfjs-node)',
            pkg: 'tfjs-ext',
          },
        );
      }
      return p;
    },
    { __cxrkitGuard: true as const },
  );
  m._malloc = guarded;
  return true;
}

/**
 * True for the errors a wasm heap exhaustion surfaces as: our WASM_OUT_OF_MEMORY, Emscripten's
 * "Cannot enlarge memory"/"OOM" aborts, and the "memory access out of bounds" that follows an
 * unchecked failed allocation inside native code.
 */
export function isWasmOutOfMemoryError(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  if ((e as { code?: string }).code === 'WASM_OUT_OF_MEMORY') return true;
  return /memory access out of bounds|Cannot enlarge memory|Aborted\(OOM\)|out of memory/i.test(e.message);
}
