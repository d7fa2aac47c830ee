/**
 * Manifest adapters for the two real datasets shipped beside the repo (see shared/data/README.md),
 * and filling age/sex from DICOM headers.
 */
import { join } from 'node:path';
import { readManifest, type Manifest, type ManifestOptions, type ManifestRecord } from './manifest.js';
import { readDicom } from '../dicom/read-dicom.js';

/**
 * The 1,000 NIH ChestX-ray14 64×64 thumbnails (`<dir>/labels.csv`): id = image index, patient id,
 * age, sex; `extra` keeps view (PA/AP), finding_labels, split_upstream, class_upstream, orig_width/height.
 * Several images per patient: split by `patientId`.
 */
export function readNihThumbsManifest(dir: string, options: ManifestOptions = {}): Promise<Manifest> {
  return readManifest(join(dir, 'labels.csv'), { baseDir: dir, ...options });
}

/**
 * The 185 PA radiographs of the COVID-19 image data collection (`<dir>/labels.csv`): path, patient id,
 * age, sex; `extra` keeps view, finding, licence, DOI and URL (keep the attribution; non-commercial).
 * Files named .jpg may be PNGs: {@link loadGrayImage} reads them by their magic bytes.
 */
export function readCovidPaManifest(dir: string, options: ManifestOptions = {}): Promise<Manifest> {
  return readManifest(join(dir, 'labels.csv'), { baseDir: dir, ...options });
}

/**
 * Fills `age` (StudyDate − PatientBirthDate, else PatientAge) and `sex` from each DICOM file's header
 * where the record lacks them. Returns new records; files that cannot be read are listed in `failed`.
 */
export async function fillFromDicom<R extends Pick<ManifestRecord, 'path' | 'age' | 'sex'>>(
  records: readonly R[],
): Promise<{ records: R[]; failed: Array<{ index: number; error: unknown }> }> {
  const out: R[] = [];
  const failed: Array<{ index: number; error: unknown }> = [];
  for (const [index, r] of records.entries()) {
    if (r.age !== undefined && r.sex !== undefined) {
      out.push(r);
      continue;
    }
    try {
      const meta = (await readDicom(r.path)).meta;
      const next = { ...r };
      if (next.age === undefined && meta.age !== undefined) next.age = meta.age;
      if (next.sex === undefined && (meta.sex === 'M' || meta.sex === 'F')) next.sex = meta.sex;
      out.push(next);
    } catch (error) {
      failed.push({ index, error });
      out.push(r);
    }
  }
  return { records: out, failed };
}
