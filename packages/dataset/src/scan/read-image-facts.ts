// One file of a scan: bytes → readDicom header + frame 0's stored pixels (hashed, for the duplicate check)
// → the facts the scan joins and filters on; optionally its preprocessed pixels into the cache. Never
// throws: a file that cannot be read comes back as a failure with the reader's error code.
import { createHash } from 'node:crypto';
import { isCxrkitError, readDicom } from '@cxrkit/core/tfjs-free';
import { type PixelCacheSpec, writeCachedPixels } from '../cache/pixel-cache.js';

/** What the scan learns from a readable DICOM. Identifiers stay in memory and the manifest, never in logs. */
export interface ImageFacts {
  ok: true;
  path: string;
  sopInstanceUid?: string;
  patientId?: string;
  accessionNumber?: string;
  /** Years, from StudyDate − PatientBirthDate, else PatientAge (core's DicomMeta.age). */
  age?: number;
  ageSource?: 'dates' | 'PatientAge';
  sex?: 'M' | 'F' | 'O';
  view?: string;
  modality?: string;
  manufacturer?: string;
  bodyPart?: string;
  rows: number;
  columns: number;
  /** SHA-256 of frame 0's stored pixels with its geometry: identical images hash the same in any syntax. */
  pixelHash: string;
  /** True when the preprocessed pixels were written to the cache. */
  cached: boolean;
}

/** A file the scan could not read. */
export interface ImageFailure {
  ok: false;
  path: string;
  /** The reader's error code (e.g. DICOM_NOT_DICOM, DICOM_TRUNCATED), or READ_UNEXPECTED_ERROR. */
  code: string;
  /** The reader's message (names the fix). */
  message: string;
}

/** One file's outcome. */
export type ImageReadResult = ImageFacts | ImageFailure;

/** When to write a file's pixels to the cache (plain data: it crosses into worker threads). */
export interface CacheRequest {
  root: string;
  spec: PixelCacheSpec;
  /** Only images with one of these views (upper case) and at least this age are cached. */
  views: string[] | null;
  minAge: number;
}

function hashPixels(im: Awaited<ReturnType<typeof readDicom>>): string {
  const stored = im.storedPixels(0);
  const h = createHash('sha256');
  h.update(`${im.rows}x${im.columns}x${im.samplesPerPixel}:${im.bitsStored}:${stored.constructor.name}\n`);
  h.update(new Uint8Array(stored.buffer, stored.byteOffset, stored.byteLength));
  return h.digest('hex');
}

/** Reads one file's facts (and caches its pixels when asked and it qualifies). */
export async function readImageFacts(path: string, cache?: CacheRequest): Promise<ImageReadResult> {
  try {
    const im = await readDicom(path);
    const m = im.meta;
    const accession = im.dataSet.string('x00080050')?.replace(/\0/g, '').trim();
    const facts: ImageFacts = {
      ok: true,
      path,
      rows: im.rows,
      columns: im.columns,
      pixelHash: hashPixels(im),
      cached: false,
    };
    if (m.sopInstanceUid) facts.sopInstanceUid = m.sopInstanceUid;
    if (m.patientId) facts.patientId = m.patientId;
    if (accession) facts.accessionNumber = accession;
    if (m.age !== undefined) facts.age = m.age;
    if (m.ageSource) facts.ageSource = m.ageSource;
    if (m.sex) facts.sex = m.sex;
    if (m.viewPosition) facts.view = m.viewPosition.toUpperCase();
    if (m.modality) facts.modality = m.modality;
    if (m.manufacturer) facts.manufacturer = m.manufacturer;
    if (m.bodyPart) facts.bodyPart = m.bodyPart;
    const wanted =
      cache !== undefined &&
      facts.sopInstanceUid !== undefined &&
      (cache.views === null || (facts.view !== undefined && cache.views.includes(facts.view))) &&
      (cache.minAge <= 0 || (facts.age !== undefined && facts.age >= cache.minAge));
    if (wanted) {
      await writeCachedPixels(cache.root, cache.spec, facts.sopInstanceUid!, im.grayscale(0));
      facts.cached = true;
    }
    return facts;
  } catch (e) {
    if (isCxrkitError(e)) return { ok: false, path, code: e.code, message: e.message };
    return {
      ok: false,
      path,
      code: 'READ_UNEXPECTED_ERROR',
      message: `unexpected error: ${(e as Error)?.message ?? String(e)}`,
    };
  }
}
