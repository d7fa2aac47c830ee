// Bringing stored samples into the BitsStored range: a read-only scan that says whether anything needs
// changing (so a zero-copy view over the file can be returned as it is), and the in-place fix. The bits
// above BitsStored are unused bits whose value is not defined (PS3.5 §8.1.1; old files keep overlays
// there): unsigned samples keep their low BitsStored bits, signed ones are sign-extended from bit
// BitsStored − 1 (what pydicom and GDCM do).
import type { PixelModule } from './pixel-module.js';
import type { StoredPixels } from './stored.js';

/** The range of stored values BitsStored allows: [0, 2^bs − 1] unsigned, [−2^(bs−1), 2^(bs−1) − 1] signed. */
export function bitsStoredRange(pm: PixelModule): [number, number] {
  const bs = pm.bitsStored;
  return pm.pixelRepresentation === 1 ? [-(2 ** (bs - 1)), 2 ** (bs - 1) - 1] : [0, 2 ** bs - 1];
}

/** Whether the samples of this pixel module can hold values outside the BitsStored range at all. */
function hasUnusedBits(pm: PixelModule): boolean {
  return pm.pixelKind === 'int' && pm.bitsAllocated > 1 && pm.bitsStored < pm.bitsAllocated;
}

/** OR of every 16-bit sample of `a`, read two at a time through a 32-bit view where the alignment allows. */
function orOf16(a: Uint16Array): number {
  const n = a.length;
  if (n === 0) return 0;
  let i = 0;
  let acc = 0;
  if (a.byteOffset % 4 !== 0) acc = a[i++]!;
  const pairs = (n - i) >> 1;
  const words = new Int32Array(a.buffer, a.byteOffset + 2 * i, pairs);
  let w = 0;
  for (let k = 0; k < pairs; k++) w |= words[k]!;
  acc |= (w & 0xffff) | (w >>> 16);
  for (i += 2 * pairs; i < n; i++) acc |= a[i]!;
  return acc;
}

/** OR of every sample of an unsigned 8- or 32-bit array (32-bit: as an unsigned number). */
function orOfUnsigned(a: Uint8Array | Uint32Array): number {
  let acc = 0;
  for (let i = 0; i < a.length; i++) acc |= a[i]!;
  return acc >>> 0;
}

/** OR of |v| − (v < 0) over a signed array: below 2^(b−1) exactly when every sample fits in b signed bits. */
function orOfSignedMagnitude(a: Int8Array | Int16Array | Int32Array): number {
  let acc = 0;
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    acc |= v ^ (v >> 31);
  }
  return acc >>> 0;
}

/**
 * True when every sample already lies in the BitsStored range (unsigned [0, 2^BitsStored − 1], signed
 * [−2^(BitsStored−1), 2^(BitsStored−1) − 1]), so {@link maskToBitsStored} would change nothing. Reads only.
 */
export function withinBitsStored(a: StoredPixels, pm: PixelModule): boolean {
  if (!hasUnusedBits(pm)) return true;
  const bs = pm.bitsStored;
  if (pm.pixelRepresentation === 1) {
    return orOfSignedMagnitude(a as Int8Array | Int16Array | Int32Array) < 2 ** (bs - 1);
  }
  const or = a instanceof Uint16Array ? orOf16(a) : orOfUnsigned(a as Uint8Array | Uint32Array);
  return or < 2 ** bs;
}

/** Masks unsigned samples to BitsStored and sign-extends signed ones, in place. */
export function maskToBitsStored(a: StoredPixels, pm: PixelModule): void {
  if (!hasUnusedBits(pm)) return;
  const bs = pm.bitsStored;
  if (pm.pixelRepresentation === 1) {
    const shift = 32 - bs;
    for (let i = 0; i < a.length; i++) a[i] = (a[i]! << shift) >> shift;
  } else if (a instanceof Uint16Array) {
    maskU16(a, 2 ** bs - 1);
  } else {
    // bs < 32 here (bs < BitsAllocated ≤ 32): the mask fits an unsigned 31-bit number or is 2^31 − 1
    const mask = 2 ** bs - 1;
    for (let i = 0; i < a.length; i++) a[i] = (a[i]! & mask) >>> 0;
  }
}

// A monomorphic loop for the common radiograph case (16-bit unsigned).
function maskU16(a: Uint16Array, mask: number): void {
  for (let i = 0; i < a.length; i++) a[i] = a[i]! & mask;
}
