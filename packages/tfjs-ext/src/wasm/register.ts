// Registers cxrkit's training kernels for the tfjs `wasm` backend. Nothing here runs on other backends.
// tfjs-layers registers tfjs-core's gradients on import; importing it first guarantees that the
// FusedBatchNorm gradient exists (to be wrapped) and is not re-registered over ours later.
import '@tensorflow/tfjs-layers';
import {
  engine,
  getGradient,
  getKernel,
  registerGradient,
  registerKernel,
  unregisterKernel,
  type GradConfig,
  type KernelConfig,
} from '@tensorflow/tfjs-core';
import { registerGradientFixes } from '../gradients/register-gradient-fixes.js';
import { sharedState } from '../shared-state.js';
import { conv2DBackpropFilterWasmConfig } from './conv2d-backprop-filter.js';
import { conv2DBackpropInputWasmConfig } from './conv2d-backprop-input.js';
import { fusedBatchNormGradConfig } from './batch-norm-grad.js';
import { guardBackendMemory } from './memory.js';
import { avgPoolGradWasmConfig, maxPoolGradWasmConfig } from './pool-grads.js';
import { bnTrainingGradWasmConfig, bnTrainingWasmConfig } from './batch-norm-training.js';
import { adamWasmConfig } from './adam.js';
import { splitVWasmConfig } from './split-v.js';

const KERNELS: KernelConfig[] = [
  conv2DBackpropFilterWasmConfig,
  conv2DBackpropInputWasmConfig,
  maxPoolGradWasmConfig,
  avgPoolGradWasmConfig,
  bnTrainingWasmConfig,
  bnTrainingGradWasmConfig,
  adamWasmConfig,
  splitVWasmConfig,
];

/** What registration replaced (to restore it), shared by every copy of this package (see shared-state.ts). */
const state = sharedState('cxrkit.tfjs-ext.wasm-kernels.v1', () => ({
  saved: undefined as { kernels: Map<string, KernelConfig | undefined>; bnGrad: GradConfig | undefined } | undefined,
}));

/** Names of the kernels (for backend 'wasm') and gradients that {@link registerWasmTrainingKernels} installs. */
export const wasmTrainingKernelNames: readonly string[] = [
  ...KERNELS.map((k) => k.kernelName),
  'FusedBatchNorm (gradient, wasm only)',
  'AvgPool (gradient fix, all backends)',
];

export interface WasmTrainingKernelOptions {
  /**
   * Also replace tfjs's slow-but-present pieces (Conv2DBackpropInput, MaxPoolGrad, AvgPoolGrad, the
   * FusedBatchNorm gradient).
   * Default true; false registers only what is missing (Conv2DBackpropFilter) — for comparisons.
   */
  replaceSlowKernels?: boolean;
}

/**
 * Makes the tfjs `wasm` backend train fast: registers Conv2DBackpropFilter (missing in tfjs 4.22),
 * replaces the scalar-loop Conv2DBackpropInput, MaxPoolGrad and AvgPoolGrad, and swaps the
 * FusedBatchNorm gradient for one without Tile — built from wasm's own XNNPACK kernels or single
 * passes over the wasm heap. Also applies {@link registerGradientFixes} (all backends). Idempotent;
 * other backends are unaffected. Returns false when already registered. Also installs the wasm
 * out-of-memory guard ({@link installWasmMemoryGuard}).
 *
 * Importing `@cxrkit/tfjs-ext` (or `@cxrkit/models`) arms {@link autoRegisterWasmTrainingKernels}, which
 * calls this whenever the wasm backend becomes active: an explicit call is only needed after
 * {@link unregisterWasmTrainingKernels}, or with options. Call it after `@tensorflow/tfjs-backend-wasm`
 * was imported (that import registers tfjs's own kernels over any registered before it).
 *
 * ```ts
 * await initBackend({ kind: 'wasm', load: () => import('@tensorflow/tfjs-backend-wasm') });
 * registerWasmTrainingKernels({ replaceSlowKernels: false }); // e.g. only the missing kernel
 * ```
 */
export function registerWasmTrainingKernels(options: WasmTrainingKernelOptions = {}): boolean {
  if (state.saved) return false;
  const replace = options.replaceSlowKernels ?? true;
  const kernels = new Map<string, KernelConfig | undefined>();
  for (const cfg of replace ? KERNELS : KERNELS.filter((c) => getKernel(c.kernelName, c.backendName) === undefined)) {
    const prev = getKernel(cfg.kernelName, cfg.backendName);
    kernels.set(cfg.kernelName, prev);
    if (prev) unregisterKernel(cfg.kernelName, cfg.backendName);
    // Every kernel installs the out-of-memory guard on the backend it runs on (a property check once
    // installed), so a backend initialised after this call is guarded from its first training kernel.
    registerKernel({
      ...cfg,
      kernelFunc: (args) => {
        guardBackendMemory(args.backend);
        return cfg.kernelFunc(args);
      },
    });
  }
  const bnGrad = replace ? getGradient('FusedBatchNorm') : undefined;
  if (bnGrad) registerGradient(fusedBatchNormGradConfig(bnGrad));
  registerGradientFixes();
  // Only an already-initialised wasm backend (findBackend would start initialising it).
  const wasm = (engine() as unknown as { registry?: Record<string, unknown> }).registry?.['wasm'];
  if (wasm) guardBackendMemory(wasm);
  state.saved = { kernels, bnGrad };
  return true;
}

/**
 * Restores the kernels and the BN gradient that {@link registerWasmTrainingKernels} replaced (for
 * tests/benchmarks) and disarms {@link autoRegisterWasmTrainingKernels}; the AvgPool gradient fix stays.
 * Returns false when nothing was registered.
 */
export function unregisterWasmTrainingKernels(): boolean {
  disarm();
  const saved = state.saved;
  if (!saved) return false;
  for (const [name, prev] of saved.kernels) {
    unregisterKernel(name, 'wasm');
    if (prev) registerKernel(prev);
  }
  if (saved.bnGrad) registerGradient(saved.bnGrad);
  state.saved = undefined;
  return true;
}

/** True while cxrkit's wasm training kernels are registered. */
export function wasmTrainingKernelsRegistered(): boolean {
  return state.saved !== undefined;
}

/** A kernel name no op uses: only its setupFunc matters (tfjs-core runs it when a backend becomes active). */
const SETUP_HOOK = 'CxrkitWasmTrainingSetup';

/**
 * Makes the wasm backend get cxrkit's training kernels by itself, however it is activated
 * (`initBackend`, `tf.setBackend('wasm')`, `tf.ready()`): registers, for backend 'wasm', a setup hook
 * that tfjs-core runs each time that backend becomes active — by then `@tensorflow/tfjs-backend-wasm`
 * has registered its own kernels, so ours replace them and are not overwritten — and registers the
 * kernels at once when a wasm backend is already initialised. Other backends never see it. Importing
 * `@cxrkit/tfjs-ext` (or `@cxrkit/models`) calls it; {@link unregisterWasmTrainingKernels} disarms it.
 * Idempotent; returns false when already armed.
 */
export function autoRegisterWasmTrainingKernels(): boolean {
  if (getKernel(SETUP_HOOK, 'wasm')) return false;
  registerKernel({
    kernelName: SETUP_HOOK,
    backendName: 'wasm',
    kernelFunc: () => {
      throw new Error(`[cxrkit/tfjs-ext] ${SETUP_HOOK} is a setup hook, not an op`);
    },
    setupFunc: () => void registerWasmTrainingKernels(),
  });
  if ((engine() as unknown as { registry?: Record<string, unknown> }).registry?.['wasm']) registerWasmTrainingKernels();
  return true;
}

function disarm(): void {
  if (getKernel(SETUP_HOOK, 'wasm')) unregisterKernel(SETUP_HOOK, 'wasm');
}
