// Barrel for the synthetic module of @cxrkit/core: chest radiographs with a known signal.
export {
  synthesizeRadiograph,
  drawSyntheticLabels,
  syntheticMeanTScore,
  difficultySigma,
  SIGNAL_REGIONS,
  SYNTHETIC_BMD_REFERENCE,
  SYNTHETIC_DIFFICULTY,
} from './radiograph.js';
export type {
  SynthesizeRadiographOptions,
  SyntheticRadiograph,
  SyntheticLabels,
  SignalRegion,
  SyntheticDifficulty,
} from './radiograph.js';
export { synthesizeDataset } from './dataset.js';
export type { SynthesizeDatasetOptions, SyntheticRecord } from './dataset.js';
export { encodeDicom, writeDicomFile, CR_IMAGE_STORAGE, EXPLICIT_VR_LITTLE_ENDIAN } from './write-dicom.js';
export type { EncodeDicomOptions, DicomSource } from './write-dicom.js';
export { drawGlyphs, glyphText, hasGlyph, GLYPH_COLUMNS, GLYPH_ROWS } from './glyphs.js';
