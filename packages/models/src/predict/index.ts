// Barrel for predictors: the tfjs predictor and the engine-independent contract (./contract.ts).
export { createTfjsPredictor } from './tfjs-predictor.js';
export * from './contract.js';
