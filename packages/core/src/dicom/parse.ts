// Bytes → dicom-parser DataSet. Handles Part 10 files (preamble + file meta), files without a
// preamble (ACR-NEMA, or a bare file meta group), meta that lies about the data set's VR encoding,
// and the deflated transfer syntax (inflated with fflate, loaded only when needed, size-capped).
import dicomParser from 'dicom-parser';
import type { DataSet, Element } from 'dicom-parser';
import { dicomError } from './errors.js';

export type { DataSet, Element };

const IMPLICIT_LE = '1.2.840.10008.1.2';
const EXPLICIT_LE = '1.2.840.10008.1.2.1';
const EXPLICIT_BE = '1.2.840.10008.1.2.2';
const DEFLATED_LE = '1.2.840.10008.1.2.1.99';

/** Every VR of PS3.5 Table 6.2-1: two bytes that are one of these mark explicit-VR encoding. */
const VRS = new Set(
  'AE AS AT CS DA DS DT FD FL IS LO LT OB OD OF OL OV OW PN SH SL SQ SS ST SV TM UC UI UL UN UR US UT UV'.split(' '),
);

/** Groups a data set (or a preamble-less file meta) can plausibly start with. */
const FIRST_GROUPS = new Set([0x0002, 0x0004, 0x0008]);

/** A parsed file: the data set plus how it was encoded. */
export interface ParsedDataSet {
  dataSet: DataSet;
  /** Transfer syntax UID as declared (file meta), or as inferred for files without one. */
  transferSyntaxUid: string;
  /** How the data set was actually parsed. */
  explicitVR: boolean;
  bigEndian: boolean;
  /** The file had the 128-byte preamble and `DICM`. */
  part10: boolean;
  /** Things that were off but were worked around (shown by `cxrkit inspect`). */
  warnings: string[];
}

/** Limits for {@link parseDataSet}. */
export interface ParseOptions {
  /** Upper bound on the size of a deflated data set once inflated (bytes). */
  maxInflatedBytes: number;
}

interface Encoding {
  explicitVR: boolean;
  bigEndian: boolean;
}

const ENCODINGS: Encoding[] = [
  { explicitVR: true, bigEndian: false },
  { explicitVR: false, bigEndian: false },
  { explicitVR: true, bigEndian: true },
];

/**
 * True when the element at `p` reads sensibly in encoding `enc`: an even group in the range a data set
 * uses (`firstGroups` for a file's first element) and, for explicit VR, a known VR (for implicit VR, no
 * VR where explicit VR would have one).
 */
function looksLike(b: Uint8Array, p: number, enc: Encoding, firstGroups: boolean): boolean {
  if (p + 8 > b.length) return false;
  const group = enc.bigEndian ? (b[p]! << 8) | b[p + 1]! : b[p]! | (b[p + 1]! << 8);
  const okGroup = firstGroups ? FIRST_GROUPS.has(group) : group % 2 === 0 && group >= 0x0004 && group <= 0x7fe0;
  if (!okGroup) return false;
  const hasVr = VRS.has(String.fromCharCode(b[p + 4]!, b[p + 5]!));
  return enc.explicitVR === hasVr;
}

/** The encoding of the element at `p`: `preferred` when it fits, else the first that does. */
function sniffEncoding(b: Uint8Array, p: number, firstGroups: boolean, preferred?: Encoding): Encoding | undefined {
  if (preferred && looksLike(b, p, preferred, firstGroups)) return preferred;
  return ENCODINGS.find((e) => looksLike(b, p, e, firstGroups));
}

const DICM = [0x44, 0x49, 0x43, 0x4d];

/** True when `bytes` carry the 128-byte preamble and the `DICM` marker of a Part 10 file. */
function isPart10(bytes: Uint8Array): boolean {
  return bytes.length >= 132 && DICM.every((c, i) => bytes[128 + i] === c);
}

/**
 * The sniff `readDicom` decides by, without parsing: true for a Part 10 file (`DICM` at byte 128) or bytes
 * that start like a DICOM data set without a preamble (ACR-NEMA, raw, or a bare file meta group: a
 * plausible first element of group 0002, 0004 or 0008 in a known encoding). False bytes make `readDicom`
 * throw `DICOM_NOT_DICOM`; true ones are DICOM, so any later error is a real DICOM error.
 */
export function looksLikeDicom(bytes: Uint8Array): boolean {
  return isPart10(bytes) || sniffEncoding(bytes, 0, true) !== undefined;
}

function messageOf(e: unknown): string {
  const inner = e && typeof e === 'object' && 'exception' in e ? (e as { exception: unknown }).exception : e;
  if (inner instanceof Error) return inner.message;
  return String(inner);
}

/** Maps a dicom-parser exception to DICOM_TRUNCATED (ran past the end) or DICOM_MALFORMED. */
function parseFailure(e: unknown, size: number, where: string) {
  const msg = messageOf(e);
  const truncated =
    /past end|overrun|overread|greater than or equal to 'byteArray' length|unexpected eof|end of buffer/i.test(msg);
  if (truncated) {
    return dicomError('DICOM_TRUNCATED', `the ${where} ends before an element it declares (${msg})`, {
      received: `${size} bytes`,
      fix: 'the file was cut short (incomplete download or transfer): fetch or export it again',
      cause: e,
    });
  }
  return dicomError('DICOM_MALFORMED', `the ${where} cannot be parsed (${msg})`, {
    received: `${size} bytes`,
    fix: 'the file is corrupt or not standard DICOM: re-export it from the PACS or modality',
    cause: e,
  });
}

function cleanUid(s: string | undefined): string | undefined {
  const t = s?.replace(/[\0\s]+$/g, '').trim();
  return t ? t : undefined;
}

/** Parses the data set starting at `position` with the given encoding; meta elements are merged in. */
function parseBody(
  bytes: Uint8Array,
  position: number,
  explicitVR: boolean,
  bigEndian: boolean,
  meta: Record<string, Element>,
): DataSet {
  const parser = bigEndian ? dicomParser.bigEndianByteArrayParser : dicomParser.littleEndianByteArrayParser;
  const elements: Record<string, Element> = {};
  const DataSetCtor = (
    dicomParser as unknown as { DataSet: new (p: unknown, b: Uint8Array, e: Record<string, Element>) => DataSet }
  ).DataSet;
  const dataSet = new DataSetCtor(parser, bytes, elements);
  if (position < bytes.length) {
    const stream = new dicomParser.ByteStream(parser, bytes, position);
    dataSet.warnings = stream.warnings;
    // dicom-parser's typings omit the options argument of these two functions.
    const parse = (explicitVR
      ? dicomParser.parseDicomDataSetExplicit
      : dicomParser.parseDicomDataSetImplicit) as unknown as (ds: DataSet, s: unknown, max: number, o: object) => void;
    parse(dataSet, stream, bytes.length, {});
  } else {
    dataSet.warnings = [];
  }
  for (const [tag, el] of Object.entries(meta)) if (!(tag in elements)) elements[tag] = el;
  return dataSet;
}

/**
 * Parses a DICOM file's bytes into a DataSet. Throws DICOM_NOT_DICOM when the bytes are neither a
 * Part 10 file nor a plausible raw/ACR-NEMA data set, DICOM_TRUNCATED / DICOM_MALFORMED on parse errors.
 */
export async function parseDataSet(bytes: Uint8Array, options: ParseOptions): Promise<ParsedDataSet> {
  const warnings: string[] = [];
  const part10 = isPart10(bytes);
  let position = 0;
  let meta: Record<string, Element> = {};
  let declared: string | undefined;
  if (part10) {
    let header: DataSet & { position?: number };
    try {
      header = dicomParser.readPart10Header(bytes as never) as DataSet & { position?: number };
    } catch (e) {
      throw parseFailure(e, bytes.length, 'file meta information');
    }
    meta = header.elements;
    position = header.position ?? bytes.length;
    declared = cleanUid(safeString(header, 'x00020010'));
    if (!declared) warnings.push('file meta has no Transfer Syntax UID (0002,0010): inferred from the data');
  } else {
    const sniff = sniffEncoding(bytes, 0, true);
    if (!sniff) {
      throw dicomError(
        'DICOM_NOT_DICOM',
        'no "DICM" marker at byte 128 and the bytes do not start like a DICOM data set',
        {
          received: bytes.length < 132 ? `${bytes.length} bytes` : `first bytes ${hex(bytes.subarray(0, 8))}`,
          fix: 'pass a DICOM file (.dcm); PNG/JPEG images need an image reader, not readDicom',
        },
      );
    }
    warnings.push('no preamble/file meta (ACR-NEMA or raw data set): encoding inferred from the first element');
  }

  // Deflated data sets: inflate everything after the file meta, then parse as explicit VR little endian.
  if (declared === DEFLATED_LE) {
    bytes = await inflateRest(bytes, position, options.maxInflatedBytes);
  }

  let explicitVR = declared !== IMPLICIT_LE;
  let bigEndian = declared === EXPLICIT_BE;
  const sniff = sniffEncoding(bytes, position, !part10, declared ? { explicitVR, bigEndian } : undefined);
  if (!declared && sniff) {
    explicitVR = sniff.explicitVR;
    bigEndian = sniff.bigEndian;
  }
  if (sniff && (sniff.explicitVR !== explicitVR || sniff.bigEndian !== bigEndian)) {
    warnings.push(
      `transfer syntax ${declared ?? '(none)'} says ${describeEnc(explicitVR, bigEndian)} but the data set is ${describeEnc(sniff.explicitVR, sniff.bigEndian)}: parsed as the data is`,
    );
    explicitVR = sniff.explicitVR;
    bigEndian = sniff.bigEndian;
  }

  let dataSet: DataSet;
  try {
    dataSet = parseBody(bytes, position, explicitVR, bigEndian, meta);
  } catch (e) {
    throw parseFailure(e, bytes.length, 'data set');
  }
  // A preamble-less file may still carry a file meta group (0002) with the real transfer syntax.
  const inner = part10 ? undefined : cleanUid(safeString(dataSet, 'x00020010'));
  const transferSyntaxUid = declared ?? inner ?? (bigEndian ? EXPLICIT_BE : explicitVR ? EXPLICIT_LE : IMPLICIT_LE);
  return {
    dataSet,
    transferSyntaxUid,
    explicitVR,
    bigEndian,
    part10,
    warnings: [...warnings, ...(dataSet.warnings ?? [])],
  };
}

function describeEnc(explicitVR: boolean, bigEndian: boolean): string {
  return `${explicitVR ? 'explicit' : 'implicit'} VR ${bigEndian ? 'big' : 'little'} endian`;
}

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
}

/** `dataSet.string(tag)` that never throws (dicom-parser throws on out-of-range reads). */
export function safeString(ds: DataSet, tag: string, index?: number): string | undefined {
  try {
    return ds.string(tag, index);
  } catch {
    return undefined;
  }
}

async function inflateRest(bytes: Uint8Array, position: number, maxBytes: number): Promise<Uint8Array> {
  const { Inflate } = await import('fflate');
  const chunks: Uint8Array[] = [];
  let total = 0;
  const inflater = new Inflate((chunk) => {
    total += chunk.length;
    if (total > maxBytes) {
      throw dicomError('DICOM_DIMENSIONS_TOO_LARGE', `the deflated data set inflates to more than ${maxBytes} bytes`, {
        received: `${bytes.length} bytes deflated`,
        fix: 'raise the `maxInflatedBytes` option of readDicom if this file is trusted',
      });
    }
    chunks.push(chunk);
  });
  try {
    // Small slices, so that the size cap is checked as the output grows: pushed whole, a 0.5 MB bomb is
    // inflated to its full 512 MiB before the first chunk reaches the callback (measured: 7.6 s, 1.5 GB).
    const deflated = bytes.subarray(position);
    const slice = 16 * 1024;
    for (let o = 0; o < deflated.length; o += slice) {
      inflater.push(deflated.subarray(o, o + slice), o + slice >= deflated.length);
    }
    if (deflated.length === 0) inflater.push(deflated, true);
  } catch (e) {
    if (e instanceof Error && e.name === 'CxrkitError') throw e;
    if (/unexpected EOF/i.test(messageOf(e))) throw parseFailure(e, bytes.length, 'deflated data set');
    throw dicomError('DICOM_MALFORMED', `the deflated data set cannot be inflated (${messageOf(e)})`, {
      received: `${bytes.length - position} deflated bytes`,
      fix: 'the file is corrupt or cut short: export it again',
      cause: e,
    });
  }
  const out = new Uint8Array(position + total);
  out.set(bytes.subarray(0, position), 0);
  let o = position;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}
