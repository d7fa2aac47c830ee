// Test helpers and tolerances of the webgpu conformance tests (not exported from the package). Why these
// numbers: README.md beside this file.

/** `n` deterministic values in [-1, 1) from a 32-bit LCG (no dependence on either backend's RNG). */
export function valuesIn(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** max|a − b| / max|b| (max-norm relative error; 0 when both are all zeros). */
export function maxNormError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let ref = 0;
  let err = 0;
  for (let i = 0; i < b.length; i++) {
    ref = Math.max(ref, Math.abs(b[i]!));
    err = Math.max(err, Math.abs(a[i]! - b[i]!));
  }
  return ref === 0 ? (err === 0 ? 0 : Infinity) : err / ref;
}

export const CONFORMANCE = {
  /** Inference output: max-norm relative (measured ≤ 9e-7). */
  forward: 1e-5,
  /** Training-mode output (batch statistics of 2 images amplify rounding differences). */
  trainingOutput: 1e-3,
  /** Gradients, per layer (its weights together), max-norm relative to the layer's max |cpu gradient|. */
  gradient: 2e-3,
  /** One Adam step: a weight "took another step" when the steps differ by more than this many lr. */
  adamStep: 1e-2,
  /** … and at most this share of all weights may (gradients ≈ 0, where Adam's g/|g| is a coin flip). */
  adamFlippedShare: 1e-3,
  /**
   * Input side and seed per backbone: sides with ≥ 2×2 positions in the last stage (at 1×1 with batch 2,
   * training-mode BN sees 2 values per channel and its gradient is rounding noise); seeds whose cpu
   * gradients have no near-tie flip (README.md).
   */
  backbones: {
    inception_v3: { side: 139, seed: 1 },
    densenet121: { side: 64, seed: 1 },
    densenet169: { side: 64, seed: 1 },
    densenet201: { side: 64, seed: 1 },
    resnet50: { side: 64, seed: 1 },
  } as Record<string, { side: number; seed: number }>,
} as const;
