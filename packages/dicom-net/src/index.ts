/**
 * @cxrkit/dicom-net — the screening service in a clinic's DICOM network (thesis Part 4; issue 14): chest
 * radiographs come in by DICOMweb STOW-RS (`POST /dicomweb/studies`) or DIMSE C-STORE, results go back into
 * the same study as DICOM objects every viewer shows — a TID 1500 Comprehensive SR (score, threshold,
 * finding, warnings, algorithm and model card; or "not screened" with the reasons) and, for a screened
 * image, a Secondary Capture with the Grad-CAM overlay (or the radiograph) and a burned-in
 * "screening aid, not a diagnosis" line — sent on by STOW-RS or C-STORE.
 * Data flow: Part-10 bytes → receiver queue → screen (the service's predictor) → SR (+ SC) → destination.
 * Written with dcmjs (data sets, SR content items) and dcmjs-dimse (DIMSE); loads no TensorFlow.js.
 */
export { buildResultObjects, reportAlgorithm, SR_SERIES_NUMBER, SC_SERIES_NUMBER } from './result-objects.js';
export type { ResultObjects, ResultObject, ResultObjectsOptions } from './result-objects.js';
export { isScreened, notScreened } from './screening-outcome.js';
export type { ScreeningOutcome, ScreenedOutcome, RgbaOverlay } from './screening-outcome.js';
export { COMPREHENSIVE_SR_STORAGE, srDataset } from './build-sr.js';
export { SECONDARY_CAPTURE_IMAGE_STORAGE, scDataset } from './build-sc.js';
export { reportContent, dsString } from './sr-content.js';
export type { ReportAlgorithm, ReportSource } from './sr-content.js';
export { SCREENING_AID_LINE, scLines, scPicture } from './sc-picture.js';
export { CXRKIT_SCHEME, codes } from './codes.js';
export { readSourceHeader } from './source-header.js';
export type { SourceHeader } from './source-header.js';
export { studyModules, STUDY_MODULE_KEYWORDS } from './study-modules.js';
export { interimGateReasons } from './interim-gate.js';
export { writePart10, wrapDataset, fileTransferSyntax, EXPLICIT_VR_LITTLE_ENDIAN } from './part10.js';
export { newUid, uidFromText, hashUid, IMPLEMENTATION_CLASS_UID } from './uid.js';
export { createDicomReceiver } from './receiver.js';
export { decideOutcome } from './decide-outcome.js';
export { reasonFromError } from './reason-from-error.js';
export type {
  DicomReceiver,
  DicomReceiverOptions,
  ReceiverEvent,
  ResultDestination,
  AcceptResult,
} from './receiver.js';
export { parseForwardUrl, createDestination, checkAeTitle } from './destination.js';
export type { ForwardTarget, DestinationOptions } from './destination.js';
export { startDimseReceiver, C_STORE_STATUS, ACCEPTED_TRANSFER_SYNTAXES } from './dimse-scp.js';
export type { DimseReceiverOptions, DimseReceiverHandle, DimseEvent } from './dimse-scp.js';
export { createPduGuard, abortPdu } from './pdu-guard.js';
export type { PduViolation, PduGuardLimits } from './pdu-guard.js';
export { storeInstances, stowResponse, STOW_FAILURE } from './stow-rs.js';
export type { StowResponse, StowInstanceOutcome } from './stow-rs.js';
export { dicomwebRoutes } from './dicomweb-routes.js';
export type { DicomwebRoutesOptions } from './dicomweb-routes.js';
export { readMultipartRelated, writeMultipartRelated, parseRelatedContentType } from './multipart.js';
export type { BodyPart, MultipartLimits } from './multipart.js';
