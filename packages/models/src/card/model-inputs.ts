// The one function that turns a decoded radiograph + its header + the model card into the model's inputs,
// used by training-side checks, the service, the CLI and the browser alike (no tfjs: typed arrays out).
// Data flow: GrayImage (bone bright) → percentile clip → bicubic resize → normalisation → channels,
// plus one [1, 1] value per fusion input from the card's encodings.
import { grayToChannels, preprocessRadiograph, type GrayImage } from '@cxrkit/core/tfjs-free';
import type { ArrayBatch } from '../predict/types.js';
import { fusionValue } from './fusion-values.js';
import { resolvePatient, type InputOverrides, type PatientFacts } from './patient.js';
import type { ModelCard } from './refine-card.js';

/** One batch per model input, keyed by input name (what every cxrkit predictor's `predict` takes). */
export type ModelInputs = Record<string, ArrayBatch>;

/** Names of the model inputs a card describes: the image input, then each fusion input. */
export function cardInputNames(card: ModelCard): string[] {
  return [card.architecture.inputName, ...card.fusion.map((f) => f.input)];
}

/** The part of a card that fixes the image input (a whole `ModelCard` will do). */
export interface CardImageSpec {
  architecture: Pick<ModelCard['architecture'], 'inputSize' | 'channels'>;
  preprocessing: Pick<ModelCard['preprocessing'], 'normalize' | 'clipPercent'>;
}

/**
 * The image input of a card's model from a radiograph: `size × size × channels` floats (HWC), preprocessed
 * as the card says. Training code can prepare its images with it before the card is complete (threshold
 * and metrics come later), so that training and serving cannot preprocess differently.
 */
export function cardImagePixels(image: GrayImage, card: CardImageSpec): Float32Array {
  const { inputSize: size, channels } = card.architecture;
  const { normalize, clipPercent } = card.preprocessing;
  const pre = preprocessRadiograph(image, { size, normalize, clip: { lower: clipPercent, upper: 100 - clipPercent } });
  return grayToChannels(pre, channels);
}

/**
 * The inputs of the model `card` describes, for one radiograph: `image` (any size, gray, bone bright, as
 * `readDicom(…).grayscale()` gives) is preprocessed as the card says into `[1, size, size, channels]`;
 * each fusion input is `[1, 1]`, encoded as the card says from `meta` (age in years, sex) with `overrides`
 * applied. Fusion inputs are checked before the image is touched.
 * @throws CxrkitError `SCREEN_BAD_OVERRIDE` (bad override), `SCREEN_MISSING_INPUT` (a fused fact unknown),
 *   and core's image errors for a malformed image.
 */
export function modelInputs(
  image: GrayImage,
  meta: PatientFacts,
  card: ModelCard,
  overrides: InputOverrides = {},
): ModelInputs {
  const patient = resolvePatient(meta, overrides);
  const fused = card.fusion.map((f) => [f.input, fusionValue(f, patient)] as const);
  const { inputSize: size, channels, inputName } = card.architecture;
  const inputs: ModelInputs = { [inputName]: { data: cardImagePixels(image, card), shape: [1, size, size, channels] } };
  for (const [name, value] of fused) inputs[name] = { data: Float32Array.of(value), shape: [1, 1] };
  return inputs;
}

/** What {@link modelInputsFromDicom} needs of a DICOM: `readDicom`'s DicomImage satisfies it. */
export interface DicomLike {
  grayscale(frame?: number): GrayImage;
  readonly meta: PatientFacts;
}

/** {@link modelInputs} for a decoded DICOM (`await readDicom(bytes)`), frame `frame` (default 0). */
export function modelInputsFromDicom(
  dicom: DicomLike,
  card: ModelCard,
  overrides: InputOverrides = {},
  frame = 0,
): ModelInputs {
  return modelInputs(dicom.grayscale(frame), dicom.meta, card, overrides);
}
