// The typed errors of the DICOM reader: one stable code per way a file can be refused.
import { CxrkitError } from '../errors.js';

/** Every code `readDicom` and `DicomImage` can throw, with what it means. */
export const DICOM_ERROR_CODES = {
  /** The bytes are not DICOM: no `DICM` magic at 128 and no plausible ACR-NEMA/raw data set start. */
  DICOM_NOT_DICOM: 'not a DICOM file',
  /** The file ends inside an element (header or pixel data): it was cut short. */
  DICOM_TRUNCATED: 'file ends before an element it declares',
  /** The data set is structurally broken in another way (bad sequence delimiters, bad lengths). */
  DICOM_MALFORMED: 'data set cannot be parsed',
  /** A required Image Pixel attribute (Rows, Columns, BitsAllocated, …) is missing or invalid. */
  DICOM_MISSING_ATTRIBUTE: 'required image attribute missing or invalid',
  /** The file has no Pixel Data element (a report, a DICOMDIR, a waveform). */
  DICOM_NO_PIXEL_DATA: 'no pixel data',
  /** The (complete) Pixel Data element holds fewer bytes than Rows × Columns × frames needs. */
  DICOM_PIXEL_DATA_SHORT: 'pixel data shorter than declared',
  /** The transfer syntax is not one cxrkit decodes (video, JPEG XL, JPIP, …) or is unknown. */
  DICOM_UNSUPPORTED_TRANSFER_SYNTAX: 'transfer syntax not supported',
  /** A pixel format outside the standard (e.g. BitsAllocated 12, BitsStored > BitsAllocated). */
  DICOM_UNSUPPORTED_PIXEL_FORMAT: 'pixel format not supported',
  /** Rows × Columns × frames × samples exceeds the `maxPixels` limit: refused before allocating. */
  DICOM_DIMENSIONS_TOO_LARGE: 'declared image size exceeds the limit',
  /** The frame needs an optional codec package that is not installed (12-bit JPEG: dcmjs-codecs). */
  DICOM_CODEC_NOT_INSTALLED: 'optional codec package not installed',
  /** The codec could not decode the frame (corrupt or inconsistent compressed data). */
  DICOM_DECODE_FAILED: 'compressed pixel data could not be decoded',
  /** `storedPixels(frame)` etc. called with a frame index outside [0, frames). */
  DICOM_FRAME_OUT_OF_RANGE: 'frame index out of range',
  /** The input could not be read (missing file, wrong argument type). */
  DICOM_READ_FAILED: 'input could not be read',
} as const;

/** One of the DICOM reader's error codes. */
export type DicomErrorCode = keyof typeof DICOM_ERROR_CODES;

/** Builds a CxrkitError with a DICOM code (package `core`). */
export function dicomError(
  code: DicomErrorCode,
  message: string,
  options: { received?: unknown; fix?: string; cause?: unknown } = {},
): CxrkitError {
  return new CxrkitError(code, message, options);
}
