// Registers cxrkit's fixes of tfjs 4.22 gradients, for every backend (gradients are backend-independent).
// tfjs-layers registers tfjs-core's gradients when it is imported, replacing whatever was registered
// before: importing it first guarantees that its AvgPool gradient exists (to be wrapped) and is not
// registered again over the fix later.
import '@tensorflow/tfjs-layers';
import { getGradient, registerGradient, type GradConfig } from '@tensorflow/tfjs-core';
import { sharedState } from '../shared-state.js';
import { avgPoolGradConfig } from './avg-pool-grad.js';

const state = sharedState('cxrkit.tfjs-ext.gradient-fixes.v1', () => ({
  avgPoolOriginal: undefined as GradConfig | undefined,
}));

/**
 * Fixes tfjs 4.22's AvgPool gradient for 'same' padding on EVERY backend (see avg-pool-grad.ts: tfjs
 * divides border windows' gradient by fH·fW instead of the in-bounds count its forward pass uses;
 * InceptionV3's 3×3/1 'same' average pools are affected), so that `model.fit`, `train()` and Grad-CAM
 * differentiate the function the forward pass computes. Idempotent. Importing `@cxrkit/tfjs-ext` (or
 * `@cxrkit/models`) calls it; `train()`, `gradCam()` and `registerWasmTrainingKernels()` call it too.
 * Returns false when the fix was already in place.
 */
export function registerGradientFixes(): boolean {
  if (state.avgPoolOriginal) return false;
  const original = getGradient('AvgPool');
  if (!original) return false;
  state.avgPoolOriginal = original;
  registerGradient(avgPoolGradConfig(original));
  return true;
}

/** True once {@link registerGradientFixes} has replaced the AvgPool gradient. */
export function gradientFixesRegistered(): boolean {
  return state.avgPoolOriginal !== undefined;
}

/**
 * Puts tfjs's own AvgPool gradient back (for comparisons and tests: what tfjs 4.22 alone computes).
 * Returns false when the fix was not registered. {@link registerGradientFixes} applies it again.
 */
export function unregisterGradientFixes(): boolean {
  const original = state.avgPoolOriginal;
  if (!original) return false;
  registerGradient(original);
  state.avgPoolOriginal = undefined;
  return true;
}
