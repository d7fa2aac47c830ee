/**
 * A small DICOM Part 10 writer for synthetic radiographs: CR image storage, explicit VR little endian,
 * MONOCHROME1 or MONOCHROME2, 16 bits allocated / 12 (configurable) bits stored, with file meta, patient
 * age/sex/birth date and study date — so the whole DICOM path (file → reader → preprocessing) is
 * exercised with images whose labels are known. Not a general-purpose DICOM writer.
 */
import { writeFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { GrayImage } from '../image/types.js';
import { CxrkitError } from '../errors.js';
import { createRng, deriveSeed } from '../augment/rng.js';
import type { SyntheticLabels } from './radiograph.js';

/** SOP class UID of Computed Radiography Image Storage. */
export const CR_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.1';
/** Explicit VR Little Endian. */
export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
const IMPLEMENTATION_CLASS_UID = '2.25.182734160946245713802947139587470562318';

export interface EncodeDicomOptions {
  /** MONOCHROME2 (default; 0 = black) or MONOCHROME1 (0 = white, stored inverted, like many CR systems). */
  photometric?: 'MONOCHROME1' | 'MONOCHROME2';
  /** Bits stored (8–16) in 16 bits allocated. Default 12. */
  bitsStored?: number;
  /** Patient ID (LO). Default derived from the seed. */
  patientId?: string;
  /** Patient name (PN). Default `SYNTHETIC^<patientId>`. */
  patientName?: string;
  /** Study date, `YYYYMMDD`. Default 20240115. */
  studyDate?: string;
  /** Field of view width in mm, for PixelSpacing. Default 430 (a 43 cm detector). */
  fieldOfViewMm?: number;
  /** Seed for the UIDs and the birth day within the year. Default 0. */
  seed?: number | string;
  /** View Position (0018,5101), e.g. 'AP' or 'LL'. Default 'PA'. */
  viewPosition?: string;
  /** Accession Number (0008,0050). Default: none written. */
  accessionNumber?: string;
}

/** What to write: pixels in [0, 1] (bright = dense) and, optionally, the synthetic labels. */
export interface DicomSource {
  image: GrayImage;
  labels?: Partial<SyntheticLabels>;
}

const LONG_VRS = new Set(['OB', 'OW', 'OF', 'OD', 'OL', 'OV', 'SQ', 'UT', 'UN', 'UC', 'UR', 'SV', 'UV']);

interface Element {
  tag: number; // (group << 16) | element
  vr: string;
  value: Uint8Array;
}

const enc = new TextEncoder();

function str(tag: number, vr: string, s: string): Element {
  let bytes = enc.encode(s);
  if (bytes.length % 2) {
    const padded = new Uint8Array(bytes.length + 1);
    padded.set(bytes);
    padded[bytes.length] = vr === 'UI' ? 0 : 0x20;
    bytes = padded;
  }
  return { tag, vr, value: bytes };
}

function us(tag: number, v: number): Element {
  const b = new Uint8Array(2);
  new DataView(b.buffer).setUint16(0, v, true);
  return { tag, vr: 'US', value: b };
}

function ul(tag: number, v: number): Element {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v, true);
  return { tag, vr: 'UL', value: b };
}

function encodeElements(elements: Element[]): Uint8Array {
  const sorted = elements.slice().sort((a, b) => a.tag - b.tag);
  let size = 0;
  for (const e of sorted) size += (LONG_VRS.has(e.vr) ? 12 : 8) + e.value.length;
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  let p = 0;
  for (const e of sorted) {
    dv.setUint16(p, e.tag >>> 16, true);
    dv.setUint16(p + 2, e.tag & 0xffff, true);
    out[p + 4] = e.vr.charCodeAt(0);
    out[p + 5] = e.vr.charCodeAt(1);
    if (LONG_VRS.has(e.vr)) {
      dv.setUint16(p + 6, 0, true);
      dv.setUint32(p + 8, e.value.length, true);
      p += 12;
    } else {
      if (e.value.length > 0xffff)
        throw new CxrkitError(
          'DICOM_WRITE_VALUE_TOO_LONG',
          `value of (${(e.tag >>> 16).toString(16)},${(e.tag & 0xffff).toString(16)}) is too long for VR ${e.vr}`,
          { received: e.value.length, fix: 'shorten the value' },
        );
      dv.setUint16(p + 6, e.value.length, true);
      p += 8;
    }
    out.set(e.value, p);
    p += e.value.length;
  }
  return out;
}

function uid(rng: ReturnType<typeof createRng>): string {
  let v = 0n;
  for (let i = 0; i < 4; i++) v = (v << 32n) | BigInt(Math.floor(rng.next() * 4294967296));
  return `2.25.${v.toString()}`;
}

function ds(v: number): string {
  // DS: at most 16 characters
  let s = String(Number(v.toPrecision(10)));
  if (s.length > 16) s = v.toExponential(8);
  return s;
}

/**
 * Encodes a grayscale image (values in [0, 1], dense = bright) as a DICOM Part 10 CR file in
 * explicit VR little endian, 16 bits allocated, `bitsStored` bits stored (default 12), unsigned.
 * Stored value = round(v · (2^bits − 1)) for MONOCHROME2, inverted for MONOCHROME1. Patient age and
 * sex come from `labels`; the birth date is the study date minus the age (and a seeded number of days).
 * The T-score, BMD and WHO class go into ImageComments (0020,4000) as `key=value` pairs.
 * @returns the file's bytes.
 */
export function encodeDicom(source: DicomSource, options: EncodeDicomOptions = {}): Uint8Array {
  const { image, labels = {} } = source;
  const { data, width, height } = image;
  if (!(data instanceof Float32Array) || data.length !== width * height || width > 65535 || height > 65535) {
    throw new CxrkitError(
      'DICOM_WRITE_BAD_IMAGE',
      'image must be { data: Float32Array, width, height } with data.length = width·height ≤ 65535²',
      { received: { width, height, length: data?.length }, fix: 'pass a GrayImage' },
    );
  }
  const photometric = options.photometric ?? 'MONOCHROME2';
  if (photometric !== 'MONOCHROME1' && photometric !== 'MONOCHROME2') {
    throw new CxrkitError('DICOM_WRITE_BAD_OPTION', "photometric must be 'MONOCHROME1' or 'MONOCHROME2'", {
      received: photometric,
      fix: "pass photometric: 'MONOCHROME1'",
    });
  }
  const bits = options.bitsStored ?? 12;
  if (!Number.isInteger(bits) || bits < 8 || bits > 16) {
    throw new CxrkitError('DICOM_WRITE_BAD_OPTION', 'bitsStored must be an integer 8–16', {
      received: bits,
      fix: 'pass bitsStored: 12',
    });
  }
  const studyDate = options.studyDate ?? '20240115';
  if (!/^\d{8}$/.test(studyDate))
    throw new CxrkitError('DICOM_WRITE_BAD_OPTION', 'studyDate must be YYYYMMDD', {
      received: studyDate,
      fix: "pass e.g. studyDate: '20240115'",
    });
  const rng = createRng(deriveSeed(options.seed ?? 0, 'dicom'));
  const patientId = options.patientId ?? `SYN${String(deriveSeed(options.seed ?? 0, 'pid') % 1e8).padStart(8, '0')}`;
  const maxV = 2 ** bits - 1;
  const pixels = new Uint16Array(width * height);
  for (let i = 0; i < pixels.length; i++) {
    const v = data[i]!;
    const q = Math.round((v < 0 || Number.isNaN(v) ? 0 : v > 1 ? 1 : v) * maxV);
    pixels[i] = photometric === 'MONOCHROME1' ? maxV - q : q;
  }
  const pixelBytes = new Uint8Array(pixels.byteLength);
  const pdv = new DataView(pixelBytes.buffer);
  for (let i = 0; i < pixels.length; i++) pdv.setUint16(i * 2, pixels[i]!, true);

  const sopInstance = uid(rng);
  const study = uid(rng);
  const series = uid(rng);
  const spacing = (options.fieldOfViewMm ?? 430) / width;
  const elements: Element[] = [
    str(0x00080005, 'CS', 'ISO_IR 100'),
    str(0x00080008, 'CS', 'DERIVED\\PRIMARY'),
    str(0x00080016, 'UI', CR_IMAGE_STORAGE),
    str(0x00080018, 'UI', sopInstance),
    str(0x00080020, 'DA', studyDate),
    str(0x00080060, 'CS', 'CR'),
    str(0x00080070, 'LO', 'cxrkit synthetic'),
    str(0x00100010, 'PN', options.patientName ?? `SYNTHETIC^${patientId}`),
    str(0x00100020, 'LO', patientId),
    str(0x00180015, 'CS', 'CHEST'),
    str(0x00185101, 'CS', options.viewPosition ?? 'PA'),
    str(0x0020000d, 'UI', study),
    str(0x0020000e, 'UI', series),
    str(0x00200013, 'IS', '1'),
    us(0x00280002, 1),
    str(0x00280004, 'CS', photometric),
    us(0x00280010, height),
    us(0x00280011, width),
    str(0x00280030, 'DS', `${ds(spacing)}\\${ds(spacing)}`),
    us(0x00280100, 16),
    us(0x00280101, bits),
    us(0x00280102, bits - 1),
    us(0x00280103, 0),
    str(0x00281050, 'DS', ds(maxV / 2)),
    str(0x00281051, 'DS', ds(maxV + 1)),
    { tag: 0x7fe00010, vr: 'OW', value: pixelBytes },
  ];
  if (options.accessionNumber !== undefined) elements.push(str(0x00080050, 'SH', options.accessionNumber));
  if (labels.sex === 'M' || labels.sex === 'F') elements.push(str(0x00100040, 'CS', labels.sex));
  if (typeof labels.age === 'number' && labels.age >= 0 && labels.age < 1000) {
    const age = Math.floor(labels.age);
    elements.push(str(0x00101010, 'AS', `${String(age).padStart(3, '0')}Y`));
    const y = Number(studyDate.slice(0, 4));
    const m = Number(studyDate.slice(4, 6));
    const d = Number(studyDate.slice(6, 8));
    const days = rng.int(1, 360);
    const birth = new Date(Date.UTC(y - age, m - 1, d) - days * 86400000);
    const bd = `${birth.getUTCFullYear()}${String(birth.getUTCMonth() + 1).padStart(2, '0')}${String(birth.getUTCDate()).padStart(2, '0')}`;
    elements.push(str(0x00100030, 'DA', bd));
  }
  const comments = (['tScore', 'boneDensity', 'who'] as const)
    .filter((k) => labels[k] !== undefined)
    .map((k) => `${k}=${labels[k]}`);
  if (comments.length) elements.push(str(0x00204000, 'LT', `synthetic ${comments.join(' ')}`));

  const metaBody = encodeElements([
    { tag: 0x00020001, vr: 'OB', value: new Uint8Array([0, 1]) },
    str(0x00020002, 'UI', CR_IMAGE_STORAGE),
    str(0x00020003, 'UI', sopInstance),
    str(0x00020010, 'UI', EXPLICIT_VR_LITTLE_ENDIAN),
    str(0x00020012, 'UI', IMPLEMENTATION_CLASS_UID),
    str(0x00020013, 'SH', 'CXRKIT_0_1'),
  ]);
  const metaLength = encodeElements([ul(0x00020000, metaBody.length)]);
  const body = encodeElements(elements);
  const out = new Uint8Array(132 + metaLength.length + metaBody.length + body.length);
  out.set(enc.encode('DICM'), 128);
  out.set(metaLength, 132);
  out.set(metaBody, 132 + metaLength.length);
  out.set(body, 132 + metaLength.length + metaBody.length);
  return out;
}

/** Writes {@link encodeDicom}'s bytes to `path` (creating the folder). */
export async function writeDicomFile(
  path: string,
  source: DicomSource,
  options: EncodeDicomOptions = {},
): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, encodeDicom(source, options));
}
