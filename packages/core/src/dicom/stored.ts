// Stored pixel values: typed arrays exactly as the file encodes the samples (pydicom's `pixel_array`),
// signed and masked to BitsStored, colour always interleaved (RGBRGB…).
import type { PixelModule } from './pixel-module.js';
import { dicomError } from './errors.js';

/** The typed array `storedPixels()` returns, by BitsAllocated and PixelRepresentation. */
export type StoredPixels = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;

/** Allocates the typed array for `n` samples of this pixel module. */
export function allocStored(pm: PixelModule, n: number): StoredPixels {
  if (pm.pixelKind === 'float32') return new Float32Array(n);
  if (pm.pixelKind === 'float64') return new Float64Array(n);
  const signed = pm.pixelRepresentation === 1;
  switch (pm.bitsAllocated) {
    case 1:
    case 8:
      return signed && pm.bitsAllocated === 8 ? new Int8Array(n) : new Uint8Array(n);
    case 16:
      return signed ? new Int16Array(n) : new Uint16Array(n);
    default:
      return signed ? new Int32Array(n) : new Uint32Array(n);
  }
}

/** Masks unsigned samples to BitsStored and sign-extends signed ones, in place. */
export function maskToBitsStored(a: StoredPixels, pm: PixelModule): void {
  if (pm.pixelKind !== 'int' || pm.bitsAllocated === 1 || pm.bitsStored >= pm.bitsAllocated) return;
  const bs = pm.bitsStored;
  if (pm.pixelRepresentation === 1) {
    const shift = 32 - bs;
    for (let i = 0; i < a.length; i++) a[i] = (a[i]! << shift) >> shift;
  } else {
    const mask = bs >= 32 ? 0xffffffff : 2 ** bs - 1;
    if (bs < 31) for (let i = 0; i < a.length; i++) a[i] = a[i]! & mask;
    else for (let i = 0; i < a.length; i++) a[i] = a[i]! % (mask + 1);
  }
}

/**
 * Builds stored pixels from little-endian sample bytes (`bytesPerSample` = BitsAllocated/8), interleaved
 * or planar as `planar` says. Used for native little-endian frames and for codec output.
 */
export function storedFromBytes(src: Uint8Array, pm: PixelModule, planar: boolean, bigEndian = false): StoredPixels {
  const n = pm.rows * pm.columns * pm.samplesPerPixel;
  const out = allocStored(pm, n);
  const bps = out.BYTES_PER_ELEMENT;
  if (src.length < n * bps) {
    throw dicomError('DICOM_PIXEL_DATA_SHORT', `a frame needs ${n * bps} bytes but only ${src.length} are present`, {
      received: `${src.length} bytes`,
      fix: 'the pixel data is incomplete; re-export the file',
    });
  }
  const bytes = new Uint8Array(out.buffer);
  bytes.set(src.subarray(0, n * bps));
  if (bigEndian && bps > 1) swapBytes(bytes, bps);
  maskToBitsStored(out, pm);
  return planar && pm.samplesPerPixel > 1 ? planarToInterleaved(out, pm.rows * pm.columns, pm.samplesPerPixel) : out;
}

/** Reverses the byte order of every `size`-byte word in place. */
export function swapBytes(b: Uint8Array, size: number): void {
  for (let i = 0; i + size <= b.length; i += size) {
    for (let j = 0; j < size >> 1; j++) {
      const t = b[i + j]!;
      b[i + j] = b[i + size - 1 - j]!;
      b[i + size - 1 - j] = t;
    }
  }
}

/** RR…GG…BB… → RGBRGB… (a new array of the same type). */
export function planarToInterleaved<T extends StoredPixels>(a: T, pixels: number, spp: number): T {
  const out = new (a.constructor as new (n: number) => T)(a.length);
  for (let s = 0; s < spp; s++) {
    const base = s * pixels;
    for (let i = 0; i < pixels; i++) out[i * spp + s] = a[base + i]!;
  }
  return out;
}

/** Unpacks 1-bit samples (LSB first, frames not byte-aligned) starting at bit `bitOffset`. */
export function unpackBits(src: Uint8Array, bitOffset: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const bit = bitOffset + i;
    out[i] = (src[bit >> 3]! >> (bit & 7)) & 1;
  }
  return out;
}
