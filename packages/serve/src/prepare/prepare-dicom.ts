// One upload, up to the model's inputs: DICOM bytes → header facts → the intended-use gate → (inside it)
// grayscale pixels → lung-field check → the gate again → modelInputs (the card's preprocessing and fusion
// encodings), plus a small preview for the page and the Grad-CAM overlay. Everything that grows with the
// file runs here, so the HTTP service runs it in a worker thread (decode-worker.ts), off its event loop.
import {
  percentileClipMinMax,
  readDicom,
  resizeBicubic,
  type DicomImage,
  type DicomMeta,
  type GrayImage,
} from '@cxrkit/core/tfjs-free';
import { checkLungFields } from '@cxrkit/gradcam/tfjs-free';
import {
  modelInputs,
  resolvePatient,
  type InputOverrides,
  type ModelCard,
  type ModelInputs,
} from '@cxrkit/models/card';
import { intendedUseGate, type GateVerdict, type ImageFacts } from '../gate/intended-use-gate.js';
import { SERVICE_DECODE_LIMITS, type DecodeLimits } from './decode-limits.js';

/** What {@link prepareDicom} needs. */
export interface PrepareRequest {
  /** The DICOM file's bytes. */
  bytes: Uint8Array;
  card: ModelCard;
  overrides?: InputOverrides;
  /** Reader limits. Default SERVICE_DECODE_LIMITS. */
  limits?: DecodeLimits;
  /** Also return a preview of the radiograph whose longer side is at most this many pixels (0: none). */
  previewSide?: number;
}

/** An upload prepared for the model: the gate's verdict, and the model's inputs when it may be screened. */
export interface PreparedImage {
  meta: DicomMeta;
  /** The image as the header describes it. */
  image: { rows: number; columns: number; frames: number; samplesPerPixel: number; photometric: string };
  /** Age and sex the screen uses (overrides applied). */
  patient: { age?: number; sex?: string };
  verdict: GateVerdict;
  /** Whether two lung fields were found (undefined when the pixels were not looked at). */
  lungFieldsFound?: boolean;
  /** The model's inputs (only when the verdict is screened). */
  inputs?: ModelInputs;
  /** The radiograph, percentile-stretched to [0, 1], longer side ≤ previewSide (only when asked for). */
  preview?: GrayImage;
  timingsMs: { decode: number; preprocess: number };
}

/** The radiograph for people: 0.5–99.5 % percentile stretch, shrunk so its longer side is ≤ `side`. */
export function previewImage(gray: GrayImage, side: number): GrayImage {
  const scale = Math.max(gray.width, gray.height) / side;
  const small =
    scale > 1
      ? resizeBicubic(gray, {
          width: Math.max(1, Math.round(gray.width / scale)),
          height: Math.max(1, Math.round(gray.height / scale)),
        })
      : gray;
  return percentileClipMinMax(small);
}

/**
 * Decodes and checks one DICOM upload against `card`'s intended use, and prepares the model's inputs.
 * Header facts are checked first: an image already outside the intended use by its header (CT, colour, a
 * hip) is not decoded further (its preview is made if asked, best effort).
 * @throws CxrkitError `DICOM_*` (the reader's, with the service's limits), `SCREEN_BAD_OVERRIDE`,
 *   `SCREEN_MISSING_INPUT` (the model fuses a fact that neither the header nor the overrides give).
 */
export async function prepareDicom(request: PrepareRequest): Promise<PreparedImage> {
  const { card, overrides = {} } = request;
  const limits = request.limits ?? SERVICE_DECODE_LIMITS;
  const previewSide = request.previewSide ?? 0;
  const t0 = performance.now();
  resolvePatient({}, overrides); // validates the overrides before the file is touched
  const dicom = await readDicom(request.bytes, {
    maxPixels: limits.maxPixels,
    maxInflatedBytes: limits.maxInflatedBytes,
  });
  const { age, sex } = resolvePatient(dicom.meta, overrides);
  const facts: ImageFacts = {
    modality: dicom.meta.modality,
    bodyPart: dicom.meta.bodyPart,
    viewPosition: dicom.meta.viewPosition,
    age,
    frames: dicom.frames,
    samplesPerPixel: dicom.samplesPerPixel,
    photometric: dicom.photometric,
    rows: dicom.rows,
    columns: dicom.columns,
  };
  const base = {
    meta: dicom.meta,
    image: {
      rows: dicom.rows,
      columns: dicom.columns,
      frames: dicom.frames,
      samplesPerPixel: dicom.samplesPerPixel,
      photometric: dicom.photometric,
    },
    patient: { age, sex },
  };
  const byHeader = intendedUseGate(card, facts);
  if (!byHeader.screened) {
    const decode = performance.now() - t0;
    const preview = previewSide > 0 ? tryPreview(dicom, previewSide) : undefined;
    return { ...base, verdict: byHeader, preview, timingsMs: { decode, preprocess: performance.now() - t0 - decode } };
  }
  const gray = dicom.grayscale(0);
  const decode = performance.now() - t0;
  const t1 = performance.now();
  const lungs = checkLungFields(gray);
  const verdict = intendedUseGate(card, { ...facts, lungFields: lungs });
  const inputs = verdict.screened ? modelInputs(gray, dicom.meta, card, overrides) : undefined;
  const preview = previewSide > 0 ? previewImage(gray, previewSide) : undefined;
  return {
    ...base,
    verdict,
    lungFieldsFound: lungs.found,
    inputs,
    preview,
    timingsMs: { decode, preprocess: performance.now() - t1 },
  };
}

/** A preview of frame 0, or undefined when its pixels cannot be decoded (the verdict does not need them). */
function tryPreview(dicom: DicomImage, side: number): GrayImage | undefined {
  try {
    return previewImage(dicom.grayscale(0), side);
  } catch {
    return undefined;
  }
}
