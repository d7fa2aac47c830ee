// One file (DICOM, PNG, JPEG) → a grayscale image in [0, 1], bone bright.
import { extname } from 'node:path';
import type { GrayImage } from '../image/types.js';
import { readImageFile } from '../image/png-file.js';
import { readDicom } from '../dicom/read-dicom.js';

/** Loads any supported file as a grayscale image in [0, 1] (bone bright): DICOM by extension or magic, else PNG/JPEG. */
export async function loadGrayImage(path: string): Promise<GrayImage> {
  const ext = extname(path).toLowerCase();
  if (ext === '.png' || ext === '.jpg' || ext === '.jpeg') return readImageFile(path);
  if (ext === '.dcm' || ext === '.dicom' || ext === '') return (await readDicom(path)).grayscale();
  // unknown extension: try DICOM, then PNG/JPEG by magic bytes
  try {
    return (await readDicom(path)).grayscale();
  } catch {
    return readImageFile(path);
  }
}
