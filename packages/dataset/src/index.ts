/**
 * @cxrkit/dataset — bring your own data. A folder of DICOMs and a labels spreadsheet become a manifest
 * (one row per included image), exclusions (one reason per excluded file), a seeded, stratified
 * patient-level split, a baseline-characteristics table and, optionally, a cache of preprocessed pixels.
 * Data flow: DICOM folder + labels CSV/TSV → scanDataset → writeScanOutputs → manifest.csv → training.
 * Node only (worker threads, file system); loads no TensorFlow.js.
 */
export { scanDataset, applyRules, DEFAULT_MIN_AGE, DEFAULT_VIEWS, DEFAULT_SPLIT } from './scan/scan-dataset.js';
export type { ScanOptions, ScanProgress, ScanEntry, ScanExclusion, ScanResult } from './scan/scan-dataset.js';
export { EXCLUSION_CODES, exclusionGroup } from './scan/exclusion-codes.js';
export type { ExclusionCode } from './scan/exclusion-codes.js';
export { readImageFacts } from './scan/read-image-facts.js';
export type { ImageFacts, ImageFailure, ImageReadResult, CacheRequest } from './scan/read-image-facts.js';
export { readAllImages, defaultWorkers } from './scan/worker-pool.js';
export type { ReadAllOptions } from './scan/worker-pool.js';
export { listFiles } from './scan/list-files.js';
export { readLabelsTable, parseLabelsTable, labelsDelimiter } from './labels/read-labels-table.js';
export type { LabelsTable } from './labels/read-labels-table.js';
export { parseLabelKey, indexLabels, LABEL_KEY_KEYWORDS } from './labels/label-index.js';
export type { LabelKey, LabelKeyKeyword, LabelRow, LabelIndex } from './labels/label-index.js';
export { checkOutputFolder, prepareOutputFolder, SCAN_OUTPUT_FILES } from './output/output-folder.js';
export { writeScanOutputs, manifestHeader, MANIFEST_COLUMNS, EXCLUSION_COLUMNS } from './output/write-scan-outputs.js';
export type { WrittenScan, ScanSummary } from './output/write-scan-outputs.js';
export { baselineCharacteristics, baselineRows, baselineMarkdown, baselineHtml } from './output/baseline-table.js';
export type { BaselineRecord, BaselineColumn } from './output/baseline-table.js';
export {
  pixelCacheSpec,
  pixelCacheDir,
  pixelCachePath,
  cachePixels,
  writeCachedPixels,
  readCachedPixels,
  writePixelCacheIndex,
  openPixelCache,
  PIXEL_CACHE_FORMAT,
  PIXEL_CACHE_VERSION,
} from './cache/pixel-cache.js';
export type { PixelCacheOptions, PixelCacheSpec } from './cache/pixel-cache.js';
export { toFloat16Bits, fromFloat16Bits, float32ToFloat16, float16ToFloat32 } from './cache/float16.js';
export { readScanManifest } from './read-scan-manifest.js';
export type { ScanManifestRow } from './read-scan-manifest.js';
export { predictRows, cacheMatchesCard, findCardCache, manifestRowInputs } from './predict/predict-rows.js';
export type { PredictRowsOptions, RowPredictions, RowInputs } from './predict/predict-rows.js';
