/**
 * A small seeded pseudo-random generator (sfc32, seeded through splitmix32) with a serialisable state,
 * so a trainer can checkpoint and resume the exact sequence, and every backend and run sees the same
 * numbers. Pure JS on 32-bit integers: no Math.random, no platform dependence.
 */
import { CxrkitError } from '../errors.js';

/** The full state of an {@link Rng}: four unsigned 32-bit integers (JSON-serialisable). */
export type RngState = readonly [number, number, number, number];

/** A seeded random source. All draws advance the state; `state()` / `createRng(state)` resume it. */
export interface Rng {
  /** Uniform float in [0, 1) with 32 bits of randomness. */
  next(): number;
  /** Uniform float in [lo, hi). */
  uniform(lo: number, hi: number): number;
  /** Uniform integer in [lo, hi] (both inclusive). */
  int(lo: number, hi: number): number;
  /** Standard normal draw (Box–Muller; consumes two uniforms). */
  normal(mean?: number, sd?: number): number;
  /** True with probability p. */
  bernoulli(p: number): boolean;
  /** A uniformly chosen element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
  /** Fisher–Yates shuffle of a copy of `items`. */
  shuffle<T>(items: readonly T[]): T[];
  /** The current state (a copy); `createRng(rng.state())` continues the same sequence. */
  state(): RngState;
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * Hashes a seed and any number of integer or string keys into one 32-bit seed (FNV-1a over the
 * keys, then mixed). Use it to derive independent streams, e.g. `deriveSeed(seed, epoch, index)` for
 * per-sample augmentation that does not depend on the order samples were drawn in.
 */
export function deriveSeed(seed: number | string, ...keys: Array<number | string>): number {
  let h = 0x811c9dc5;
  const feed = (v: number | string) => {
    const s = typeof v === 'number' ? `n${Number.isInteger(v) ? v : v.toString()}` : `s${v}`;
    for (let i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    h ^= 0xff;
    h = Math.imul(h, 0x01000193) >>> 0;
  };
  feed(seed);
  for (const k of keys) feed(k);
  return splitmix32(h)();
}

/**
 * Creates a seeded generator. `seed` is a number, a string, or a state saved with `rng.state()`.
 *
 * ```ts
 * const rng = createRng(42);
 * rng.uniform(-5, 5);
 * const saved = rng.state();       // e.g. into a training checkpoint (JSON)
 * const resumed = createRng(saved); // continues exactly where `rng` was
 * ```
 */
export function createRng(seed: number | string | RngState = 0): Rng {
  let a: number, b: number, c: number, d: number;
  if (Array.isArray(seed)) {
    if (seed.length !== 4 || !seed.every((x) => Number.isInteger(x) && x >= 0 && x <= 0xffffffff)) {
      throw new CxrkitError('RNG_BAD_STATE', 'an Rng state is four unsigned 32-bit integers', {
        received: seed,
        fix: 'pass the value returned by rng.state(), unchanged',
      });
    }
    [a, b, c, d] = seed as unknown as [number, number, number, number];
  } else {
    if (typeof seed === 'number' && !Number.isFinite(seed)) {
      throw new CxrkitError('RNG_BAD_SEED', 'the seed must be a finite number or a string', {
        received: seed,
        fix: 'pass e.g. 42',
      });
    }
    const sm = splitmix32(
      typeof seed === 'number' && Number.isInteger(seed) && seed >= 0 && seed <= 0xffffffff
        ? seed
        : deriveSeed(seed as number | string),
    );
    a = sm();
    b = sm();
    c = sm();
    d = sm();
    if ((a | b | c | d) === 0) d = 1;
  }
  const nextU32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = (b ^ (b >>> 9)) >>> 0;
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  // Warm up so nearby seeds decorrelate (only for fresh seeds; a restored state is used as is).
  if (!Array.isArray(seed)) for (let i = 0; i < 12; i++) nextU32();
  const next = () => nextU32() / 4294967296;
  const rng: Rng = {
    next,
    uniform: (lo, hi) => lo + (hi - lo) * next(),
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    normal: (mean = 0, sd = 1) => {
      const u1 = 1 - next(); // (0, 1]
      const u2 = next();
      return mean + sd * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    },
    bernoulli: (p) => next() < p,
    pick: (items) => {
      if (items.length === 0)
        throw new CxrkitError('RNG_EMPTY_PICK', 'cannot pick from an empty array', {
          received: items,
          fix: 'pass at least one item',
        });
      return items[Math.floor(next() * items.length)]!;
    },
    shuffle: (items) => {
      const out = items.slice();
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        const tmp = out[i]!;
        out[i] = out[j]!;
        out[j] = tmp;
      }
      return out;
    },
    state: () => [a >>> 0, b >>> 0, c >>> 0, d >>> 0] as const,
  };
  return rng;
}
