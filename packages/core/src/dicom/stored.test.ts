// storedFromBytes: zero-copy views over the file's bytes where the layout allows (and never past them),
// one copy otherwise; values checked against DataView reads of the same bytes and against the BitsStored
// rule written out per sample. bits-stored.ts's scan and mask, stored-table.ts's table, property-tested.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isCxrkitError } from '../errors.js';
import type { PixelModule } from './pixel-module.js';
import { storedFromBytes, type StoredPixels } from './stored.js';
import { bitsStoredRange, maskToBitsStored, withinBitsStored } from './bits-stored.js';
import { transformStored } from './stored-table.js';

const pmOf = (p: Partial<PixelModule>): PixelModule =>
  ({
    rows: 3,
    columns: 5,
    frames: 1,
    samplesPerPixel: 1,
    photometric: 'MONOCHROME2',
    bitsAllocated: 16,
    bitsStored: 12,
    pixelRepresentation: 0,
    planarConfiguration: 0,
    pixelKind: 'int',
    element: {} as PixelModule['element'],
    ...p,
  }) as PixelModule;

/** `count` little-endian 16-bit samples written with DataView at byte `offset` of a buffer of `size` bytes. */
function le16(values: number[], offset: number, size: number): Uint8Array {
  const buf = new ArrayBuffer(size);
  const dv = new DataView(buf);
  values.forEach((v, i) => dv.setUint16(offset + 2 * i, v & 0xffff, true));
  return new Uint8Array(buf, offset, 2 * values.length);
}

/** The BitsStored rule per sample, written out plainly: keep the low bits, sign-extend when signed. */
function expected(raw: number, pm: PixelModule): number {
  const bs = pm.bitsStored;
  const signed = pm.pixelRepresentation === 1;
  const hi = signed ? 2 ** (bs - 1) - 1 : 2 ** bs - 1;
  const low = ((raw % 2 ** bs) + 2 ** bs) % 2 ** bs;
  return signed && low > hi ? low - 2 ** bs : low;
}

test('an aligned little-endian frame in range is a view over the same memory, read as DataView reads it', () => {
  const values = Array.from({ length: 15 }, (_, i) => i * 273);
  const src = le16(values, 4, 40);
  const s = storedFromBytes(src, pmOf({}));
  assert.ok(s instanceof Uint16Array);
  assert.equal(s.buffer, src.buffer, 'no copy');
  assert.equal(s.byteOffset, 4);
  assert.deepEqual(Array.from(s), values);
});

test('odd offsets, out-of-range samples, big endian, planar colour: copied once, the source never written', () => {
  const values = Array.from({ length: 15 }, (_, i) => 4000 + i * 10); // 4100.. exceed 12 bits
  const odd = le16(
    values.map((v) => v & 0xfff),
    3,
    64,
  );
  const a = storedFromBytes(odd, pmOf({}));
  assert.notEqual(a.buffer, odd.buffer);
  assert.deepEqual(
    Array.from(a),
    values.map((v) => v & 0xfff),
  );

  const over = le16(values, 0, 30);
  const before = over.slice();
  const b = storedFromBytes(over, pmOf({}));
  assert.notEqual(b.buffer, over.buffer);
  assert.deepEqual(
    Array.from(b),
    values.map((v) => expected(v, pmOf({}))),
  );
  assert.deepEqual(over, before, 'the file bytes are untouched');

  const big = new Uint8Array(30);
  const dv = new DataView(big.buffer);
  values.forEach((v, i) => dv.setUint16(2 * i, v & 0xfff, false));
  assert.deepEqual(
    Array.from(storedFromBytes(big, pmOf({}), { bigEndian: true })),
    values.map((v) => v & 0xfff),
  );

  const rgb = pmOf({ samplesPerPixel: 3, bitsAllocated: 8, bitsStored: 8, rows: 1, columns: 2 });
  const planar = new Uint8Array([1, 2, 3, 4, 5, 6]); // RR GG BB
  assert.deepEqual(Array.from(storedFromBytes(planar, rgb, { planar: true })), [1, 3, 5, 2, 4, 6]);
});

test('a codec buffer the reader owns is kept and masked in place', () => {
  const values = [0, 4095, 4097, 4158, 65535, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const pm = pmOf({});
  const masked = le16(values, 0, 30);
  const m = storedFromBytes(masked, pm, { owned: true });
  assert.equal(m.buffer, masked.buffer);
  assert.deepEqual(
    Array.from(m),
    values.map((v) => expected(v, pm)),
  );
  assert.equal(m[2], 1, '4097 masked to 12 bits is 1');
});

test('a frame much smaller than its buffer is copied, so a kept frame never pins a large file', () => {
  const values = Array.from({ length: 15 }, (_, i) => i);
  const small = le16(values, 0, 1000); // 30 bytes of a 1000-byte buffer
  const s = storedFromBytes(small, pmOf({}));
  assert.notEqual(s.buffer, small.buffer);
  assert.equal(s.buffer.byteLength, 30);
  assert.deepEqual(Array.from(s), values);
  const half = le16(values, 0, 60); // exactly half: still a view
  assert.equal(storedFromBytes(half, pmOf({})).buffer, half.buffer);
});

test('too few bytes: DICOM_PIXEL_DATA_SHORT before any view is made', () => {
  const src = le16(
    Array.from({ length: 14 }, () => 1),
    0,
    28,
  );
  assert.throws(
    () => storedFromBytes(src, pmOf({})),
    (e: unknown) => isCxrkitError(e, 'DICOM_PIXEL_DATA_SHORT'),
  );
});

const layouts = fc.constantFrom(
  { bitsAllocated: 8, bitsStored: 6, pixelRepresentation: 0 as const },
  { bitsAllocated: 8, bitsStored: 7, pixelRepresentation: 1 as const },
  { bitsAllocated: 16, bitsStored: 12, pixelRepresentation: 0 as const },
  { bitsAllocated: 16, bitsStored: 15, pixelRepresentation: 0 as const },
  { bitsAllocated: 16, bitsStored: 16, pixelRepresentation: 0 as const },
  { bitsAllocated: 16, bitsStored: 12, pixelRepresentation: 1 as const },
  { bitsAllocated: 32, bitsStored: 20, pixelRepresentation: 0 as const },
  { bitsAllocated: 32, bitsStored: 31, pixelRepresentation: 1 as const },
);

/** Random raw samples of a layout at a random byte offset (aligned or not), as a typed array over them. */
const samplesArb = layouts.chain((layout) =>
  fc
    .record({
      n: fc.integer({ min: 0, max: 40 }),
      misalign: fc.boolean(),
      inRange: fc.boolean(),
      seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    })
    .map(({ n, misalign, inRange, seed }) => {
      const pm = pmOf({ ...layout, rows: 1, columns: n });
      const bytesPer = layout.bitsAllocated / 8;
      // a typed array at an offset that is a multiple of its element size, but not of 4 when `misalign`
      const offset = misalign && bytesPer === 2 ? 2 : 0;
      const buf = new ArrayBuffer(offset + n * bytesPer);
      const Ctor = {
        1: layout.pixelRepresentation ? Int8Array : Uint8Array,
        2: layout.pixelRepresentation ? Int16Array : Uint16Array,
        4: layout.pixelRepresentation ? Int32Array : Uint32Array,
      }[bytesPer as 1 | 2 | 4];
      const a = new Ctor(buf, offset, n) as StoredPixels;
      const [lo, hi] = bitsStoredRange(pm);
      let s = seed >>> 0;
      for (let i = 0; i < n; i++) {
        s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
        a[i] = inRange ? lo + (s % (hi - lo + 1)) : s;
      }
      return { pm, a };
    }),
);

test('withinBitsStored is true exactly when no sample is outside the range (aligned or not)', () => {
  fc.assert(
    fc.property(samplesArb, ({ pm, a }) => {
      const [lo, hi] = bitsStoredRange(pm);
      const naive = Array.from(a as ArrayLike<number>).every((v) => v >= lo && v <= hi);
      assert.equal(withinBitsStored(a, pm), naive);
    }),
  );
});

test('maskToBitsStored masks (sign-extends) every sample as the rule says', () => {
  fc.assert(
    fc.property(samplesArb, ({ pm, a }) => {
      const raw = Array.from(a as ArrayLike<number>);
      maskToBitsStored(a, pm);
      const want = pm.bitsStored >= pm.bitsAllocated ? raw : raw.map((v) => expected(v, pm));
      assert.deepEqual(Array.from(a as ArrayLike<number>), want);
      assert.ok(withinBitsStored(a, pm));
    }),
  );
});

test('transformStored (one table entry per stored value) gives the float32 bits of the per-pixel transform', () => {
  const transform = (values: StoredPixels) => {
    const x = new Float32Array(values as ArrayLike<number>);
    for (let i = 0; i < x.length; i++) x[i] = 1 - Math.min(1, Math.max(0, (x[i]! * 0.7 + 13) / 2047));
    return x;
  };
  fc.assert(
    fc.property(samplesArb, fc.integer({ min: 1, max: 80 }), ({ pm, a }, repeat) => {
      maskToBitsStored(a, pm);
      // repeat the samples so the frame is often larger than the table (the table path), sometimes not
      const big = new (a.constructor as new (n: number) => StoredPixels)(a.length * repeat);
      for (let r = 0; r < repeat; r++) (big as Uint8Array).set(a as Uint8Array, r * a.length);
      const viaTable = transformStored(big, pm, transform);
      assert.deepEqual(new Int32Array(viaTable.buffer), new Int32Array(transform(big).buffer));
    }),
  );
});
