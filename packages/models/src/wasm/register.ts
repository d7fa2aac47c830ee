// Registers cxrkit's training kernels for the tfjs `wasm` backend. Nothing here runs on other backends.
// tfjs-layers registers tfjs-core's gradients on import; importing it first guarantees that the
// FusedBatchNorm gradient exists (to be wrapped) and is not re-registered over ours later.
import '@tensorflow/tfjs-layers';
import { getGradient, getKernel, registerGradient, registerKernel, unregisterKernel, type GradConfig, type KernelConfig } from '@tensorflow/tfjs-core';
import { conv2DBackpropFilterWasmConfig } from './conv2d-backprop-filter.js';
import { conv2DBackpropInputWasmConfig } from './conv2d-backprop-input.js';
import { fusedBatchNormGradConfig } from './batch-norm-grad.js';

const KERNELS: KernelConfig[] = [conv2DBackpropFilterWasmConfig, conv2DBackpropInputWasmConfig];

let saved: { kernels: Map<string, KernelConfig | undefined>; bnGrad: GradConfig | undefined } | undefined;

/** Names of the kernels (for backend 'wasm') and gradients that {@link registerWasmTrainingKernels} installs. */
export const wasmTrainingKernelNames: readonly string[] = [...KERNELS.map((k) => k.kernelName), 'FusedBatchNorm (gradient)'];

/**
 * Makes the tfjs `wasm` backend train fast: registers Conv2DBackpropFilter (missing in tfjs 4.22),
 * replaces the scalar-loop Conv2DBackpropInput, and swaps the FusedBatchNorm gradient for one without
 * Tile — all built from wasm's own XNNPACK kernels. Call once, before or after the wasm backend is
 * initialised; idempotent. Other backends are unaffected. Returns false when already registered.
 */
export function registerWasmTrainingKernels(): boolean {
  if (saved) return false;
  const kernels = new Map<string, KernelConfig | undefined>();
  for (const cfg of KERNELS) {
    const prev = getKernel(cfg.kernelName, cfg.backendName);
    kernels.set(cfg.kernelName, prev);
    if (prev) unregisterKernel(cfg.kernelName, cfg.backendName);
    registerKernel(cfg);
  }
  const bnGrad = getGradient('FusedBatchNorm');
  if (bnGrad) registerGradient(fusedBatchNormGradConfig(bnGrad));
  saved = { kernels, bnGrad };
  return true;
}

/** Restores the kernels and gradients that {@link registerWasmTrainingKernels} replaced (for tests/benchmarks). */
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
