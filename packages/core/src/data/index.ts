// Barrel for the data module of @cxrkit/core: manifests, labels, splits and samplers (no tfjs: the
// tensor batch loader, createBatchLoader, is exported from the package root only).
export {
  whoCategory,
  lowestTScore,
  osteoporosisLabel,
  subgroupLabel,
  WHO_OSTEOPOROSIS_MAX,
  WHO_OSTEOPENIA_BELOW,
} from './labels.js';
export type { WhoCategory, TScores } from './labels.js';
export {
  parseCsv,
  parseManifestCsv,
  parseManifestJson,
  readManifest,
  validateManifestRows,
  filterByAge,
  DEFAULT_MANIFEST_COLUMNS,
} from './manifest.js';
export type {
  Manifest,
  ManifestRecord,
  ManifestIssue,
  ManifestColumns,
  ManifestOptions,
  AgeRange,
} from './manifest.js';
export { splitByPatient, allocate } from './split.js';
export type { SplitByPatientOptions, PatientSplit } from './split.js';
export {
  sampleAgeMatched,
  sampleMatchedCells,
  sampleBalanced,
  sampleSexLadder,
  THESIS_SEX_LADDER,
} from './samplers.js';
export type { AgeMatchedSample, BalancedSample } from './samplers.js';
// Moved to @cxrkit/metrics (the statistics package); re-exported so existing imports keep working.
export { ksTwoSample } from '@cxrkit/metrics';
export type { KsResult } from '@cxrkit/metrics';
export { loadGrayImage } from './load-gray-image.js';
export { epochOrder, sampleBatches } from './sample-batches.js';
export type { SampleBatch, SampleBatchesOptions } from './sample-batches.js';
export { readNihThumbsManifest, readCovidPaManifest, fillFromDicom } from './datasets.js';
