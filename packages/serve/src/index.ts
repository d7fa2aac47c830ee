/**
 * @cxrkit/serve — the screening service of the thesis's Part 4: a clinic uploads a chest radiograph
 * DICOM and gets a screening result that recommends DXA for those at high risk — or "not screened", with
 * the reasons, for an image outside the model card's intended use. Runs on any cxrkit predictor (tfjs or
 * onnxruntime), described by its model card (@cxrkit/models/card). Loads no TensorFlow.js (the Grad-CAM
 * explainer on a tfjs model is `createGradCamExplainer` of `@cxrkit/gradcam`). Data flow: DICOM bytes →
 * (worker thread) header facts → intended-use gate → grayscale → lung-field check → modelInputs(card) →
 * predictor → score vs the card's threshold → Grad-CAM overlay → result JSON (with the card summary).
 */
export {
  SCREENING_CARD_FILE,
  SCREENING_DEFAULTS,
  resolveScreeningConfig,
  readScreeningConfig,
  writeScreeningConfig,
  screeningConfigFromCard,
} from './config.js';
export type { ScreeningConfig } from './config.js';
export type { ScreeningPredictor, ArrayBatch } from './predictor.js';
export type { ScreeningExplainer } from './explainer.js';
export { servedCard } from './served-card.js';
export type { CardSource } from './served-card.js';
export {
  screenDicom,
  screenImage,
  screenDicomWithCard,
  screenWithCard,
  screenPrepared,
  PREVIEW_SIDE,
  GRADCAM_UNAVAILABLE_DEFAULT,
} from './screen.js';
export type { ScreeningOverrides, ScreenOptions, ScreenResultOptions } from './screen.js';
export { cardSummary } from './result.js';
export type {
  ScreeningResult,
  ScreenedResult,
  NotScreenedResult,
  ResultCommon,
  ResultPatient,
  ResultStudy,
  CardSummary,
  GradCamField,
  GradCamOverlay,
} from './result.js';
export { intendedUseGate, PLAUSIBLE_RADIOGRAPH } from './gate/intended-use-gate.js';
export type { ImageFacts, GateVerdict } from './gate/intended-use-gate.js';
export { prepareDicom, previewImage } from './prepare/prepare-dicom.js';
export type { PrepareRequest, PreparedImage } from './prepare/prepare-dicom.js';
export { SERVICE_DECODE_LIMITS } from './prepare/decode-limits.js';
export type { DecodeLimits } from './prepare/decode-limits.js';
export { DecodePool } from './prepare/decode-pool.js';
export type { DecodePoolOptions } from './prepare/decode-pool.js';
export { createScreeningHandler, startScreeningServer, clinicianMessage, parseOverrides } from './http.js';
export type {
  ScreeningServiceOptions,
  ScreeningHandler,
  RunningService,
  ServerTimeouts,
  ServiceRoute,
  RouteContext,
  RouteAnswer,
  ScreenOutcome,
} from './http.js';
export { DEFAULT_BODY_LIMITS } from './http/read-body.js';
export type { BodyLimits } from './http/read-body.js';
export { jsonLinesLogger, uidHasher } from './http/access-log.js';
export type { AccessLogEntry, AccessLogger } from './http/access-log.js';
export type { ErrorBody } from './http/error-response.js';
export { parseScreenRequest } from './http/request-options.js';
export type { ScreenRequestOptions } from './http/request-options.js';
export { uploadPage } from './page.js';
export type { UploadPageOptions } from './page.js';
