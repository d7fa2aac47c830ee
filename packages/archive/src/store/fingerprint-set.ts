// A set of strings kept as 64-bit fingerprints in one open-addressing table (8 bytes a slot, at most half
// full): what a rerun needs to skip finished paths and refuse duplicate SOP Instance UIDs, in 16–32 bytes per
// entry instead of ~100 for a Set<string> (10 million entries: ~256 MB → ~160 MB at worst, no GC churn).
// Two different strings share a fingerprint with probability ≈ n² / 2^65 (10^7 entries: ~3·10^-6); a
// collision can only make the pipeline skip an instance, never write one twice.

/** The two 32-bit halves of a string's 64-bit fingerprint (cyrb53's two lanes, both kept in full). */
export function fingerprint(s: string): [number, number] {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return [h1 >>> 0, h2 >>> 0];
}

/** A growable set of string fingerprints. */
export class FingerprintSet {
  #table: Uint32Array;
  #size = 0;

  constructor(capacity = 1024) {
    let slots = 16;
    while (slots < capacity * 2) slots *= 2;
    this.#table = new Uint32Array(slots * 2);
  }

  /** Number of entries. */
  get size(): number {
    return this.#size;
  }

  /** True when `s` (or a string with the same fingerprint) was added. */
  has(s: string): boolean {
    const [a, b] = fingerprint(s);
    return this.#find(a, (b | 1) >>> 0) >= 0;
  }

  /** Adds `s`; returns false when it was there already. */
  add(s: string): boolean {
    const [a, b0] = fingerprint(s);
    const b = (b0 | 1) >>> 0; // the low word is never 0: (0, 0) marks an empty slot
    if (this.#find(a, b) >= 0) return false;
    if ((this.#size + 1) * 2 > this.#table.length / 2) this.#grow();
    this.#insert(a, b);
    this.#size++;
    return true;
  }

  #find(a: number, b: number): number {
    const t = this.#table;
    const mask = t.length / 2 - 1;
    for (let i = (a ^ Math.imul(b, 0x9e3779b1)) & mask; ; i = (i + 1) & mask) {
      const x = t[2 * i]!;
      const y = t[2 * i + 1]!;
      if (y === 0) return -1;
      if (x === a && y === b) return i;
    }
  }

  #insert(a: number, b: number): void {
    const t = this.#table;
    const mask = t.length / 2 - 1;
    let i = (a ^ Math.imul(b, 0x9e3779b1)) & mask;
    while (t[2 * i + 1] !== 0) i = (i + 1) & mask;
    t[2 * i] = a;
    t[2 * i + 1] = b;
  }

  #grow(): void {
    const old = this.#table;
    this.#table = new Uint32Array(old.length * 2);
    for (let i = 0; i < old.length; i += 2) if (old[i + 1] !== 0) this.#insert(old[i]!, old[i + 1]!);
  }
}
