// Why a file (or a labels row) is not in the manifest: one code per reason, each in exclusions.csv.
// Files the reader refused keep the reader's own code (DICOM_NOT_DICOM, DICOM_TRUNCATED, …; see
// packages/core/src/dicom/README.md).

/** The exclusion codes a scan writes besides the reader's DICOM_* codes, with what each means. */
export const EXCLUSION_CODES = {
  READ_UNEXPECTED_ERROR: 'unreadable: the reader failed in an unexpected way (a bug: please report it)',
  READ_WORKER_CRASHED: 'unreadable: the thread reading it died (out of memory?)',
  NO_SOP_UID: 'no SOP Instance UID (0008,0018): the image cannot be identified',
  NO_PATIENT_ID: 'no Patient ID (0010,0020): the image cannot be split by patient',
  DUPLICATE_IMAGE: 'duplicate image: same SOP Instance UID, or identical pixels, as a file kept earlier',
  VIEW_NOT_ALLOWED: 'not PA (or not one of the views given with --views), or no View Position (0018,5101)',
  AGE_UNKNOWN: 'no age: neither StudyDate − PatientBirthDate nor PatientAge',
  UNDER_MIN_AGE: 'under the minimum age (--min-age, default 50)',
  MISSING_LABEL: 'missing label: no labels row with its key, or that row has no T-score',
  LABEL_WITHOUT_IMAGE: 'a labels row that no readable DICOM matched (path is empty; the row number is given)',
} as const;

/** A scan's own exclusion code. */
export type ExclusionCode = keyof typeof EXCLUSION_CODES;

/** The group an exclusion code belongs to, as the issue lists them (for summary.json). */
export function exclusionGroup(code: string): string {
  if (code.startsWith('DICOM_') || code.startsWith('READ_')) return 'unreadable';
  switch (code) {
    case 'NO_SOP_UID':
    case 'NO_PATIENT_ID':
      return 'unidentifiable';
    case 'DUPLICATE_IMAGE':
      return 'duplicate image';
    case 'VIEW_NOT_ALLOWED':
      return 'not PA';
    case 'AGE_UNKNOWN':
      return 'age unknown';
    case 'UNDER_MIN_AGE':
      return 'under min age';
    case 'MISSING_LABEL':
      return 'missing label';
    case 'LABEL_WITHOUT_IMAGE':
      return 'label without image';
    default:
      return 'other';
  }
}
