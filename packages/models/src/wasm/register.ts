// Registers cxrkit's training kernels for the tfjs `wasm` backend. Nothing here runs on other backends.
// tfjs-layers registers tfjs-core's gradients on import; importing it first guarantees that the
// FusedBatchNorm gradient exists (to be wrapped) and is not re-registered over ours later.
import '@tensorflow/tfjs-layers';
import { engine, getGradient, getKernel, registerGradient, registerKernel, unregisterKernel, type GradConfig, type KernelConfig } from '@tensorflow/tfjs-core';
import { conv2DBackpropFilterWasmConfig } from './conv2d-backprop-filter.js';
import { conv2DBackpropInputWasmConfig } from './conv2d-backprop-input.js';
import { fusedBatchNormGradConfig } from './batch-norm-grad.js';
import { guardBackendMemory } from './memory.js';
import { avgPoolGradWasmConfig, maxPoolGradWasmConfig } from './pool-grads.js';
import { avgPoolGradConfig } from './avg-pool-grad.js';
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

let saved: { kernels: Map<string, KernelConfig | undefined>; bnGrad: GradConfig | undefined } | undefined;
let avgPoolOriginal: GradConfig | undefined;

/** Names of the kernels (for backend 'wasm') and gradients that {@link registerWasmTrainingKernels} installs. */
export const wasmTrainingKernelNames: readonly string[] = [
  ...KERNELS.map((k) => k.kernelName),
  'FusedBatchNorm (gradient, wasm only)',
  'AvgPool (gradient fix, all backends)',
];

/**
 * Fixes tfjs 4.22's AvgPool gradient for 'same' padding on EVERY backend (see avg-pool-grad.ts: tfjs
 * divides border windows' gradient by fH·fW instead of the in-bounds count its forward pass uses;
 * InceptionV3's 3×3/1 'same' average pools are affected). Idempotent. Train on any backend after
 * calling it; {@link registerWasmTrainingKernels} calls it too.
 */
export function registerGradientFixes(): void {
  if (avgPoolOriginal) return;
  const original = getGradient('AvgPool');
  if (!original) return;
  avgPoolOriginal = original;
  registerGradient(avgPoolGradConfig(original));
}

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
 * passes over the wasm heap. Also applies {@link registerGradientFixes} (all backends). Call once, before or after the wasm backend is
 * initialised; idempotent. Other backends are unaffected. Returns false when already registered.
 * Also installs the wasm out-of-memory guard ({@link installWasmMemoryGuard}).
 *
 * ```ts
 * await initBackend({ kind: 'wasm', load: () => import('@tensorflow/tfjs-backend-wasm') });
 * registerWasmTrainingKernels();
 * ```
 */
export function registerWasmTrainingKernels(options: WasmTrainingKernelOptions = {}): boolean {
  if (saved) return false;
  const replace = options.replaceSlowKernels ?? true;
  const kernels = new Map<string, KernelConfig | undefined>();
  for (const cfg of replace ? KERNELS : KERNELS.filter((c) => getKernel(c.kernelName, c.backendName) === undefined)) {
    const prev = getKernel(cfg.kernelName, cfg.backendName);
    kernels.set(cfg.kernelName, prev);
    if (prev) unregisterKernel(cfg.kernelName, cfg.backendName);
    // Every kernel installs the out-of-memory guard on the backend it runs on (a property check once
    // installed), so a backend initialised after this call is guarded from its first training kernel.
    registerKernel({ ...cfg, kernelFunc: (args) => (guardBackendMemory(args.backend), cfg.kernelFunc(args)) });
  }
  const bnGrad = replace ? getGradient('FusedBatchNorm') : undefined;
  if (bnGrad) registerGradient(fusedBatchNormGradConfig(bnGrad));
  registerGradientFixes();
  // Only an already-initialised wasm backend (findBackend would start initialising it).
  const wasm = (engine() as unknown as { registry?: Record<string, unknown> }).registry?.['wasm'];
  if (wasm) guardBackendMemory(wasm);
  saved = { kernels, bnGrad };
  return true;
}

/** Restores the kernels and the BN gradient that {@link registerWasmTrainingKernels} replaced (for tests/benchmarks); the AvgPool gradient fix stays. */
export function unregisterWasmTrainingKernels(): boolean {
  if (!saved) return false;
  for (const [name, prev] of saved.kernels) {
    unregisterKernel(name, 'wasm');
    if (prev) registerKernel(prev);
  }
  if (saved.bnGrad) registerGradient(saved.bnGrad);
  saved = undefined;
  return true;
}
