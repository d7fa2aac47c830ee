// Barrel for the synthetic module of @cxrkit/core: chest radiographs with a known signal.
export { synthesizeRadiograph, drawSyntheticLabels, syntheticMeanTScore, SIGNAL_REGIONS, SYNTHETIC_BMD_REFERENCE } from './radiograph.js';
export type { SynthesizeRadiographOptions, SyntheticRadiograph, SyntheticLabels, SignalRegion } from './radiograph.js';
export { synthesizeDataset } from './dataset.js';
export type { SynthesizeDatasetOptions, SyntheticRecord } from './dataset.js';
export { encodeDicom, writeDicomFile, CR_IMAGE_STORAGE, EXPLICIT_VR_LITTLE_ENDIAN } from './write-dicom.js';
export type { EncodeDicomOptions, DicomSource } from './write-dicom.js';
export { drawGlyphs, glyphText, hasGlyph, GLYPH_COLUMNS, GLYPH_ROWS } from './glyphs.js';
