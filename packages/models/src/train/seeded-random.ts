// tfjs's random ops and layer initialisers draw their seeds from Math.random when none is given: a
// seeded Math.random makes them repeatable.
import { createRng } from '@cxrkit/core';

/**
 * Runs the synchronous `fn` with `Math.random` replaced by a seeded generator (`createRng(seed)` from
 * @cxrkit/core). tfjs's random ops (dropout masks, Gaussian noise) and layer initialisers draw their seed
 * from `Math.random` when none is given; `train` scopes this around every forward/backward pass so they
 * are a function of (seed, step) and thus repeatable and resumable, and wrapping a model builder in it
 * gives repeatable initial weights. Nothing else can run during the synchronous call, and the original
 * is always restored.
 */
export function withSeededRandom<T>(seed: number, fn: () => T): T {
  const rng = createRng(seed);
  const original = Math.random;
  Math.random = () => rng.next();
  try {
    return fn();
  } finally {
    Math.random = original;
  }
}
