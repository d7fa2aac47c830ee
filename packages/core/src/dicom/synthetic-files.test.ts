// Tiny hand-built DICOM files (explicit VR little endian writer below) for what the shared data lacks:
// encapsulated uncompressed frames with an offset table, BitsStored masking/sign extension with garbage
// high bits, and the Modality LUT → window → MONOCHROME1 chain, with expected values worked out by hand
// from PS3.3 C.11.2.1.2.1 (LINEAR window) and C.7.6.3.1.2 (MONOCHROME1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readDicom } from './read-dicom.js';

const enc = new TextEncoder();
const LONG_VRS = new Set(['OB', 'OW', 'OF', 'SQ', 'UT', 'UN']);

function pad(bytes: Uint8Array, padByte: number): Uint8Array {
  if (bytes.length % 2 === 0) return bytes;
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  out[bytes.length] = padByte;
  return out;
}

/** One explicit VR little-endian element. `length` overrides the value length (0xffffffff = undefined). */
function element(group: number, elem: number, vr: string, value: Uint8Array, length?: number): Uint8Array {
  const long = LONG_VRS.has(vr);
  const head = new Uint8Array(long ? 12 : 8);
  const dv = new DataView(head.buffer);
  dv.setUint16(0, group, true);
  dv.setUint16(2, elem, true);
  head[4] = vr.charCodeAt(0);
  head[5] = vr.charCodeAt(1);
  if (long) dv.setUint32(8, length ?? value.length, true);
  else dv.setUint16(6, value.length, true);
  return concat(head, value);
}

const str = (s: string) => pad(enc.encode(s), s.length % 2 ? 0x20 : 0);
const uid = (s: string) => pad(enc.encode(s), 0);
const us = (v: number) => new Uint8Array(new Uint16Array([v]).buffer);

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function item(tagElem: number, value: Uint8Array): Uint8Array {
  const head = new Uint8Array(8);
  const dv = new DataView(head.buffer);
  dv.setUint16(0, 0xfffe, true);
  dv.setUint16(2, tagElem, true);
  dv.setUint32(4, value.length, true);
  return concat(head, value);
}

/** A Part 10 file: preamble, DICM, file meta with the transfer syntax, then the given elements. */
function part10(transferSyntax: string, body: Uint8Array[]): Uint8Array {
  const meta = concat(
    element(0x0002, 0x0001, 'OB', new Uint8Array([0, 1])),
    element(0x0002, 0x0010, 'UI', uid(transferSyntax)),
  );
  const groupLength = element(0x0002, 0x0000, 'UL', new Uint8Array(new Uint32Array([meta.length]).buffer));
  return concat(new Uint8Array(128), enc.encode('DICM'), groupLength, meta, ...body);
}

function imageModule(o: {
  rows: number;
  cols: number;
  bitsStored: number;
  signed: boolean;
  photometric: string;
  frames?: number;
}): Uint8Array[] {
  return [
    element(0x0028, 0x0002, 'US', us(1)),
    element(0x0028, 0x0004, 'CS', str(o.photometric)),
    ...(o.frames ? [element(0x0028, 0x0008, 'IS', str(String(o.frames)))] : []),
    element(0x0028, 0x0010, 'US', us(o.rows)),
    element(0x0028, 0x0011, 'US', us(o.cols)),
    element(0x0028, 0x0100, 'US', us(16)),
    element(0x0028, 0x0101, 'US', us(o.bitsStored)),
    element(0x0028, 0x0102, 'US', us(o.bitsStored - 1)),
    element(0x0028, 0x0103, 'US', us(o.signed ? 1 : 0)),
  ];
}

const u16bytes = (vals: number[]) => new Uint8Array(new Uint16Array(vals).buffer);

test('encapsulated uncompressed (1.2.840.10008.1.2.1.98), two frames located through the Basic Offset Table', async () => {
  const f0 = [1, 2, 3, 4, 5, 6];
  const f1 = [60000, 7, 8, 9, 10, 11];
  const frag0 = u16bytes(f0);
  const frag1 = u16bytes(f1);
  const bot = new Uint8Array(new Uint32Array([0, 8 + frag0.length]).buffer);
  const pixelItems = concat(
    item(0xe000, bot),
    item(0xe000, frag0),
    item(0xe000, frag1),
    item(0xe0dd, new Uint8Array(0)),
  );
  const file = part10('1.2.840.10008.1.2.1.98', [
    ...imageModule({ rows: 2, cols: 3, bitsStored: 16, signed: false, photometric: 'MONOCHROME2', frames: 2 }),
    element(0x7fe0, 0x0010, 'OB', pixelItems, 0xffffffff),
  ]);
  const im = await readDicom(file);
  assert.equal(im.frames, 2);
  assert.deepEqual(Array.from(im.storedPixels(0)), f0);
  assert.deepEqual(Array.from(im.storedPixels(1)), f1);
  assert.ok(im.storedPixels(1) instanceof Uint16Array);
});

test('BitsStored 12 in 16: unsigned values masked, signed values sign-extended, garbage high bits ignored', async () => {
  const raw = [0x0fff, 0x0800, 0x07ff, 0xf001, 0xa000, 0x0000];
  const mk = (signed: boolean) =>
    part10('1.2.840.10008.1.2.1', [
      ...imageModule({ rows: 2, cols: 3, bitsStored: 12, signed, photometric: 'MONOCHROME2' }),
      element(0x7fe0, 0x0010, 'OW', u16bytes(raw)),
    ]);
  const unsigned = await readDicom(mk(false));
  assert.deepEqual(Array.from(unsigned.storedPixels()), [4095, 2048, 2047, 1, 0, 0]);
  const signed = await readDicom(mk(true));
  assert.ok(signed.storedPixels() instanceof Int16Array);
  assert.deepEqual(Array.from(signed.storedPixels()), [-1, -2048, 2047, 1, 0, 0]);
});

test('rescale → LINEAR window → MONOCHROME1 inversion, against hand-computed values', async () => {
  // stored 8-bit-in-16 values; RescaleSlope 0.5 → modality = v / 2; window c = 50, w = 101:
  // x ≤ c − 0.5 − (w − 1)/2 = −0.5 → 0; x > c − 0.5 + (w − 1)/2 = 99.5 → 1; else (x − 49.5)/100 + 0.5.
  const stored = [0, 99, 150, 200, 250, 1];
  const file = (photometric: string) =>
    part10('1.2.840.10008.1.2.1', [
      ...imageModule({ rows: 2, cols: 3, bitsStored: 8, signed: false, photometric }),
      element(0x0028, 0x1050, 'DS', str('50')),
      element(0x0028, 0x1051, 'DS', str('101')),
      element(0x0028, 0x1053, 'DS', str('0.5')),
      element(0x0028, 0x1052, 'DS', str('0')),
      element(0x7fe0, 0x0010, 'OW', u16bytes(stored)),
    ]);
  const m2 = await readDicom(file('MONOCHROME2'));
  assert.deepEqual(Array.from(m2.modalityPixels()), [0, 49.5, 75, 100, 125, 0.5]);
  const windowed = [0.005, 0.5, 0.755, 1, 1, 0.01];
  const got = Array.from(m2.grayscale(0, { voi: true }).data);
  got.forEach((g, i) => assert.ok(Math.abs(g - windowed[i]!) < 1e-6, `pixel ${i}: ${g} vs ${windowed[i]}`));
  // without VOI: the modality range of 8 stored bits, [0, 127.5], mapped to [0, 1]
  const full = Array.from(m2.grayscale(0).data);
  full.forEach((g, i) => assert.ok(Math.abs(g - stored[i]! / 255) < 1e-6, `pixel ${i}: ${g}`));
  // MONOCHROME1: inverted after the window
  const m1 = Array.from((await readDicom(file('MONOCHROME1'))).grayscale(0, { voi: true }).data);
  m1.forEach((g, i) => assert.ok(Math.abs(g - (1 - windowed[i]!)) < 1e-6, `MONOCHROME1 pixel ${i}: ${g}`));
});
