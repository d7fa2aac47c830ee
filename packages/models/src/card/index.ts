/**
 * `@cxrkit/models/card` — the model card: one typed, versioned description of a trained model
 * (architecture and input, preprocessing, fusion inputs and their encoding, task, threshold and how it was
 * chosen, training data, metrics, intended use), and the one function that turns a radiograph + header +
 * card into the model's inputs. Loads no `@tensorflow/*` package: for services on onnxruntime, browsers
 * and workers. `@cxrkit/models` re-exports all of it.
 * Data flow: model-card.json / ONNX metadata → parseModelCard → ModelCard → modelInputs(image, meta, card).
 */
export { CXRKIT_VERSION, MODEL_CARD_SCHEMA_VERSION } from './version.js';
export { BACKBONE_KEYS } from './backbones.js';
export type { BackboneKey } from './backbones.js';
export { DEFAULT_DISCLAIMER, DEFAULT_INTENDED_USE, modelCardShape } from './schema.js';
export { modelCardSchema } from './refine-card.js';
export type { ModelCard, ModelCardInput, FusionInputSpec } from './refine-card.js';
export { parseModelCard, createModelCard } from './parse-model-card.js';
export type { ParseModelCardOptions } from './parse-model-card.js';
export { canonicalJson, computeCardId } from './card-id.js';
export {
  LEGACY_SCREENING_FILE,
  LEGACY_SCREENING_DEFAULTS,
  legacyScreeningSchema,
  isLegacyScreeningJson,
  parseLegacyScreeningConfig,
  migrateScreeningConfig,
} from './legacy-screening.js';
export type { LegacyScreeningConfig } from './legacy-screening.js';
export { MODEL_CARD_FILE, readModelCard, writeModelCard, serializeModelCard } from './model-card-files.js';
export { modelJsonInputNames } from './model-json-inputs.js';
export { resolvePatient } from './patient.js';
export type { PatientFacts, InputOverrides, ResolvedPatient } from './patient.js';
export { fusionValue } from './fusion-values.js';
export { modelInputs, modelInputsFromDicom, cardInputNames, cardImagePixels } from './model-inputs.js';
export type { ModelInputs, DicomLike, CardImageSpec } from './model-inputs.js';
export { intendedUseWarnings } from './intended-use.js';
export { screeningVerdict } from './screening-verdict.js';
export type { ScreeningVerdict } from './screening-verdict.js';
export type { StudyFacts } from './intended-use.js';
export { checkCardMatchesModel } from './model-match.js';
export type { ModelSignature } from './model-match.js';
export { ONNX_CARD_KEY, ONNX_PREPROCESSING_KEY, cardOnnxMetadata, cardFromOnnxMetadata } from './onnx-metadata.js';
export { modelCardJsonSchema } from './json-schema.js';
