// One chest radiograph in, one screening result out: DICOM bytes → prepareDicom (header facts, the
// intended-use gate, grayscale pixels, the lung-field check, the card's inputs) → predictor → score vs the
// card's threshold → recommendation, warnings and, when an explainer is given, the Grad-CAM overlay.
// An image outside the intended use never reaches the model: it is "not screened", with the reasons.
import { CxrkitError, type DicomMeta, type GrayImage } from '@cxrkit/core/tfjs-free';
import { checkLungFields, overlayHeatmap } from '@cxrkit/gradcam/tfjs-free';
import {
  modelInputs,
  resolvePatient,
  screeningVerdict,
  type InputOverrides,
  type ModelCard,
} from '@cxrkit/models/card';
import type { ScreeningExplainer } from './explainer.js';
import { intendedUseGate } from './gate/intended-use-gate.js';
import { prepareDicom, previewImage, type PreparedImage } from './prepare/prepare-dicom.js';
import type { DecodeLimits } from './prepare/decode-limits.js';
import type { ScreeningPredictor } from './predictor.js';
import {
  cardSummary,
  type GradCamField,
  type ResultCommon,
  type ScreenedResult,
  type ScreeningResult,
} from './result.js';
import { servedCard, type CardSource } from './served-card.js';

export type { ScreeningResult, ScreenedResult, NotScreenedResult } from './result.js';

/** Patient facts that override (or stand in for) the DICOM header, e.g. from the upload form. */
export type ScreeningOverrides = InputOverrides;

/** Longest side of the radiograph under the Grad-CAM overlay and of the page's preview, pixels. */
export const PREVIEW_SIDE = 512;

/** Why a screen has no Grad-CAM when the application gave the service no explainer. */
export const GRADCAM_UNAVAILABLE_DEFAULT =
  'Grad-CAM needs the model in TensorFlow.js (gradients); this service was started without it';

/** How a prepared image becomes a result (what the service decides per request). */
export interface ScreenResultOptions {
  /** Computes the Grad-CAM heat map; without one, results say why there is none. */
  explainer?: ScreeningExplainer;
  /** Compute the Grad-CAM (a backward pass). Default true (when an explainer is given). */
  gradcam?: boolean;
  /** The reason shown when there is no explainer. Default GRADCAM_UNAVAILABLE_DEFAULT. */
  gradcamUnavailable?: string;
  /** Put the Patient ID in the result (`patient.id`). Default false: results carry no identifiers. */
  includePatient?: boolean;
}

/** Options of {@link screenDicom} / {@link screenImage}: the predictor, its card, overrides, Grad-CAM. */
export type ScreenOptions = CardSource &
  ScreenResultOptions & {
    predictor: ScreeningPredictor;
    overrides?: ScreeningOverrides;
    /** Reader limits. Default SERVICE_DECODE_LIMITS (fit for chest films). */
    limits?: DecodeLimits;
  };

const fail = (code: string, message: string, received: unknown, fix: string): never => {
  throw new CxrkitError(code, message, { received, fix, pkg: 'serve' });
};

/**
 * Screens one DICOM file (bytes or, in Node, a path) with the model `card` describes, in this thread.
 * @throws CxrkitError `DICOM_*` for unreadable files (from readDicom), `SCREEN_BAD_OVERRIDE` for a bad
 *   override, `SCREEN_MISSING_INPUT` when the card fuses age/sex and neither the header nor `overrides`
 *   give it (for an image the gate accepts), `SCREEN_BAD_OUTPUT` when the model is not a one-output binary
 *   screen, and the card's errors (see servedCard).
 */
export async function screenDicom(
  input: Uint8Array | ArrayBuffer | string,
  options: ScreenOptions,
): Promise<ScreeningResult> {
  return screenDicomWithCard(input, servedCard(options, options.predictor), options.predictor, options.overrides, {
    ...options,
  });
}

/**
 * Screens an already decoded radiograph (`GrayImage`, bone bright, any size) with its header facts: a
 * single-frame grayscale image, so the gate checks modality, body part (or lung fields), size, view and age.
 * Same result and errors as {@link screenDicom}.
 */
export async function screenImage(image: GrayImage, meta: DicomMeta, options: ScreenOptions): Promise<ScreeningResult> {
  return screenWithCard(image, meta, servedCard(options, options.predictor), options.predictor, options.overrides, {
    ...options,
  });
}

/** {@link screenDicom} with a card already checked by `servedCard` (the HTTP service checks it once). */
export async function screenDicomWithCard(
  input: Uint8Array | ArrayBuffer | string,
  card: ModelCard,
  predictor: ScreeningPredictor,
  overrides: ScreeningOverrides = {},
  options: ScreenResultOptions & { limits?: DecodeLimits } = {},
): Promise<ScreeningResult> {
  const bytes =
    typeof input === 'string'
      ? new Uint8Array(await import('node:fs/promises').then((fs) => fs.readFile(input)))
      : input instanceof Uint8Array
        ? input
        : new Uint8Array(input);
  const wantsOverlay = options.explainer !== undefined && options.gradcam !== false;
  const prepared = await prepareDicom({
    bytes,
    card,
    overrides,
    limits: options.limits,
    previewSide: wantsOverlay ? PREVIEW_SIDE : 0,
  });
  return screenPrepared(prepared, card, predictor, overrides, options);
}

/** {@link screenImage} with a card already checked by `servedCard`. */
export async function screenWithCard(
  image: GrayImage,
  meta: DicomMeta,
  card: ModelCard,
  predictor: ScreeningPredictor,
  overrides: ScreeningOverrides = {},
  options: ScreenResultOptions = {},
): Promise<ScreeningResult> {
  const t0 = performance.now();
  const { age, sex } = resolvePatient(meta, overrides);
  const facts = {
    modality: meta.modality,
    bodyPart: meta.bodyPart,
    viewPosition: meta.viewPosition,
    age,
    frames: 1,
    samplesPerPixel: 1,
    photometric: 'MONOCHROME2',
    rows: image.height,
    columns: image.width,
  };
  const byHeader = intendedUseGate(card, facts);
  const lungs = byHeader.screened ? checkLungFields(image) : undefined;
  const verdict = lungs ? intendedUseGate(card, { ...facts, lungFields: lungs }) : byHeader;
  const wantsOverlay = options.explainer !== undefined && options.gradcam !== false;
  const prepared: PreparedImage = {
    meta,
    image: { rows: image.height, columns: image.width, frames: 1, samplesPerPixel: 1, photometric: 'MONOCHROME2' },
    patient: { age, sex },
    verdict,
    lungFieldsFound: lungs?.found,
    inputs: verdict.screened ? modelInputs(image, meta, card, overrides) : undefined,
    preview: wantsOverlay && verdict.screened ? previewImage(image, PREVIEW_SIDE) : undefined,
    timingsMs: { decode: 0, preprocess: performance.now() - t0 },
  };
  return screenPrepared(prepared, card, predictor, overrides, options);
}

/**
 * The result for an upload already prepared (by prepareDicom, in this thread or a worker): "not screened"
 * with the gate's reasons, or the model's score against the card's threshold, with the recommendation,
 * the warnings and the Grad-CAM overlay.
 * @throws CxrkitError `SCREEN_BAD_OUTPUT` when the model does not give one finite score per image.
 */
export async function screenPrepared(
  prepared: PreparedImage,
  card: ModelCard,
  predictor: ScreeningPredictor,
  overrides: ScreeningOverrides = {},
  options: ScreenResultOptions = {},
): Promise<ScreeningResult> {
  const { meta, image, verdict } = prepared;
  const condition = card.task.kind === 'binary' ? card.task.condition : card.name;
  const common: ResultCommon = {
    condition,
    warnings: verdict.warnings,
    patient: {
      ...(options.includePatient && meta.patientId !== undefined ? { id: meta.patientId } : {}),
      age: prepared.patient.age,
      sex: prepared.patient.sex as 'M' | 'F' | 'O' | undefined,
      ageSource: overrides.age !== undefined ? 'upload' : meta.ageSource,
    },
    study: {
      modality: meta.modality,
      viewPosition: meta.viewPosition,
      bodyPart: meta.bodyPart,
      studyDate: meta.studyDate,
      rows: image.rows,
      columns: image.columns,
      frames: image.frames,
      photometric: image.photometric,
    },
    engine: predictor.engine,
    cardId: card.id,
    model: cardSummary(card),
    disclaimer: card.disclaimer,
    timingsMs: { decode: prepared.timingsMs.decode, preprocess: prepared.timingsMs.preprocess, predict: 0 },
  };
  if (!verdict.screened || !prepared.inputs) {
    return { screened: false, reasons: verdict.reasons.length ? verdict.reasons : ['Not screened.'], ...common };
  }

  const t0 = performance.now();
  const outputs = await predictor.predict(prepared.inputs);
  common.timingsMs.predict = performance.now() - t0;
  const out = outputs[predictor.outputNames[0]!];
  if (out?.data.length !== 1)
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
  const { threshold, positive, recommendation } = screeningVerdict(card, score);
  const result: ScreenedResult = {
    screened: true,
    reasons: [],
    score,
    threshold,
    positive,
    recommendation,
    ...common,
  };
  if (options.gradcam === false) return result;
  if (!options.explainer) {
    result.gradcamUnavailable = options.gradcamUnavailable ?? GRADCAM_UNAVAILABLE_DEFAULT;
    return result;
  }
  const t1 = performance.now();
  try {
    result.gradcam = await gradCamField(prepared, options.explainer, card);
  } catch (e) {
    result.gradcamUnavailable = `Grad-CAM failed: ${e instanceof Error ? e.message : String(e)}`;
  }
  common.timingsMs.gradcam = performance.now() - t1;
  result.timingsMs = common.timingsMs;
  return result;
}

/** The heat map over the preview (or, without one, over the model's own image input). */
async function gradCamField(prepared: PreparedImage, explainer: ScreeningExplainer, card: ModelCard) {
  const heat = await explainer.explain(prepared.inputs!);
  let base = prepared.preview;
  if (!base) {
    const { inputSize: size, channels, inputName } = card.architecture;
    const input = prepared.inputs![inputName]!.data;
    const data = new Float32Array(size * size);
    for (let i = 0; i < data.length; i++) data[i] = input[i * channels]!;
    base = { data, width: size, height: size };
  }
  const rgba = overlayHeatmap(base, heat);
  const field: GradCamField = {
    overlay: { data: rgba.data, width: rgba.width, height: rgba.height, channels: 4 },
    layers: [...explainer.layers],
  };
  return field;
}
