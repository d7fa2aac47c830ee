// Barrel for the augment module of @cxrkit/core: seeded randomness and training-time augmentation.
export { createRng, deriveSeed } from './rng.js';
export type { Rng, RngState } from './rng.js';
export {
  compose,
  applySeeded,
  affineWarp,
  sampleAffineParams,
  randomAffine,
  randomRotation,
  randomShift,
  randomZoom,
  gaussianBlur,
  sharpen,
  randomSharpenBlur,
  randomHorizontalFlip,
  thesisAugmentation,
} from './transforms.js';
export type { Transform, FillMode, AffineParams, RandomAffineOptions, RandomSharpenBlurOptions } from './transforms.js';
