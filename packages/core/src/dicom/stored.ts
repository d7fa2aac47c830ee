// Stored pixel values: typed arrays exactly as the file encodes the samples (pydicom's `pixel_array`),
// in the BitsStored range (bits-stored.ts), colour always interleaved (RGBRGB…); a zero-copy view over
// the file's bytes where the layout allows.
import type { PixelModule } from './pixel-module.js';
import { dicomError } from './errors.js';
import { maskToBitsStored, withinBitsStored } from './bits-stored.js';

/** The typed array `storedPixels()` returns, by BitsAllocated and PixelRepresentation. */
export type StoredPixels =
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | Float32Array
  | Float64Array;

type StoredConstructor =
  | Uint8ArrayConstructor
  | Int8ArrayConstructor
  | Uint16ArrayConstructor
  | Int16ArrayConstructor
  | Uint32ArrayConstructor
  | Int32ArrayConstructor
  | Float32ArrayConstructor
  | Float64ArrayConstructor;

/** The typed-array class of this pixel module's stored samples. */
function storedConstructor(pm: PixelModule): StoredConstructor {
  if (pm.pixelKind === 'float32') return Float32Array;
  if (pm.pixelKind === 'float64') return Float64Array;
  const signed = pm.pixelRepresentation === 1;
  switch (pm.bitsAllocated) {
    case 1:
      return Uint8Array;
    case 8:
      return signed ? Int8Array : Uint8Array;
    case 16:
      return signed ? Int16Array : Uint16Array;
    default:
      return signed ? Int32Array : Uint32Array;
  }
}

/** `n` samples of this pixel module over `bytes`' memory (no copy); `bytes.byteOffset` must be aligned. */
function viewStored(pm: PixelModule, bytes: Uint8Array, n: number): StoredPixels {
  const Ctor = storedConstructor(pm) as Uint8ArrayConstructor;
  return new Ctor(bytes.buffer, bytes.byteOffset, n);
}

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * A view is returned only when the frame fills at least half of the ArrayBuffer it would keep alive:
 * a small frame of a large buffer (one frame of a long multi-frame file, a file inside a larger
 * download) is copied instead, so holding on to `storedPixels()` never pins much more memory than it shows.
 */
function pinsMuchMore(bytes: Uint8Array): boolean {
  return bytes.byteLength * 2 < bytes.buffer.byteLength;
}

/** Options of {@link storedFromBytes}. */
export interface StoredFromBytesOptions {
  /** Colour samples are planar (RR…GG…BB…): they are interleaved into a new array. */
  planar?: boolean;
  /** Multi-byte samples are big endian (retired Explicit VR Big Endian). */
  bigEndian?: boolean;
  /**
   * `src` is a fresh buffer nothing else references (codec output): it may become the stored array and
   * be fixed in place. Otherwise (the file's own bytes) it is only ever read.
   */
  owned?: boolean;
}

/**
 * Builds stored pixels from sample bytes (`bytesPerSample` = BitsAllocated/8), little endian unless
 * `bigEndian`. Zero-copy where it can be: little-endian samples at an aligned offset, interleaved, already
 * in the BitsStored range (checked by a read-only scan) and filling at least half of their buffer give a
 * typed-array view over `src`'s memory. Anything else is copied once (one `slice`) and fixed in place.
 * Throws DICOM_PIXEL_DATA_SHORT before creating any view when `src` holds less than one frame.
 */
export function storedFromBytes(src: Uint8Array, pm: PixelModule, options: StoredFromBytesOptions = {}): StoredPixels {
  const n = pm.rows * pm.columns * pm.samplesPerPixel;
  const bps = storedConstructor(pm).BYTES_PER_ELEMENT;
  if (src.length < n * bps) {
    throw dicomError('DICOM_PIXEL_DATA_SHORT', `a frame needs ${n * bps} bytes but only ${src.length} are present`, {
      received: `${src.length} bytes`,
      fix: 'the pixel data is incomplete; re-export the file',
    });
  }
  const bytes = src.subarray(0, n * bps);
  const swap = bps > 1 && (options.bigEndian === true) === HOST_LITTLE_ENDIAN;
  const interleave = options.planar === true && pm.samplesPerPixel > 1;
  if (!swap && !interleave && bytes.byteOffset % bps === 0 && !pinsMuchMore(bytes)) {
    const view = viewStored(pm, bytes, n);
    if (withinBitsStored(view, pm)) return view;
    if (options.owned) {
      maskToBitsStored(view, pm);
      return view;
    }
  }
  const out = viewStored(pm, bytes.slice(), n);
  if (swap) swapSamples(out);
  maskToBitsStored(out, pm);
  return interleave ? planarToInterleaved(out, pm.rows * pm.columns, pm.samplesPerPixel) : out;
}

/** Reverses the byte order of every sample of `a` in place. */
function swapSamples(a: StoredPixels): void {
  if (a instanceof Uint16Array || a instanceof Int16Array) {
    const u = new Uint16Array(a.buffer, a.byteOffset, a.length);
    for (let i = 0; i < u.length; i++) {
      const v = u[i]!;
      u[i] = (v >>> 8) | ((v & 0xff) << 8);
    }
  } else {
    swapBytes(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), a.BYTES_PER_ELEMENT);
  }
}

/** Reverses the byte order of every `size`-byte word in place. */
function swapBytes(b: Uint8Array, size: number): void {
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
