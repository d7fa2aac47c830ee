// Registers cxrkit's kernels for the tfjs `webgpu` backend. Nothing here runs on other backends, and
// nothing imports @tensorflow/tfjs-backend-webgpu: each kernel wraps or composes what that package
// registered. Call after the backend package is loaded (initBackend({ kind: 'webgpu', … })).
import { getKernel, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs-core';
import { conv2DBackpropFilterWebGpuConfig, type FilterGradientMode } from './conv2d-backprop-filter.js';
import { deterministicMatMulConfig } from './deterministic-matmul.js';

const BACKEND = 'webgpu';
let saved: Map<string, KernelConfig> | undefined;

/** Names of the 'webgpu' kernels that {@link registerWebGpuTrainingKernels} replaces. */
export const webGpuTrainingKernelNames: readonly string[] = ['Conv2DBackpropFilter', 'BatchMatMul', '_FusedMatMul'];

export interface WebGpuTrainingKernelOptions {
  /**
   * Convolution weight gradient: 'auto' (default: the matmul kernel where tfjs's would sum more than
   * 4,096 rows serially per weight), 'matmul' (always), 'tfjs' (tfjs's own kernel; for comparisons).
   */
  filterGradient?: FilterGradientMode;
}

/**
 * Makes training on the tfjs `webgpu` backend faster and repeatable: the convolution weight gradient as
 * tiled matrix products instead of one serial sum per weight (conv2d-backprop-filter.ts), and matrix
 * products that never use tfjs's split-K program, whose float atomics change the last bits run to run
 * (deterministic-matmul.ts). The gradient fix for 'same' average pools (`registerGradientFixes`, all
 * backends) is applied by `train()` itself. Idempotent; returns false when already registered or when
 * the webgpu backend package is not loaded (its kernels are what these wrap).
 *
 * ```ts
 * const load = () => import('@tensorflow/tfjs-backend-webgpu');
 * await initBackend({ kind: 'webgpu', gpu: () => import('webgpu'), load });
 * registerWebGpuTrainingKernels();
 * ```
 */
export function registerWebGpuTrainingKernels(options: WebGpuTrainingKernelOptions = {}): boolean {
  if (saved) return false;
  const originals = new Map<string, KernelConfig>();
  for (const name of webGpuTrainingKernelNames) {
    const k = getKernel(name, BACKEND);
    if (!k) return false;
    originals.set(name, k);
  }
  const replacements: KernelConfig[] = [
    conv2DBackpropFilterWebGpuConfig(
      originals.get('Conv2DBackpropFilter')!.kernelFunc,
      options.filterGradient ?? 'auto',
    ),
    deterministicMatMulConfig(originals.get('BatchMatMul')!),
    deterministicMatMulConfig(originals.get('_FusedMatMul')!),
  ];
  for (const r of replacements) {
    unregisterKernel(r.kernelName, BACKEND);
    registerKernel(r);
  }
  saved = originals;
  return true;
}

/** Restores tfjs's own kernels (for comparisons and benchmarks). Returns false when nothing was registered. */
export function unregisterWebGpuTrainingKernels(): boolean {
  if (!saved) return false;
  for (const [name, k] of saved) {
    unregisterKernel(name, BACKEND);
    registerKernel(k);
  }
  saved = undefined;
  return true;
}
