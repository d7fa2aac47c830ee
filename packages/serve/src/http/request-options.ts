// What a screening request asks for, from its query string: age and sex overrides, Grad-CAM on or off, and
// what to include beyond the result (the patient's identifiers, a preview of the image).
import { CxrkitError, didYouMean } from '@cxrkit/core/tfjs-free';
import type { ScreeningOverrides } from '../screen.js';

/** Parsed query of `POST /v1/screen`. */
export interface ScreenRequestOptions {
  overrides: ScreeningOverrides;
  /** `?gradcam=0` switches the Grad-CAM (a backward pass) off. Default on. */
  gradcam: boolean;
  /** `?include=patient`: the Patient ID goes into the result. */
  includePatient: boolean;
  /** `?include=image`: a PNG preview of the radiograph goes into the result. */
  includeImage: boolean;
}

const INCLUDES = ['patient', 'image'];

const bad = (message: string, received: unknown, fix: string): never => {
  throw new CxrkitError('SCREEN_BAD_OVERRIDE', message, { received, fix, pkg: 'serve' });
};

/**
 * Reads `?age=&sex=&gradcam=&include=` (include is a comma-separated list, or repeated).
 * @throws CxrkitError `SCREEN_BAD_OVERRIDE` for a bad age, sex, gradcam flag or include value.
 */
export function parseScreenRequest(url: URL): ScreenRequestOptions {
  const q = url.searchParams;
  const overrides: ScreeningOverrides = {};
  const age = q.get('age');
  if (age !== null && age !== '') {
    const n = Number(age);
    if (!Number.isFinite(n)) bad('age must be a number of years', age, 'send e.g. ?age=67');
    overrides.age = n;
  }
  const sex = q.get('sex');
  if (sex !== null && sex !== '') {
    const s = sex.toUpperCase();
    if (s !== 'M' && s !== 'F')
      bad("sex must be 'M' or 'F'", sex, 'send ?sex=F or ?sex=M, or leave it out to use the DICOM header');
    overrides.sex = s as 'M' | 'F';
  }
  const flag = q.get('gradcam');
  if (flag !== null && !['0', '1', 'true', 'false', 'on', 'off', ''].includes(flag.toLowerCase())) {
    bad('gradcam must be 0 or 1', flag, 'send ?gradcam=0 to skip the Grad-CAM');
  }
  const gradcam = flag === null || !['0', 'false', 'off'].includes(flag.toLowerCase());
  const include = new Set<string>();
  for (const value of q.getAll('include')) {
    for (const item of value
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean)) {
      if (!INCLUDES.includes(item)) {
        const guess = didYouMean(item, INCLUDES);
        bad(
          `unknown include '${item}'${guess ? ` — did you mean '${guess}'?` : ''}`,
          item,
          `use ${INCLUDES.join(', ')}`,
        );
      }
      include.add(item);
    }
  }
  return { overrides, gradcam, includePatient: include.has('patient'), includeImage: include.has('image') };
}
