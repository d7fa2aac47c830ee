// Cards for tests: a thesis-style osteoporosis screen with age and sex fusion, written out in full.
import type { ModelCardInput } from './refine-card.js';

/** A binary osteoporosis screen at `inputSize` px, 1 channel, z-score, fusing age (× 0.01) and sex (F 0, M 1). */
export function exampleCardInput(inputSize = 64): ModelCardInput {
  return {
    name: 'test_osteoporosis',
    architecture: { backbone: 'inception_v3', widthMultiplier: 0.125, inputSize, channels: 1 },
    preprocessing: { normalize: 'zscore' },
    fusion: [
      { input: 'age', source: 'age', scale: 0.01 },
      { input: 'sex', source: 'sex', codes: { F: 0, M: 1 } },
    ],
    task: { kind: 'binary', condition: 'osteoporosis', positive: 'lowest T-score ≤ −2.5 (WHO): refer for DXA' },
    threshold: { value: 0.5, rule: { method: 'youden' }, chosenOn: { set: 'tuning', n: 100, positives: 50 } },
  };
}
