// Barrel for the image module of @cxrkit/core (preprocessing on typed arrays).
export type { GrayImage } from './types.js';
export { encodePng, encodeRgbPng, decodePng, decodeJpeg, readImageFile, writePng, checkImage } from './png.js';
export type { EncodePngOptions, RgbaImage } from './png.js';
