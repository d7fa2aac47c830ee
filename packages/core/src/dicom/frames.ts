// Locating one frame's bytes: native pixel data (contiguous frames) and encapsulated pixel data
// (fragments, with or without a Basic Offset Table, one or several fragments per frame).
import type { DataSet, Element } from 'dicom-parser';
import type { PixelModule } from './pixel-module.js';
import { frameBits } from './pixel-module.js';
import { dicomError } from './errors.js';
import { storedFromBytes, unpackBits, type StoredPixels } from './stored.js';

/** Checks that native pixel data holds every declared frame (throws DICOM_PIXEL_DATA_SHORT). */
export function checkNativeLength(ds: DataSet, pm: PixelModule): void {
  const needed = Math.ceil((frameBits(pm) * pm.frames) / 8);
  const el = pm.element;
  const have = Math.min(el.length, ds.byteArray.length - el.dataOffset);
  if (have < needed) {
    throw dicomError(
      'DICOM_PIXEL_DATA_SHORT',
      `pixel data holds ${have} bytes but ${pm.rows}×${pm.columns}×${pm.samplesPerPixel} samples × ${pm.bitsAllocated} bits × ${pm.frames} frame(s) need ${needed}`,
      {
        received: `${have} bytes`,
        fix: 'the header and the pixel data disagree; check Rows/Columns/NumberOfFrames or re-export the file',
      },
    );
  }
}

/**
 * Stored pixels of native frame `f`. Little-endian frames at an aligned offset are a zero-copy view over
 * the file's bytes when already in the BitsStored range (see storedFromBytes for when a copy is made).
 * Big-endian data sets swap multi-byte samples; 8-bit samples in an OW element of a big-endian file are
 * swapped in 16-bit words (PS3.5 §8.1.1).
 */
export function nativeFrame(ds: DataSet, pm: PixelModule, f: number, bigEndian: boolean): StoredPixels {
  const bits = frameBits(pm);
  const start = pm.element.dataOffset;
  const bytes = ds.byteArray as Uint8Array;
  if (pm.bitsAllocated === 1) {
    const n = pm.rows * pm.columns * pm.samplesPerPixel;
    return unpackBits(bytes.subarray(start, start + pm.element.length), f * bits, n);
  }
  const frameBytes = bits / 8;
  const begin = start + f * frameBytes;
  const end = begin + frameBytes;
  // checkNativeLength has checked every frame; checked again here, since a view must never reach past the data
  if (end > bytes.length || end - start > pm.element.length) {
    const holding = Math.min(pm.element.length, bytes.length - start);
    const msg = `frame ${f} ends at byte ${end - start} of pixel data holding ${holding}`;
    throw dicomError('DICOM_PIXEL_DATA_SHORT', msg, {
      received: `${holding} bytes`,
      fix: 'the header and the pixel data disagree; check Rows/Columns/NumberOfFrames or re-export the file',
    });
  }
  if (bigEndian && pm.bitsAllocated === 8 && pm.element.vr !== 'OB') {
    // OW/ambiguous 8-bit data in big endian: swap byte pairs back (whole element is word-swapped).
    const copy = new Uint8Array(frameBytes);
    for (let i = 0; i < frameBytes; i++) {
      const partner = (begin + i - start) ^ 1;
      copy[i] = bytes[start + partner] ?? 0;
    }
    return storedFromBytes(copy, pm, { planar: pm.planarConfiguration === 1, owned: true });
  }
  return storedFromBytes(bytes.subarray(begin, end), pm, {
    planar: pm.planarConfiguration === 1,
    bigEndian: bigEndian && pm.bitsAllocated > 8,
  });
}

/** The bytes of encapsulated frame `f` (fragments concatenated). */
export function encapsulatedFrame(
  ds: DataSet,
  pm: PixelModule,
  f: number,
  isFrameStart: (b: Uint8Array) => boolean,
): Uint8Array {
  const el: Element = pm.element;
  const fragments = el.fragments ?? [];
  const bytes = ds.byteArray as Uint8Array;
  if (fragments.length === 0) {
    throw dicomError('DICOM_PIXEL_DATA_SHORT', 'the encapsulated pixel data has no fragments', {
      received: '0 fragments',
      fix: 'the file holds no compressed frame; re-export it',
    });
  }
  const fragBytes = (i: number) => {
    const fr = fragments[i]!;
    const begin = fr.position;
    const end = Math.min(begin + fr.length, bytes.length);
    return bytes.subarray(begin, end);
  };
  let range: [number, number];
  const bot = el.basicOffsetTable ?? [];
  if (pm.frames === 1) {
    range = [0, fragments.length];
  } else if (bot.length === pm.frames && bot.every((o, i) => i === 0 || o > bot[i - 1]!)) {
    const firstIdx = fragments.findIndex((fr) => fr.offset === bot[f]);
    if (firstIdx < 0) throw badOffsets(f);
    const next = f + 1 < bot.length ? fragments.findIndex((fr) => fr.offset === bot[f + 1]) : fragments.length;
    if (next < 0 || next <= firstIdx) throw badOffsets(f);
    range = [firstIdx, next];
  } else if (fragments.length === pm.frames) {
    range = [f, f + 1];
  } else {
    // No usable offset table and several fragments per frame: a frame starts at each fragment that
    // begins with the codec's start marker (SOI for JPEG/JPEG-LS, SOC for JPEG 2000).
    const starts: number[] = [];
    for (let i = 0; i < fragments.length; i++) if (isFrameStart(fragBytes(i))) starts.push(i);
    if (starts.length < pm.frames) {
      throw dicomError(
        'DICOM_PIXEL_DATA_SHORT',
        `found ${starts.length} compressed frame(s) but NumberOfFrames is ${pm.frames}`,
        {
          received: `${fragments.length} fragments`,
          fix: 'frames are missing from the pixel data; re-export the file',
        },
      );
    }
    range = [starts[f]!, f + 1 < starts.length ? starts[f + 1]! : fragments.length];
  }
  const [a, b] = range;
  if (b - a === 1) return fragBytes(a);
  let size = 0;
  for (let i = a; i < b; i++) size += fragBytes(i).length;
  const out = new Uint8Array(size);
  let o = 0;
  for (let i = a; i < b; i++) {
    const fb = fragBytes(i);
    out.set(fb, o);
    o += fb.length;
  }
  return out;
}

function badOffsets(f: number) {
  return dicomError('DICOM_MALFORMED', `the Basic Offset Table does not point at a fragment for frame ${f}`, {
    received: `frame ${f}`,
    fix: 'the offset table is corrupt; re-export the file',
  });
}
