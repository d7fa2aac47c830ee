// The typed errors of the archive pipeline: a CxrkitError (tfjs-free core entry) with `pkg: 'archive'`.
import { CxrkitError } from '@cxrkit/core/tfjs-free';

/**
 * Codes the archive pipeline raises itself (files may also fail with the reader's `DICOM_*` codes, the
 * card's `SCREEN_*` / `CARD_*` codes, or a Node `E*` code such as `ENOENT`).
 */
export const ARCHIVE_ERROR_CODES = {
  ARCHIVE_BAD_OPTION: 'an option of screenArchive / the command is invalid',
  ARCHIVE_BAD_INPUT: 'an input is neither a folder, a DICOM file, a manifest nor an http(s) URL',
  ARCHIVE_BAD_MANIFEST: 'a manifest line or row has no path',
  ARCHIVE_OUT_LOCKED: 'another live process is writing the same output folder',
  ARCHIVE_CORRUPT_RESULTS: 'a results/errors file has a damaged line before its last one',
  ARCHIVE_NO_SOP_INSTANCE_UID: 'the file has no SOP Instance UID (0008,0018) to key its result by',
  ARCHIVE_DUPLICATE_INSTANCE: 'another file with the same SOP Instance UID was screened already',
  ARCHIVE_WORKER_CRASHED: 'the worker thread preparing the file died',
  ARCHIVE_FETCH_FAILED: 'a WADO-RS request failed (HTTP error or network)',
  ARCHIVE_BAD_RESPONSE: 'a WADO-RS response holds no DICOM part',
  ARCHIVE_BAD_OUTPUT: 'the model did not return one finite score per image',
  ARCHIVE_READ_FAILED: 'the file could not be read',
  ARCHIVE_JOB_FAILED: 'a queue job ran out of attempts (or stalled too often) without an error of its own',
  ARCHIVE_RUN_FAILED: 'the command stopped on an unexpected error (a bug: please report it)',
  ARCHIVE_ENGINE_UNAVAILABLE: 'the engine asked for is not installed or the model folder lacks its files',
} as const;

/** One of {@link ARCHIVE_ERROR_CODES}. */
export type ArchiveErrorCode = keyof typeof ARCHIVE_ERROR_CODES;

/** A CxrkitError of this package: stable `code`, message, the rejected value and the fix. */
export function archiveError(
  code: ArchiveErrorCode,
  message: string,
  received: unknown,
  fix: string,
  cause?: unknown,
): CxrkitError {
  return new CxrkitError(code, message, { received, fix, pkg: 'archive', cause });
}

/** Throws {@link archiveError}; returns `never` so that it can end an expression or a branch. */
export function archiveFail(
  code: ArchiveErrorCode,
  message: string,
  received: unknown,
  fix: string,
  cause?: unknown,
): never {
  throw archiveError(code, message, received, fix, cause);
}

/** The code to record for a failure: a CxrkitError's code, a Node system error's (`ENOENT`), else a fallback. */
export function errorCode(e: unknown, fallback = 'ARCHIVE_READ_FAILED'): string {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]*$/.test(code) ? code : fallback;
}

/** The error line of a file whose SOP Instance UID already has a result (screened from another path). */
export function duplicateInstance(path: string, sopInstanceUID: string, failedAt = new Date().toISOString()) {
  return {
    path,
    code: 'ARCHIVE_DUPLICATE_INSTANCE',
    message: `[cxrkit/archive] ARCHIVE_DUPLICATE_INSTANCE: SOP Instance UID ${sopInstanceUID} has a result already`,
    sopInstanceUID,
    failedAt,
  };
}

/** The error line of an instance the model gave a non-finite score (NaN, ±Infinity). */
export function badOutput(path: string, sopInstanceUID: string, failedAt = new Date().toISOString()) {
  return {
    path,
    code: 'ARCHIVE_BAD_OUTPUT',
    message: '[cxrkit/archive] ARCHIVE_BAD_OUTPUT: the model returned a non-finite score',
    sopInstanceUID,
    failedAt,
  };
}
