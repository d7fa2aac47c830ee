// Barrel for the augment module of @cxrkit/core: seeded randomness and training-time augmentation.
export { createRng, deriveSeed } from './rng.js';
export type { Rng, RngState } from './rng.js';
