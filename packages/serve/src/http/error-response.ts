// Errors as the service answers them: an HTTP status per code, a message in words a clinician understands
// (what happened and what to do), and the developer's detail (the typed error's own message and fix) kept
// apart in `detail` and `fix`, for the log and the integrator.
import { isCxrkitError } from '@cxrkit/core/tfjs-free';

/** The JSON body of an error reply. */
export interface ErrorBody {
  error: {
    /** Stable code, e.g. DICOM_NOT_DICOM, UPLOAD_TOO_LARGE, SERVICE_BUSY. */
    code: string;
    /** For the person at the upload page. */
    message: string;
    /** For the developer: the typed error's own message. */
    detail?: string;
    /** For the developer: what to change. */
    fix?: string;
  };
  /** Quote it when reporting a problem: it finds the request in the service's log. */
  requestId: string;
}

/** HTTP status for an error code (500 for anything that is not a known, typed refusal). */
export function errorStatus(e: unknown): number {
  if (!isCxrkitError(e)) return 500;
  const code = e.code;
  if (code === 'UPLOAD_TOO_LARGE') return 413;
  if (code === 'UPLOAD_TOO_SLOW') return 408;
  if (code === 'UPLOAD_BAD_TYPE') return 415;
  if (code === 'UNAUTHORIZED') return 401;
  if (code === 'SCREEN_MISSING_INPUT' || code === 'SCREEN_DECODE_ABORTED') return 422;
  if (code === 'SERVICE_BUSY' || code === 'SCREEN_TIMEOUT' || code === 'SERVICE_CLOSED') return 503;
  if (code.startsWith('DICOM_') || code === 'SCREEN_BAD_OVERRIDE' || code === 'SCREEN_BAD_PARAMETER') return 400;
  if (code === 'UPLOAD_EMPTY') return 400;
  return 500;
}

const UNREADABLE =
  'This file could not be read as a DICOM image: it seems damaged or incomplete. Export it again from the PACS or the X-ray system and retry.';

/** What a clinician is told for each code. `retryAfter` (seconds) fills the busy messages. */
export function clinicianMessage(code: string, context: { retryAfter?: number; maxMb?: number } = {}): string {
  const wait = context.retryAfter ? ` in about ${context.retryAfter} seconds` : ' in a moment';
  switch (code) {
    case 'DICOM_NOT_DICOM':
      return 'This file is not a DICOM image. Upload the radiograph as a DICOM file (.dcm) exported from the PACS or the X-ray system.';
    case 'DICOM_NO_PIXEL_DATA':
      return 'This DICOM file holds no image (it may be a report, a worklist or a directory). Upload the radiograph itself.';
    case 'DICOM_DIMENSIONS_TOO_LARGE':
      return 'This image is far larger than a chest radiograph, so it was not opened.';
    case 'DICOM_UNSUPPORTED_TRANSFER_SYNTAX':
    case 'DICOM_CODEC_NOT_INSTALLED':
    case 'DICOM_UNSUPPORTED_PIXEL_FORMAT':
      return 'This image is stored in a format the service cannot open. Export it from the PACS uncompressed (or as JPEG / JPEG 2000) and retry.';
    case 'UPLOAD_TOO_LARGE':
      return `The file is too large${context.maxMb ? ` (over ${context.maxMb} MB)` : ''} to be a chest radiograph. Upload one radiograph at a time.`;
    case 'UPLOAD_EMPTY':
      return 'No file was received. Choose the DICOM file and try again.';
    case 'UPLOAD_TOO_SLOW':
      return 'The upload was too slow and was stopped. Check the network connection and try again.';
    case 'UPLOAD_BAD_TYPE':
      return 'The file was not sent as a DICOM file. Use the upload page, or send it as application/dicom.';
    case 'SCREEN_BAD_OVERRIDE':
    case 'SCREEN_BAD_PARAMETER':
      return 'A value entered is not valid: the age must be in years (0 to 130) and the sex F or M.';
    case 'SCREEN_MISSING_INPUT':
      return "The screen needs the patient's age and sex, and the file does not record them. Enter them and try again.";
    case 'SCREEN_DECODE_ABORTED':
      return 'This image could not be processed. Export it again from the PACS and retry; if it keeps failing, the file may be damaged.';
    case 'SCREEN_TIMEOUT':
      return `The screen took too long and was stopped; the image was not screened. Please try again${wait}.`;
    case 'SERVICE_BUSY':
      return `The service is busy; the image was not screened. Please try again${wait}.`;
    case 'SERVICE_CLOSED':
      return 'The service is restarting; the image was not screened. Please try again in a minute.';
    case 'UNAUTHORIZED':
      return 'This service needs an access key. Enter the key you were given by the service administrator.';
    case 'NOT_FOUND':
    case 'METHOD_NOT_ALLOWED':
      return 'This address is not part of the screening service.';
    default:
      if (code.startsWith('DICOM_')) return UNREADABLE;
      return 'Something went wrong in the service; the image was not screened. Please try again, and tell the administrator if it persists (quote the reference).';
  }
}

/** The error reply for `e` (a CxrkitError, or anything else as INTERNAL, without its message). */
export function errorBody(
  e: unknown,
  requestId: string,
  context: { retryAfter?: number; maxMb?: number } = {},
): ErrorBody {
  if (!isCxrkitError(e)) {
    return { error: { code: 'INTERNAL', message: clinicianMessage('INTERNAL') }, requestId };
  }
  return {
    error: { code: e.code, message: clinicianMessage(e.code, context), detail: e.message, fix: e.fix },
    requestId,
  };
}
