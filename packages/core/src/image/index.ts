// Barrel for the image module of @cxrkit/core (preprocessing on typed arrays; no tfjs: the tensor edge,
// imagesToTensor / imageToTensor, is exported from the package root only).
export type { GrayImage, Gray8Image, RgbaImage, PngImage } from './types.js';
export { encodePng, decodePng, decodeJpeg, checkImage } from './png.js';
export type { EncodePngOptions } from './png.js';
export { readImageFile, writePng, writePngSync } from './png-file.js';
export { percentileClipMinMax, zScore, minMax } from './normalize.js';
export { percentiles } from './percentiles.js';
export type { PercentileClipOptions } from './normalize.js';
export { resize, resizeBicubic } from './resize.js';
export type { ResizeOptions, ResampleFilter } from './resize.js';
export { setPreprocessSimd } from './simd/preprocess-simd.js';
export { grayToChannels } from './channels.js';
export { maskBoundingBox, roiBox, cropImage, cropRoi, ROI_NAMES, ROI_FRACTIONS } from './roi.js';
export type { Box, RoiName } from './roi.js';
export { preprocessRadiograph } from './pipeline.js';
export type { PreprocessOptions } from './pipeline.js';
