// DICOM RLE Lossless (PS3.5 Annex G). No maintained npm package decodes DICOM RLE on its own (the
// cornerstone loaders embed theirs), and the format is small: a 64-byte header with up to 15 segment
// offsets, each segment PackBits-coded, one segment per byte plane (most significant byte first).
import type { PixelModule } from '../pixel-module.js';
import type { DecodedFrame, FrameCodec } from './types.js';
import { dicomError } from '../errors.js';
import { bytesPerSample } from './check.js';
import { unpackBits } from '../stored.js';

function fail(msg: string, received: unknown) {
  return dicomError('DICOM_DECODE_FAILED', `RLE: ${msg}`, {
    received,
    fix: 'the RLE frame is corrupt; re-export the file',
  });
}

/** Decodes one PackBits segment into `out` at byte `start` with stride `stride`; returns bytes written. */
function unpackSegment(
  src: Uint8Array,
  begin: number,
  end: number,
  out: Uint8Array,
  start: number,
  stride: number,
  count: number,
): number {
  let p = begin;
  let o = 0;
  while (p < end && o < count) {
    const n = src[p++]!;
    if (n < 128) {
      // literal run of n + 1 bytes
      const len = Math.min(n + 1, count - o, end - p);
      for (let i = 0; i < len; i++) out[start + (o + i) * stride] = src[p + i]!;
      p += n + 1;
      o += len;
    } else if (n > 128) {
      // replicate the next byte 257 − n times
      if (p >= end) break;
      const v = src[p++]!;
      const len = Math.min(257 - n, count - o);
      for (let i = 0; i < len; i++) out[start + (o + i) * stride] = v;
      o += len;
    } // n == 128: no-op
  }
  return o;
}

/** Decodes a DICOM RLE frame to little-endian interleaved samples. */
export function decodeRle(src: Uint8Array, pm: PixelModule): DecodedFrame {
  if (src.length < 64)
    throw fail(`frame of ${src.length} bytes is shorter than the 64-byte RLE header`, `${src.length} bytes`);
  const dv = new DataView(src.buffer, src.byteOffset, src.byteLength);
  const segments = dv.getUint32(0, true);
  const bps = bytesPerSample(pm);
  const spp = pm.samplesPerPixel;
  const packed1bit = pm.bitsAllocated === 1;
  const pixels = pm.rows * pm.columns;
  const expected = packed1bit ? spp : spp * bps;
  if (segments !== expected)
    throw fail(
      `${segments} segments but ${expected} expected for ${spp} sample(s) of ${pm.bitsAllocated} bits`,
      segments,
    );
  const offsets: number[] = [];
  for (let i = 0; i < segments; i++) offsets.push(dv.getUint32(4 + 4 * i, true));
  for (let i = 0; i < segments; i++) {
    const o = offsets[i]!;
    if (o < 64 || o > src.length || (i > 0 && o < offsets[i - 1]!))
      throw fail(`segment ${i} offset ${o} is invalid`, o);
  }
  if (packed1bit) {
    const count = Math.ceil(pixels / 8);
    const plane = new Uint8Array(count);
    unpackSegment(src, offsets[0]!, segments > 1 ? offsets[1]! : src.length, plane, 0, 1, count);
    return { bytes: unpackBits(plane, 0, pixels), planar: false, owned: true };
  }
  const out = new Uint8Array(pixels * spp * bps);
  for (let s = 0; s < spp; s++) {
    for (let b = 0; b < bps; b++) {
      const seg = s * bps + b;
      const begin = offsets[seg]!;
      const end = seg + 1 < segments ? offsets[seg + 1]! : src.length;
      // segment b holds the (bps-1-b)-th byte (MSB first); output is little endian, interleaved
      const start = s * bps + (bps - 1 - b);
      const written = unpackSegment(src, begin, end, out, start, spp * bps, pixels);
      if (written < pixels) throw fail(`segment ${seg} decodes to ${written} of ${pixels} bytes`, written);
    }
  }
  return { bytes: out, planar: false, owned: true };
}

/** The RLE codec (pure TypeScript, no WASM). */
export const rleCodec: FrameCodec = {
  name: 'RLE',
  isFrameStart: () => false,
  decode: decodeRle,
};
