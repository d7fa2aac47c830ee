// One chest radiograph in, one screening result out: DICOM bytes → grayscale (bone bright) → the model
// card's inputs (modelInputs: its preprocessing and fusion encodings) → predictor → score vs the card's
// threshold → recommendation, with the warnings the card's intended use asks for.
import { CxrkitError, readDicom, type GrayImage, type DicomMeta } from '@cxrkit/core/tfjs-free';
import {
  intendedUseWarnings,
  modelInputs,
  resolvePatient,
  screeningVerdict,
  type InputOverrides,
  type ModelCard,
} from '@cxrkit/models/card';
import type { ScreeningPredictor } from './predictor.js';
import { servedCard, type CardSource } from './served-card.js';

/** Patient facts that override (or stand in for) the DICOM header, e.g. from the upload form. */
export type ScreeningOverrides = InputOverrides;

/** What the service answers for one radiograph (the JSON of `POST /v1/screen`). */
export interface ScreeningResult {
  /** What a positive screen means (from the card), e.g. 'osteoporosis'. */
  condition: string;
  /** The model's score in [0, 1] (probability-like output of the sigmoid). */
  score: number;
  /** The card's threshold. */
  threshold: number;
  /** score ≥ threshold. */
  positive: boolean;
  /** A plain-language recommendation. */
  recommendation: string;
  /** Reasons the result should be read with care (outside the intended use, missing data, …). */
  warnings: string[];
  /** Header facts used or reported (undefined when the file lacks them). */
  patient: { id?: string; age?: number; sex?: 'M' | 'F' | 'O'; ageSource?: string };
  study: {
    modality?: string;
    viewPosition?: string;
    bodyPart?: string;
    studyDate?: string;
    rows: number;
    columns: number;
  };
  /** Which engine ran the model, e.g. 'tfjs:wasm' or 'onnxruntime'. */
  engine: string;
  /** The content id of the model card the result was made with (`sha256:…`). */
  cardId: string;
  disclaimer: string;
  /** Milliseconds spent decoding, preprocessing and predicting. */
  timingsMs: { decode: number; preprocess: number; predict: number };
}

/** Options of {@link screenDicom} / {@link screenImage}: the predictor, its card, and patient overrides. */
export type ScreenOptions = CardSource & { predictor: ScreeningPredictor; overrides?: ScreeningOverrides };

const fail = (code: string, message: string, received: unknown, fix: string): never => {
  throw new CxrkitError(code, message, { received, fix, pkg: 'serve' });
};

/**
 * Screens one DICOM file (bytes or, in Node, a path) with the model `card` describes.
 * @throws CxrkitError `DICOM_*` for unreadable files (from readDicom), `SCREEN_BAD_OVERRIDE` for a bad
 *   override, `SCREEN_MISSING_INPUT` when the card fuses age/sex and neither the header nor `overrides`
 *   give it, `SCREEN_BAD_OUTPUT` when the model is not a one-output binary screen, and the card's errors
 *   (see servedCard).
 */
export async function screenDicom(
  input: Uint8Array | ArrayBuffer | string,
  options: ScreenOptions,
): Promise<ScreeningResult> {
  return screenDicomWithCard(input, servedCard(options, options.predictor), options.predictor, options.overrides);
}

/**
 * Screens an already decoded radiograph (`GrayImage`, bone bright, any size) with its header facts.
 * Same result and errors as {@link screenDicom}.
 */
export async function screenImage(image: GrayImage, meta: DicomMeta, options: ScreenOptions): Promise<ScreeningResult> {
  return screenWithCard(image, meta, servedCard(options, options.predictor), options.predictor, options.overrides);
}

/** {@link screenDicom} with a card already checked by `servedCard` (the HTTP service checks it once). */
export async function screenDicomWithCard(
  input: Uint8Array | ArrayBuffer | string,
  card: ModelCard,
  predictor: ScreeningPredictor,
  overrides?: ScreeningOverrides,
): Promise<ScreeningResult> {
  const t0 = performance.now();
  const dicom = await readDicom(input);
  const gray = dicom.grayscale(0);
  const decode = performance.now() - t0;
  const result = await screenWithCard(gray, dicom.meta, card, predictor, overrides);
  result.timingsMs.decode = decode;
  return result;
}

/** {@link screenImage} with a card already checked by `servedCard`. */
export async function screenWithCard(
  image: GrayImage,
  meta: DicomMeta,
  card: ModelCard,
  predictor: ScreeningPredictor,
  overrides: ScreeningOverrides = {},
): Promise<ScreeningResult> {
  const { age, sex } = resolvePatient(meta, overrides);
  const t1 = performance.now();
  const inputs = modelInputs(image, meta, card, overrides);
  const preprocess = performance.now() - t1;

  const t2 = performance.now();
  const outputs = await predictor.predict(inputs);
  const predict = performance.now() - t2;
  const out = outputs[predictor.outputNames[0]!];
  if (!out || out.data.length !== 1)
    fail(
      'SCREEN_BAD_OUTPUT',
      'a screening model must output one score per image',
      out?.shape,
      'serve a binary screening model (task: "binary")',
    );
  const score = out!.data[0]!;
  if (!Number.isFinite(score))
    fail(
      'SCREEN_BAD_OUTPUT',
      'the model returned a non-finite score',
      score,
      'check the model weights and the input preprocessing',
    );

  const { condition, threshold, positive, recommendation } = screeningVerdict(card, score);
  return {
    condition,
    score,
    threshold,
    positive,
    recommendation,
    warnings: intendedUseWarnings(card, {
      age,
      viewPosition: meta.viewPosition,
      modality: meta.modality,
      bodyPart: meta.bodyPart,
    }),
    patient: {
      id: meta.patientId,
      age,
      sex: sex as 'M' | 'F' | 'O' | undefined,
      ageSource: overrides.age !== undefined ? 'upload' : meta.ageSource,
    },
    study: {
      modality: meta.modality,
      viewPosition: meta.viewPosition,
      bodyPart: meta.bodyPart,
      studyDate: meta.studyDate,
      rows: image.height,
      columns: image.width,
    },
    engine: predictor.engine,
    cardId: card.id,
    disclaimer: card.disclaimer,
    timingsMs: { decode: 0, preprocess, predict },
  };
}
