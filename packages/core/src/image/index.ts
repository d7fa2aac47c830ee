// Barrel for the image module of @cxrkit/core (preprocessing on typed arrays).
export type { GrayImage } from './types.js';
