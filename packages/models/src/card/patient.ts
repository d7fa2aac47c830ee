// The patient facts a model's fusion inputs need: from the DICOM header, overridden by what the caller
// knows (an upload form, a worklist). Overrides are checked here, once, for every consumer.
import { assertKnownKeys } from '@cxrkit/core/tfjs-free';
import { cardFail } from './errors.js';

/** Header facts (a `DicomMeta` from readDicom, or the same fields from elsewhere). */
export interface PatientFacts {
  /** Age in years at the study. */
  age?: number;
  /** 'M', 'F' or 'O' as in Patient's Sex (0010,0040). */
  sex?: string;
}

/** Facts that override (or stand in for) the header, e.g. from the upload form. */
export interface InputOverrides {
  /** Age in years, 0–130. */
  age?: number;
  sex?: 'M' | 'F';
  /** An age model's predicted age in years, for models that fuse `predictedAge`. */
  predictedAge?: number;
}

/** The facts a model is fed from: header values with overrides applied. */
export interface ResolvedPatient {
  age?: number;
  sex?: string;
  predictedAge?: number;
}

const OVERRIDE_KEYS = ['age', 'sex', 'predictedAge'];

const bad = (message: string, received: unknown, fix: string): never =>
  cardFail('SCREEN_BAD_OVERRIDE', message, received, fix);

/**
 * Header facts with the overrides applied (an override wins over the header).
 * @throws CxrkitError `SCREEN_BAD_OVERRIDE` for an unknown override (with "did you mean …?"), an age or
 *   predicted age outside 0–130 years, or a sex other than 'M' / 'F'.
 */
export function resolvePatient(meta: PatientFacts, overrides: InputOverrides = {}): ResolvedPatient {
  if (overrides === null || typeof overrides !== 'object' || Array.isArray(overrides)) {
    bad('overrides must be an object', overrides, "pass e.g. { age: 67, sex: 'F' }");
  }
  const fix = `use ${OVERRIDE_KEYS.join(', ')}`;
  assertKnownKeys(overrides, OVERRIDE_KEYS, { code: 'SCREEN_BAD_OVERRIDE', pkg: 'models', what: 'override', fix });
  const years = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 130;
  if (overrides.age !== undefined && !years(overrides.age)) {
    bad('age must be a number of years from 0 to 130', overrides.age, 'send the age in years, e.g. 67');
  }
  if (overrides.predictedAge !== undefined && !years(overrides.predictedAge)) {
    bad(
      'predictedAge must be a number of years from 0 to 130',
      overrides.predictedAge,
      "pass the age model's prediction in years",
    );
  }
  if (overrides.sex !== undefined && overrides.sex !== 'M' && overrides.sex !== 'F') {
    bad("sex must be 'M' or 'F'", overrides.sex, "pass 'F' or 'M', or leave it out to use the DICOM header");
  }
  return {
    age: overrides.age ?? meta.age,
    sex: overrides.sex ?? meta.sex,
    predictedAge: overrides.predictedAge,
  };
}
