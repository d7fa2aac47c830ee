// What the service answers for one radiograph: a screen (score, threshold, recommendation) when the image
// is inside the card's intended use, or "not screened" with the reasons — never a score for an image the
// model was not made for. Both carry the model card's summary, the warnings and the disclaimer.
import type { ModelCard } from '@cxrkit/models/card';

/** The model card in brief, as every result shows it (the whole card is at `GET /v1/card`). */
export interface CardSummary {
  /** The card's content id (`sha256:…`). */
  id: string;
  name: string;
  /** What a positive screen detects, e.g. 'osteoporosis'. */
  condition: string;
  /** Score at or above which the screen is positive. */
  threshold: number;
  /** Who and what the model is for (card.intendedUse). */
  intendedUse: ModelCard['intendedUse'];
}

/** A Grad-CAM overlay: 8-bit RGBA pixels, row-major (core's RgbaImage shape with 4 channels). */
export interface GradCamOverlay {
  data: Uint8ClampedArray;
  width: number;
  height: number;
  channels: 4;
}

/** The Grad-CAM of a screened image: the heat map over the radiograph, and the layers averaged. */
export interface GradCamField {
  /** The heat map blended over the radiograph (longer side ≤ 512 px). */
  overlay: GradCamOverlay;
  /** Layers whose maps were averaged, e.g. InceptionV3's mixed10 convolutions `conv2d_86` … `conv2d_94`. */
  layers: string[];
  /** The overlay as a base64 PNG (filled by the HTTP service; absent in results from `screenDicom`). */
  png?: string;
}

/** Header facts used or reported. `id` only when patient identifiers are asked for. */
export interface ResultPatient {
  /** Patient ID (0010,0020): only with `includePatient` (HTTP: `?include=patient`). */
  id?: string;
  /** Age in years at the study (header, or the upload's override). */
  age?: number;
  sex?: 'M' | 'F' | 'O';
  /** Where the age came from: 'upload', 'dates' (birth and study dates) or 'PatientAge'. */
  ageSource?: string;
}

/** The image as the header describes it. */
export interface ResultStudy {
  modality?: string;
  viewPosition?: string;
  bodyPart?: string;
  studyDate?: string;
  rows: number;
  columns: number;
  /** Number of frames (1 for a radiograph). */
  frames: number;
  /** Photometric interpretation (MONOCHROME1/2 for a radiograph). */
  photometric: string;
}

/** Fields every result has. */
export interface ResultCommon {
  /** What the screen detects (from the card), e.g. 'osteoporosis'. */
  condition: string;
  /** Reasons to read the result with care (inside the intended use, but unusual). */
  warnings: string[];
  patient: ResultPatient;
  study: ResultStudy;
  /** Which engine runs the model, e.g. 'onnxruntime-node 1.30.0' or 'tfjs:wasm'. */
  engine: string;
  /** The content id of the model card (`sha256:…`), as in `model.id`. */
  cardId: string;
  model: CardSummary;
  disclaimer: string;
  /** Milliseconds: decoding, intended-use checks and preprocessing, prediction, Grad-CAM. */
  timingsMs: { decode: number; preprocess: number; predict: number; gradcam?: number };
}

/** A radiograph inside the intended use: the screen's score and recommendation. */
export interface ScreenedResult extends ResultCommon {
  screened: true;
  /** Empty: nothing kept the image from being screened. */
  reasons: [];
  /** The model's score in [0, 1]. */
  score: number;
  /** The card's threshold. */
  threshold: number;
  /** score ≥ threshold. */
  positive: boolean;
  /** A plain-language recommendation (refer for DXA or not). */
  recommendation: string;
  /** The Grad-CAM overlay, unless switched off or unavailable. */
  gradcam?: GradCamField;
  /** Why there is no Grad-CAM when one was asked for (e.g. the engine has no gradients). */
  gradcamUnavailable?: string;
}

/** An image outside the intended use: no score, no recommendation, the reasons in words. */
export interface NotScreenedResult extends ResultCommon {
  screened: false;
  /** Why the image was not screened (at least one), in words a clinician understands. */
  reasons: string[];
}

/** What the service answers for one radiograph (the JSON of `POST /v1/screen`). */
export type ScreeningResult = ScreenedResult | NotScreenedResult;

/** The summary of a binary screening card that every result carries. */
export function cardSummary(card: ModelCard): CardSummary {
  return {
    id: card.id,
    name: card.name,
    condition: card.task.kind === 'binary' ? card.task.condition : card.name,
    threshold: card.threshold?.value ?? Number.NaN,
    intendedUse: card.intendedUse,
  };
}
