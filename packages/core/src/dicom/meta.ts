// Patient/study metadata a screening model needs (age, sex, view), read from the header.
// Missing or unparseable values are `undefined`: nothing is guessed.
import type { DataSet } from 'dicom-parser';
import { safeString } from './parse.js';

/** Header metadata of a DICOM image; every field is `undefined` when the file does not carry it. */
export interface DicomMeta {
  /** Patient ID (0010,0020). */
  patientId?: string;
  /** Patient's Sex (0010,0040): 'M', 'F' or 'O'; anything else → undefined. */
  sex?: 'M' | 'F' | 'O';
  /**
   * Age in years at the study: completed years from StudyDate − PatientBirthDate when both dates are
   * valid, else from Patient's Age (0010,1010): `062Y` → 62, `006M` → 0.5, `010W` / `020D` as fractions.
   */
  age?: number;
  /** Where `age` came from. */
  ageSource?: 'dates' | 'PatientAge';
  /** Study Date (0008,0020) as ISO `YYYY-MM-DD`. */
  studyDate?: string;
  /** Patient's Birth Date (0010,0030) as ISO `YYYY-MM-DD`. */
  birthDate?: string;
  /** Modality (0008,0060), e.g. `CR`, `DX`. */
  modality?: string;
  /** View Position (0018,5101), e.g. `PA`, `AP`, `LL`. */
  viewPosition?: string;
  /** Body Part Examined (0018,0015), e.g. `CHEST`. */
  bodyPart?: string;
  /** Manufacturer (0008,0070). */
  manufacturer?: string;
  /** Pixel Spacing (0028,0030): [row spacing, column spacing] in mm, in the patient plane. */
  pixelSpacing?: [number, number];
  /** Imager Pixel Spacing (0018,1164): [row, column] mm at the detector (CR/DX often have only this). */
  imagerPixelSpacing?: [number, number];
  /** SOP Class UID (0008,0016). */
  sopClassUid?: string;
  /** SOP Instance UID (0008,0018). */
  sopInstanceUid?: string;
  /** Study Instance UID (0020,000D). */
  studyInstanceUid?: string;
  /** Series Instance UID (0020,000E). */
  seriesInstanceUid?: string;
}

function str(ds: DataSet, tag: string): string | undefined {
  const s = safeString(ds, tag)?.replace(/\0/g, '').trim();
  return s ? s : undefined;
}

/** Parses a DA value (`YYYYMMDD`, or the old ACR-NEMA `YYYY.MM.DD`) into a valid calendar date. */
export function parseDicomDate(s: string | undefined): { y: number; m: number; d: number } | undefined {
  if (!s) return undefined;
  const m = /^(\d{4})\.?(\d{2})\.?(\d{2})$/.exec(s.trim());
  if (!m) return undefined;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const dt = new Date(Date.UTC(y, mo - 1, d));
  if (y < 1800 || dt.getUTCMonth() !== mo - 1 || dt.getUTCDate() !== d) return undefined;
  return { y, m: mo, d };
}

const iso = (x: { y: number; m: number; d: number }) =>
  `${String(x.y).padStart(4, '0')}-${String(x.m).padStart(2, '0')}-${String(x.d).padStart(2, '0')}`;

/** Parses an AS value (`nnnD`, `nnnW`, `nnnM`, `nnnY`) into years. */
export function parseDicomAge(s: string | undefined): number | undefined {
  if (!s) return undefined;
  const m = /^(\d{1,3})\s*([DWMY])?$/i.exec(s.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  switch ((m[2] ?? 'Y').toUpperCase()) {
    case 'D':
      return n / 365.25;
    case 'W':
      return (n * 7) / 365.25;
    case 'M':
      return n / 12;
    default:
      return n;
  }
}

/** Completed years between two dates, or undefined when the study precedes the birth. */
function yearsBetween(
  birth: { y: number; m: number; d: number },
  at: { y: number; m: number; d: number },
): number | undefined {
  let years = at.y - birth.y;
  if (at.m < birth.m || (at.m === birth.m && at.d < birth.d)) years -= 1;
  return years >= 0 && years < 150 ? years : undefined;
}

function pair(ds: DataSet, tag: string): [number, number] | undefined {
  const raw = str(ds, tag);
  if (!raw) return undefined;
  const parts = raw.split('\\').map((p) => Number(p.trim()));
  if (parts.length < 2 || !parts.slice(0, 2).every((v) => Number.isFinite(v) && v > 0)) return undefined;
  return [parts[0]!, parts[1]!];
}

/** Reads the metadata cxrkit uses from a parsed data set. */
export function readMeta(ds: DataSet): DicomMeta {
  const meta: DicomMeta = {};
  const set = <K extends keyof DicomMeta>(k: K, v: DicomMeta[K] | undefined) => {
    if (v !== undefined) meta[k] = v;
  };
  set('patientId', str(ds, 'x00100020'));
  const sex = str(ds, 'x00100040')?.toUpperCase();
  set('sex', sex === 'M' || sex === 'F' || sex === 'O' ? sex : undefined);
  const study = parseDicomDate(str(ds, 'x00080020'));
  const birth = parseDicomDate(str(ds, 'x00100030'));
  set('studyDate', study && iso(study));
  set('birthDate', birth && iso(birth));
  const fromDates = study && birth ? yearsBetween(birth, study) : undefined;
  if (fromDates !== undefined) {
    meta.age = fromDates;
    meta.ageSource = 'dates';
  } else {
    const fromAs = parseDicomAge(str(ds, 'x00101010'));
    if (fromAs !== undefined) {
      meta.age = fromAs;
      meta.ageSource = 'PatientAge';
    }
  }
  set('modality', str(ds, 'x00080060'));
  set('viewPosition', str(ds, 'x00185101'));
  set('bodyPart', str(ds, 'x00180015'));
  set('manufacturer', str(ds, 'x00080070'));
  set('pixelSpacing', pair(ds, 'x00280030'));
  set('imagerPixelSpacing', pair(ds, 'x00181164'));
  set('sopClassUid', str(ds, 'x00080016'));
  set('sopInstanceUid', str(ds, 'x00080018'));
  set('studyInstanceUid', str(ds, 'x0020000d'));
  set('seriesInstanceUid', str(ds, 'x0020000e'));
  return meta;
}
