// Barrel for the dicom module of @cxrkit/core: DICOM file → DicomImage (stored / modality / grayscale pixels).
export { readDicom, DicomImage, DEFAULT_MAX_PIXELS } from './read-dicom.js';
export { looksLikeDicom } from './parse.js';
export type { ReadDicomOptions, GrayscaleOptions } from './read-dicom.js';
export type { DicomMeta } from './meta.js';
export { parseDicomAge, parseDicomDate } from './meta.js';
export type { StoredPixels } from './stored.js';
export { DICOM_ERROR_CODES } from './errors.js';
export type { DicomErrorCode } from './errors.js';
export { TRANSFER_SYNTAXES, REFUSED_TRANSFER_SYNTAXES } from './transfer-syntax.js';
export type { TransferSyntaxInfo, CodecName } from './transfer-syntax.js';
export type { ModalityTransform, VoiTransform, Lut } from './luts.js';
