// Test helper for the wasm kernel tests (not exported from the package).

/** Deterministic pseudo-random values in [-1, 1) from a 32-bit LCG (no dependence on either backend's RNG). */
export function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}
