/**
 * Percentiles with numpy's default ("linear") method, from exact order statistics found in O(n):
 * float32 pixels go through a two-pass radix select on their bit patterns, other inputs through a
 * histogram + selection (or a sort when small). No sort of the whole image, no per-pixel allocation.
 */
import { CxrkitError } from '../errors.js';
import { simdRadixCounter } from './simd/preprocess-ops.js';
import { preprocessSimd } from './simd/preprocess-simd.js';

const nanError = () =>
  new CxrkitError('IMAGE_HAS_NAN', 'the image contains NaN pixels', {
    received: 'NaN',
    fix: 'replace NaN pixels (e.g. with 0) before normalising',
  });

/**
 * Percentiles of `values` exactly as `numpy.percentile(values.astype(float64), qs)` computes them
 * (numpy ≥ 1.22, method 'linear'): position `(n − 1)·(q/100)` in the sorted data, and between the two
 * neighbours `a + (b − a)·t` for t < 0.5, `b − (b − a)·(1 − t)` otherwise (numpy's `_lerp`).
 * NaNs are refused (numpy would return NaN). Order statistics are exact: O(n), not a sort (on WASM
 * SIMD where available for float32 input).
 * @param qs percentiles in [0, 100].
 */
export function percentiles(values: ArrayLike<number>, qs: readonly number[]): number[] {
  const n = values.length;
  return percentilesFrom(n, qs, (ks) => {
    if (!(values instanceof Float32Array) || n < RADIX_MIN) return orderStatistics(values, ks);
    const heap = preprocessSimd();
    return radixSelect(n, ks, heap ? simdRadixCounter(heap, heap.put(values), n) : jsRadixCounter(values));
  });
}

/**
 * numpy's linear percentiles of n values, given a function that returns the exact k-th smallest values
 * (0-based ranks `ks`, ascending) as a Map rank → value. Validates n and qs.
 */
export function percentilesFrom(
  n: number,
  qs: readonly number[],
  select: (ks: number[]) => Map<number, number>,
): number[] {
  if (n === 0)
    throw new CxrkitError('IMAGE_EMPTY', 'cannot take percentiles of no values', {
      received: n,
      fix: 'pass a non-empty image',
    });
  for (const q of qs) {
    if (!(q >= 0 && q <= 100)) {
      throw new CxrkitError('PERCENTILE_OUT_OF_RANGE', 'percentiles must be in [0, 100]', {
        received: q,
        fix: 'pass e.g. { lower: 0.5, upper: 99.5 }',
      });
    }
  }
  const plan = qs.map((q) => {
    const pos = (n - 1) * (q / 100);
    if (pos >= n - 1) return { lo: n - 1, hi: n - 1, t: 0 };
    const lo = Math.floor(pos);
    return { lo, hi: lo + 1, t: pos - lo };
  });
  const ks = [...new Set(plan.flatMap((p) => (p.t > 0 ? [p.lo, p.hi] : [p.lo])))].sort((a, b) => a - b);
  const order = select(ks);
  return plan.map(({ lo, hi, t }) => {
    const a = order.get(lo)!;
    if (t === 0) return a;
    const b = order.get(hi)!;
    const d = b - a;
    return t >= 0.5 ? b - d * (1 - t) : a + d * t;
  });
}

/** From this many float32 values on, the radix select beats a sort. */
export const RADIX_MIN = 1 << 16;
const TOP = 1 << 16;

/**
 * The counting passes of the radix select over float32 values, by their monotone keys
 * `key = bits ^ (negative ? 0xffffffff : 0x80000000)` (unsigned key order = numeric order, −0 < +0).
 * The JavaScript and the WASM SIMD versions count the same.
 */
export interface RadixCounter {
  /** Counts of `key >>> 16` (65,536 bins) over every `step`-th value. */
  high(step: number): Int32Array;
  /** For values whose high bin has `slotOfBin[bin] = s ≥ 0`: counts of `key & 0xffff` at `s·65536 + low`. */
  low(slotOfBin: Int8Array, slots: number): Int32Array;
  /** `high(1)` and `low(slotOfBin, slots)` in one pass. */
  both(slotOfBin: Int8Array, slots: number): { high: Int32Array; low: Int32Array };
  /** Whether any value is NaN (asked only when the outermost high bins, where NaN and ±Inf fall, are used). */
  hasNaN(): boolean;
}

/** The JavaScript radix counter over `values`. */
export function jsRadixCounter(values: Float32Array): RadixCounter {
  const bits = new Int32Array(values.buffer, values.byteOffset, values.length);
  return {
    high: (step) => countHigh(bits, step, new Int32Array(TOP)),
    low: (slotOfBin, slots) => countLow(bits, slotOfBin, new Int32Array(slots * TOP)),
    both: (slotOfBin, slots) => countBoth(bits, slotOfBin, new Int32Array(TOP), new Int32Array(slots * TOP)),
    hasNaN: () => values.some(Number.isNaN),
  };
}

// Plain functions over their arguments (not closures) so that the loops compile to tight code.
function countHigh(bits: Int32Array, step: number, high: Int32Array): Int32Array {
  const n = bits.length;
  for (let i = 0; i < n; i += step) {
    const b = bits[i]!;
    high[(b ^ ((b >> 31) | 0x80000000)) >>> 16]!++;
  }
  return high;
}

function countLow(bits: Int32Array, slotOfBin: Int8Array, low: Int32Array): Int32Array {
  const n = bits.length;
  for (let i = 0; i < n; i++) {
    const b = bits[i]!;
    const key = b ^ ((b >> 31) | 0x80000000);
    const s = slotOfBin[key >>> 16]!;
    if (s >= 0) low[(s << 16) | (key & 0xffff)]!++;
  }
  return low;
}

function countBoth(bits: Int32Array, slotOfBin: Int8Array, high: Int32Array, low: Int32Array) {
  const n = bits.length;
  for (let i = 0; i < n; i++) {
    const b = bits[i]!;
    const key = b ^ ((b >> 31) | 0x80000000);
    const h = key >>> 16;
    high[h]!++;
    const s = slotOfBin[h]!;
    if (s >= 0) low[(s << 16) | (key & 0xffff)]!++;
  }
  return { high, low };
}

/** Every `SAMPLE`-th value guesses where the wanted ranks lie. */
const SAMPLE = 16;

/** The high bin of each rank (ascending) in a high histogram, and the rank inside the bin. */
function locate(high: Int32Array, ranks: readonly number[]): Array<{ bin: number; rank: number }> {
  const out: Array<{ bin: number; rank: number }> = [];
  let cum = 0;
  for (let h = 0; h < TOP && out.length < ranks.length; h++) {
    const c = high[h]!;
    while (out.length < ranks.length && ranks[out.length]! < cum + c) {
      out.push({ bin: h, rank: ranks[out.length]! - cum });
    }
    cum += c;
  }
  return out;
}

/**
 * Exact k-th smallest of n float32 values for several k (ascending), by the monotone keys of their
 * bits. A 1-in-16 sample guesses the high bins (16 bits) that hold the wanted ranks; one pass then counts
 * the high bins of all values and the low 16 bits inside the guessed bins (± 1). When a wanted rank
 * turns out to lie in a bin that was not guessed, a second pass counts the low bits there. Integer work
 * only, so the result is exact whatever the distribution.
 */
export function radixSelect(n: number, ks: readonly number[], counter: RadixCounter): Map<number, number> {
  const m = Math.ceil(n / SAMPLE);
  const guessed = locate(
    counter.high(SAMPLE),
    ks.map((k) => Math.min(m - 1, Math.floor((k * m) / n))),
  );
  let slotOfBin = new Int8Array(TOP).fill(-1);
  let slots = 0;
  for (const { bin } of guessed) {
    for (let b = Math.max(0, bin - 1); b <= Math.min(TOP - 1, bin + 1); b++)
      if (slotOfBin[b] === -1) slotOfBin[b] = slots++;
  }
  const counted = counter.both(slotOfBin, slots);
  const { high } = counted;
  let low = counted.low;
  let edge = 0;
  for (let h = 0; h < 128; h++) edge += high[h]! + high[TOP - 1 - h]!;
  if (edge > 0 && counter.hasNaN()) throw nanError();
  const wanted = locate(high, ks);
  if (wanted.length < ks.length) throw new RangeError(`radixSelect: ranks ${ks.join(',')} do not fit ${n} values`);
  if (wanted.some(({ bin }) => slotOfBin[bin] === -1)) {
    // a guess missed: count the low bits of the right bins
    slotOfBin = new Int8Array(TOP).fill(-1);
    slots = 0;
    for (const { bin } of wanted) if (slotOfBin[bin] === -1) slotOfBin[bin] = slots++;
    low = counter.low(slotOfBin, slots);
  }
  const word = new Uint32Array(1);
  const asFloat = new Float32Array(word.buffer);
  const out = new Map<number, number>();
  wanted.forEach(({ bin, rank }, i) => {
    const base = slotOfBin[bin]! * TOP;
    let c = 0;
    let l = 0;
    for (; l < TOP; l++) {
      c += low[base + l]!;
      if (c > rank) break;
    }
    const key = ((bin << 16) | l) >>> 0;
    word[0] = key & 0x80000000 ? key ^ 0x80000000 : ~key;
    out.set(ks[i]!, asFloat[0]!);
  });
  return out;
}

/**
 * Exact k-th smallest values for several k, any numeric input. Small inputs are sorted; large ones go
 * through a 65,536-bin histogram (the binning is monotone, so order statistics stay in their bins) and
 * a selection inside the few bins that hold them.
 */
function orderStatistics(values: ArrayLike<number>, ks: number[]): Map<number, number> {
  const n = values.length;
  const out = new Map<number, number>();
  if (n < RADIX_MIN) {
    const work = Float64Array.from(values);
    for (let i = 0; i < n; i++) if (Number.isNaN(work[i])) throw nanError();
    work.sort();
    for (const k of ks) out.set(k, work[k]!);
    return out;
  }
  let mn = Infinity;
  let mx = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (v < mn) mn = v;
    if (v > mx) mx = v;
    if (Number.isNaN(v)) throw nanError();
  }
  if (!(mx > mn)) {
    for (const k of ks) out.set(k, mn);
    return out;
  }
  const B = 65536;
  const scale = (B - 1) / (mx - mn);
  const counts = new Uint32Array(B);
  for (let i = 0; i < n; i++) counts[Math.floor((values[i]! - mn) * scale)]!++;
  // which bin holds each k, and the rank of k inside it
  const binOf = new Map<number, { bin: number; rank: number }>();
  let cum = 0;
  let j = 0;
  for (let b = 0; b < B && j < ks.length; b++) {
    const c = counts[b]!;
    while (j < ks.length && ks[j]! < cum + c) {
      binOf.set(ks[j]!, { bin: b, rank: ks[j]! - cum });
      j++;
    }
    cum += c;
  }
  const slot = new Int32Array(B).fill(-1);
  const arrays: Float64Array[] = [];
  for (const { bin } of binOf.values()) {
    if (slot[bin] === -1) {
      slot[bin] = arrays.length;
      arrays.push(new Float64Array(counts[bin]!));
    }
  }
  const fill = new Int32Array(arrays.length);
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    const s = slot[Math.floor((v - mn) * scale)]!;
    if (s >= 0) arrays[s]![fill[s]!++] = v;
  }
  for (const [k, { bin, rank }] of binOf) out.set(k, select(arrays[slot[bin]!]!, rank));
  return out;
}

/** Quickselect (Hoare partition, median-of-three): puts the k-th smallest at index k, smaller left. */
function select(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    let x = a[lo]!;
    let y = a[mid]!;
    let z = a[hi]!;
    if (x > y) [x, y] = [y, x];
    if (y > z) [y, z] = [z, y];
    if (x > y) [x, y] = [y, x];
    const pivot = y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}
