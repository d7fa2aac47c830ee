// A card's fusion encodings applied to a patient: the scalar each fusion input is fed, as data from the
// card (age × scale, sex by its codes), never hard-coded.
import { cardFail } from './errors.js';
import type { FusionInputSpec } from './refine-card.js';
import type { ResolvedPatient } from './patient.js';

/**
 * The value the model input `spec.input` is fed for this patient.
 * @throws CxrkitError `SCREEN_MISSING_INPUT` when the patient lacks the fact (age unknown, sex not one the
 *   card codes, no predicted age).
 */
export function fusionValue(spec: FusionInputSpec, patient: ResolvedPatient): number {
  switch (spec.source) {
    case 'age':
      if (patient.age === undefined) {
        cardFail(
          'SCREEN_MISSING_INPUT',
          'the model needs the patient age, and the DICOM has neither PatientBirthDate + StudyDate nor PatientAge',
          undefined,
          'pass overrides.age in years (the service: send it with the upload, ?age=67)',
        );
      }
      return patient.age * spec.scale;
    case 'predictedAge':
      if (patient.predictedAge === undefined) {
        cardFail(
          'SCREEN_MISSING_INPUT',
          "the model needs an age model's predicted age",
          undefined,
          'run the age model first and pass overrides.predictedAge in years',
        );
      }
      return patient.predictedAge * spec.scale;
    case 'sex': {
      const code = patient.sex === 'M' || patient.sex === 'F' ? spec.codes[patient.sex] : undefined;
      if (code === undefined) {
        cardFail(
          'SCREEN_MISSING_INPUT',
          "the model needs the patient sex ('M' or 'F'), and the DICOM does not give it",
          patient.sex,
          "pass overrides.sex 'F' or 'M' (the service: send it with the upload, ?sex=F)",
        );
      }
      return code;
    }
  }
}
