// One shard file of the feature cache: a small header, then raw rows at a page-aligned offset, so the rows
// can be memory-mapped (numpy: np.memmap(file, dtype, 'r', offset=dataOffset, shape=(rows, rowElements))).
//
//   bytes 0–7    magic "CXRKFC01"
//   bytes 8–11   uint32 little-endian: byte length L of the JSON header
//   bytes 12–    the JSON header (ShardHeader), UTF-8; zero padding up to dataOffset (a multiple of 4096)
//   dataOffset–  rows × rowBytes: row r holds the cut tensors of one sample, one after the other, each
//                row-major without the batch dimension (NHWC), float32 or float16, little-endian
//
// A shard is written whole, once (core's writeFileAtomic: temp file, fsync, rename) and never changed;
// the header's CRC-32 of every row lets a reader prove the bytes are the ones written.
// Node only; node: modules are imported when called, so that @cxrkit/models still loads in a browser.
import type { CutTensor } from './split-model.js';

/** The 8-byte signature at the start of every shard. */
export const SHARD_MAGIC = 'CXRKFC01';
/** Rows start at a multiple of this (the page size), so that they can be memory-mapped. */
export const SHARD_ALIGN = 4096;
const PREAMBLE = 12;

/** Storage type of the rows. */
export type FeatureDtype = 'float32' | 'float16';

/** The JSON header of a shard. */
export interface ShardHeader {
  format: 'cxrkit-feature-cache-shard';
  version: 1;
  dtype: FeatureDtype;
  /** Bytes per row (elements × 4 or × 2). */
  rowBytes: number;
  rows: number;
  /** Where row 0 starts. */
  dataOffset: number;
  /** Digest of the frozen prefix (architecture + weights) the rows were computed with. */
  prefix: string;
  /** The cut tensors a row holds, in order. */
  cut: CutTensor[];
  /** The cache key of each row. */
  keys: string[];
  /** CRC-32 (zlib) of each row's bytes. */
  crc32: number[];
}

/** Bytes per element of a storage type. */
export const bytesPerElement = (dtype: FeatureDtype): number => (dtype === 'float16' ? 2 : 4);

/** CRC-32 (zlib's) of some bytes. */
export async function rowChecksum(): Promise<(bytes: Uint8Array) => number> {
  const { crc32 } = await import('node:zlib');
  return (bytes) => crc32(bytes);
}

/** The bytes of a shard holding `rows` (each `fields.rowBytes` long) with the cache `keys` of its rows. */
export async function encodeShard(
  fields: Pick<ShardHeader, 'dtype' | 'rowBytes' | 'prefix' | 'cut'>,
  keys: readonly string[],
  rows: readonly Uint8Array[],
): Promise<Uint8Array> {
  const crc = await rowChecksum();
  const crcs = rows.map((r) => crc(r));
  const json = (dataOffset: number) =>
    Buffer.from(
      JSON.stringify({
        format: 'cxrkit-feature-cache-shard',
        version: 1,
        ...fields,
        rows: rows.length,
        dataOffset,
        keys: [...keys],
        crc32: crcs,
      } satisfies ShardHeader),
    );
  // The offset is written inside the header: grow it until the header fits before it.
  let dataOffset = SHARD_ALIGN;
  let head = json(dataOffset);
  while (PREAMBLE + head.length > dataOffset) {
    dataOffset = Math.ceil((PREAMBLE + head.length) / SHARD_ALIGN) * SHARD_ALIGN;
    head = json(dataOffset);
  }
  const out = new Uint8Array(dataOffset + rows.length * fields.rowBytes);
  out.set(Buffer.from(SHARD_MAGIC, 'ascii'), 0);
  new DataView(out.buffer).setUint32(8, head.length, true);
  out.set(head, PREAMBLE);
  rows.forEach((r, i) => {
    if (r.byteLength !== fields.rowBytes)
      throw new Error(`[cxrkit/models] internal: row ${i} has ${r.byteLength} bytes`);
    out.set(r, dataOffset + i * fields.rowBytes);
  });
  return out;
}

/**
 * Parses a shard's header from its first bytes (`head`, at least the preamble + JSON), checking the
 * magic, the JSON and that `fileBytes` is exactly header + rows. Returns a reason string when it is not
 * a complete shard.
 */
export function decodeShardHeader(head: Uint8Array, fileBytes: number): ShardHeader | string {
  if (head.byteLength < PREAMBLE || Buffer.from(head.subarray(0, 8)).toString('ascii') !== SHARD_MAGIC)
    return 'not a feature-cache shard (no CXRKFC01 signature)';
  const length = new DataView(head.buffer, head.byteOffset, head.byteLength).getUint32(8, true);
  if (PREAMBLE + length > head.byteLength) return `header of ${length} bytes is cut off`;
  let h: ShardHeader;
  try {
    h = JSON.parse(Buffer.from(head.subarray(PREAMBLE, PREAMBLE + length)).toString('utf8')) as ShardHeader;
  } catch {
    return 'header is not valid JSON';
  }
  if (h?.format !== 'cxrkit-feature-cache-shard' || h.version !== 1)
    return `unknown shard format ${h?.format} ${h?.version}`;
  if (!Array.isArray(h.keys) || h.keys.length !== h.rows || !Array.isArray(h.crc32) || h.crc32.length !== h.rows)
    return 'header lists the wrong number of keys or checksums';
  const expected = h.dataOffset + h.rows * h.rowBytes;
  if (fileBytes !== expected)
    return `${fileBytes} bytes where the header promises ${expected} (half-written or truncated)`;
  return h;
}

/** Reads the header of the shard at `path` (its first bytes only). */
export async function readShardHeader(path: string): Promise<ShardHeader | string> {
  const { open } = await import('node:fs/promises');
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    return `cannot open: ${(e as Error).message}`;
  }
  try {
    const { size } = await fh.stat();
    const first = Buffer.alloc(Math.min(size, PREAMBLE));
    await fh.read(first, 0, first.length, 0);
    if (first.length < PREAMBLE) return decodeShardHeader(first, size);
    const length = first.readUInt32LE(8);
    const head = Buffer.alloc(Math.min(size, PREAMBLE + length));
    await fh.read(head, 0, head.length, 0);
    return decodeShardHeader(head, size);
  } finally {
    await fh.close();
  }
}
