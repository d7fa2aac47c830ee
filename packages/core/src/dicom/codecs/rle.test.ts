// The RLE decoder (PS3.5 Annex G) on hand-built frames: PackBits literal/replicate/no-op runs, the
// most-significant-byte-first segment order of 16-bit samples, colour planes, and bad headers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeRle } from './rle.js';
import type { PixelModule } from '../pixel-module.js';
import { isCxrkitError } from '../../errors.js';

const pm = (o: Partial<PixelModule>): PixelModule =>
  ({
    rows: 1,
    columns: 4,
    frames: 1,
    samplesPerPixel: 1,
    photometric: 'MONOCHROME2',
    bitsAllocated: 8,
    bitsStored: 8,
    pixelRepresentation: 0,
    planarConfiguration: 0,
    pixelKind: 'int',
    element: {} as never,
    ...o,
  }) as PixelModule;

/** A frame: 64-byte header with the segment offsets, then the segments. */
function frame(segments: number[][]): Uint8Array {
  const header = new Uint32Array(16);
  header[0] = segments.length;
  let offset = 64;
  segments.forEach((s, i) => {
    header[i + 1] = offset;
    offset += s.length;
  });
  const out = new Uint8Array(offset);
  out.set(new Uint8Array(header.buffer), 0);
  let o = 64;
  for (const s of segments) {
    out.set(s, o);
    o += s.length;
  }
  return out;
}

test('literal run, replicate run and the 128 no-op (8-bit)', () => {
  // 0x01 → 2 literal bytes (10, 20); 0x80 → no-op; 0xff → replicate next byte 2× (7, 7)
  const r = decodeRle(frame([[0x01, 10, 20, 0x80, 0xff, 7]]), pm({ columns: 4 }));
  assert.deepEqual(Array.from(r.bytes), [10, 20, 7, 7]);
  // 0xfd → replicate 4×
  assert.deepEqual(Array.from(decodeRle(frame([[0xfd, 9]]), pm({ columns: 4 })).bytes), [9, 9, 9, 9]);
});

test('16-bit samples: segment 0 holds the high bytes, output is little endian', () => {
  const r = decodeRle(
    frame([
      [0x01, 0x12, 0xab],
      [0x01, 0x34, 0xcd],
    ]),
    pm({ columns: 2, bitsAllocated: 16, bitsStored: 16 }),
  );
  assert.deepEqual(Array.from(new Uint16Array(r.bytes.buffer)), [0x1234, 0xabcd]);
});

test('RGB: one segment per colour plane, output interleaved', () => {
  const r = decodeRle(
    frame([
      [0xff, 1],
      [0xff, 2],
      [0x01, 3, 4],
    ]),
    pm({ columns: 2, samplesPerPixel: 3, photometric: 'RGB' }),
  );
  assert.deepEqual(Array.from(r.bytes), [1, 2, 3, 1, 2, 4]);
});

test('bad frames are DICOM_DECODE_FAILED: short header, wrong segment count, offset past the end, short segment', () => {
  const fails = (b: Uint8Array, p = pm({})) => {
    assert.throws(
      () => decodeRle(b, p),
      (e) => isCxrkitError(e, 'DICOM_DECODE_FAILED'),
    );
  };
  fails(new Uint8Array(10));
  fails(
    frame([
      [0xfd, 9],
      [0xfd, 9],
    ]),
  );
  const bad = frame([[0xfd, 9]]);
  new DataView(bad.buffer).setUint32(4, 5000, true);
  fails(bad);
  fails(frame([[0x00, 9]])); // decodes 1 of 4 bytes
});
