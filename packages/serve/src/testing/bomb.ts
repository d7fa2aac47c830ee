// Test helper (not part of the package API): the decompression bomb of issue 14 — a DICOM in the Deflated
// Explicit VR Little Endian transfer syntax whose header declares 16384 × 16384 16-bit pixels (512 MiB of
// zeros), deflated to about half a megabyte. Built here, streamed through zlib, so no 512 MiB buffer exists.
import { createDeflateRaw } from 'node:zlib';

const enc = new TextEncoder();
const LONG_VRS = new Set(['OB', 'OW', 'SQ', 'UN', 'UT', 'UC', 'UR', 'OF', 'OD', 'OL']);

/** One explicit-VR little-endian element (value padded to even length). */
function element(group: number, elem: number, vr: string, value: Uint8Array, declaredLength?: number): Uint8Array {
  const padded = value.length % 2 ? Uint8Array.of(...value, vr === 'UI' ? 0 : 0x20) : value;
  const long = LONG_VRS.has(vr);
  const head = new Uint8Array(long ? 12 : 8);
  const dv = new DataView(head.buffer);
  dv.setUint16(0, group, true);
  dv.setUint16(2, elem, true);
  head.set(enc.encode(vr), 4);
  if (long) dv.setUint32(8, declaredLength ?? padded.length, true);
  else dv.setUint16(6, padded.length, true);
  const out = new Uint8Array(head.length + padded.length);
  out.set(head);
  out.set(padded, head.length);
  return out;
}
const str = (g: number, e: number, vr: string, s: string) => element(g, e, vr, enc.encode(s));
const us = (g: number, e: number, v: number) => element(g, e, 'US', Uint8Array.of(v & 0xff, v >> 8));
const concat = (parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

/** The bomb's bytes: `side × side` 16-bit pixels declared (default 16384), all zeros, deflated. */
export async function deflateBomb(side = 16384): Promise<Uint8Array> {
  const metaBody = concat([
    element(0x0002, 0x0001, 'OB', Uint8Array.of(0, 1)),
    str(0x0002, 0x0002, 'UI', '1.2.840.10008.5.1.4.1.1.1'),
    str(0x0002, 0x0003, 'UI', '2.25.1401'),
    str(0x0002, 0x0010, 'UI', '1.2.840.10008.1.2.1.99'), // Deflated Explicit VR Little Endian
  ]);
  const groupLength = element(0x0002, 0x0000, 'UL', new Uint8Array(new Uint32Array([metaBody.length]).buffer));
  const header = concat([
    str(0x0008, 0x0016, 'UI', '1.2.840.10008.5.1.4.1.1.1'),
    str(0x0008, 0x0018, 'UI', '2.25.1401'),
    str(0x0008, 0x0060, 'CS', 'CR'),
    us(0x0028, 0x0002, 1),
    str(0x0028, 0x0004, 'CS', 'MONOCHROME2'),
    us(0x0028, 0x0010, side),
    us(0x0028, 0x0011, side),
    us(0x0028, 0x0100, 16),
    us(0x0028, 0x0101, 16),
    us(0x0028, 0x0102, 15),
    us(0x0028, 0x0103, 0),
  ]);
  const pixelBytes = side * side * 2;
  const pixelHead = element(0x7fe0, 0x0010, 'OW', new Uint8Array(0), pixelBytes);
  const deflate = createDeflateRaw({ level: 9 });
  const chunks: Buffer[] = [];
  deflate.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    deflate.on('end', resolve);
    deflate.on('error', reject);
  });
  deflate.write(header);
  deflate.write(pixelHead);
  const zeros = Buffer.alloc(2 ** 20);
  for (let left = pixelBytes; left > 0; left -= zeros.length) {
    if (!deflate.write(left >= zeros.length ? zeros : zeros.subarray(0, left))) {
      await new Promise((r) => deflate.once('drain', r));
    }
  }
  deflate.end();
  await done;
  const preamble = new Uint8Array(132);
  preamble.set(enc.encode('DICM'), 128);
  return concat([preamble, groupLength, metaBody, ...chunks.map((c) => new Uint8Array(c))]);
}
