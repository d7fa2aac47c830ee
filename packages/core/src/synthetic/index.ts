// Barrel for the synthetic module of @cxrkit/core: chest radiographs with a known signal.
export { synthesizeRadiograph, drawSyntheticLabels, syntheticMeanTScore, SIGNAL_REGIONS, SYNTHETIC_BMD_REFERENCE } from './radiograph.js';
export type { SynthesizeRadiographOptions, SyntheticRadiograph, SyntheticLabels, SignalRegion } from './radiograph.js';
export { synthesizeDataset } from './dataset.js';
export type { SynthesizeDatasetOptions, SyntheticRecord } from './dataset.js';
