// For the tests: a thesis-style osteoporosis screen card (64 px, z-score, age × 0.01 and sex F 0 / M 1 fused).
import { createModelCard, type ModelCard } from '@cxrkit/models/card';

/** The card the tests screen with; `inputs` picks the fusion inputs (default age and sex). */
export function testCard(inputs: ('age' | 'sex')[] = ['age', 'sex']): ModelCard {
  return createModelCard({
    name: 'test_osteoporosis',
    architecture: { backbone: 'resnet50', widthMultiplier: 1 / 16, inputSize: 64, channels: 1 },
    preprocessing: { normalize: 'zscore' },
    fusion: [
      { input: 'age', source: 'age', scale: 0.01 },
      { input: 'sex', source: 'sex', codes: { F: 0, M: 1 } },
    ].filter((f) => inputs.includes(f.input as 'age' | 'sex')) as never,
    task: { kind: 'binary', condition: 'osteoporosis', positive: 'lowest T-score ≤ −2.5 (WHO): refer for DXA' },
    threshold: { value: 0.5, rule: { method: 'youden' }, chosenOn: { set: 'tuning', n: 100, positives: 50 } },
  });
}
