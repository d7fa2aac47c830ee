// What a training loop calls before its first gradient, so that it needs no set-up call of its own.
import * as tf from '@tensorflow/tfjs-core';
import { tfjsExtError } from './errors.js';
import { registerGradientFixes } from './gradients/register-gradient-fixes.js';
import { registerWasmTrainingKernels, wasmTrainingKernelsRegistered } from './wasm/register.js';

/**
 * Makes the active backend ready to train: applies the gradient fixes (every backend) and, on `wasm`,
 * registers cxrkit's training kernels when they are not registered yet. Idempotent and cheap; `train()`
 * calls it before its first step.
 * @throws CxrkitError `WASM_TRAINING_KERNELS_MISSING` when the wasm backend still has no
 *   Conv2DBackpropFilter afterwards (tfjs-core installed twice: the kernels went into the other copy).
 */
export function ensureTrainingKernels(): void {
  registerGradientFixes();
  const backend = tf.getBackend();
  if (backend !== 'wasm') return;
  if (!wasmTrainingKernelsRegistered()) registerWasmTrainingKernels();
  if (tf.getKernel('Conv2DBackpropFilter', backend) === undefined) {
    throw tfjsExtError(
      'WASM_TRAINING_KERNELS_MISSING',
      'the wasm backend has no Conv2DBackpropFilter kernel, which training needs ' +
        "(tfjs 4.22's wasm backend ships without it)",
      backend,
      'call registerWasmTrainingKernels() from @cxrkit/tfjs-ext once the wasm backend is initialised, ' +
        'with one copy of @tensorflow/tfjs-core installed (npm ls @tensorflow/tfjs-core)',
    );
  }
}
