// One file (DICOM, PNG, JPEG) → a grayscale image in [0, 1], bone bright. The file is read once and its
// format decided once, from its bytes (PNG signature, JPEG SOI, DICOM preamble/first element), never from
// its extension alone: a `.jpg` that is a PNG reads as PNG, a DICOM without extension reads as DICOM, and
// a damaged DICOM reports its own DICOM_* error instead of "unknown format".
import type { GrayImage } from '../image/types.js';
import { decodeJpeg, decodePng, isJpegBytes, isPngBytes } from '../image/png.js';
import { looksLikeDicom } from '../dicom/parse.js';
import { readDicom } from '../dicom/read-dicom.js';
import { CxrkitError } from '../errors.js';

/** Extensions under which a file that is none of the three formats gets readDicom's own DICOM_NOT_DICOM. */
const DICOM_EXTENSIONS = ['.dcm', '.dicom', '.dic', ''];

/**
 * Loads a DICOM, PNG or JPEG file as a grayscale image in [0, 1] (bone bright), deciding the format from
 * the bytes. Node only (reads the file).
 * @throws CxrkitError a DICOM_* code for a DICOM file that cannot be read, PNG_DECODE_FAILED /
 *   JPEG_DECODE_FAILED for a broken image, `IMAGE_UNKNOWN_FORMAT` for bytes that are none of the three
 *   (`DICOM_NOT_DICOM` when the name says DICOM: .dcm, .dicom, .dic or no extension).
 */
export async function loadGrayImage(path: string): Promise<GrayImage> {
  const { readFile } = await import('node:fs/promises');
  const { extname } = await import('node:path');
  const bytes = new Uint8Array(await readFile(path));
  if (isPngBytes(bytes)) return decodePng(bytes);
  if (isJpegBytes(bytes)) return decodeJpeg(bytes);
  if (looksLikeDicom(bytes) || DICOM_EXTENSIONS.includes(extname(path).toLowerCase())) {
    return (await readDicom(bytes)).grayscale();
  }
  throw new CxrkitError('IMAGE_UNKNOWN_FORMAT', `${path} is neither DICOM, PNG nor JPEG`, {
    received: Array.from(bytes.subarray(0, 8)),
    fix: 'pass a DICOM (.dcm), PNG or JPEG file',
  });
}
