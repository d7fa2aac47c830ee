// Test doubles for the service: predictors whose output is a known function of their input.
import type { ArrayBatch, ScreeningPredictor } from './predictor.js';

/** Records every call; returns `score` (or score(inputs)) for each image. */
export function recordingPredictor(
  inputNames: string[],
  score: number | ((inputs: Record<string, ArrayBatch>) => number),
): ScreeningPredictor & { calls: Record<string, ArrayBatch>[] } {
  const calls: Record<string, ArrayBatch>[] = [];
  return {
    inputNames,
    outputNames: ['head_output'],
    engine: 'test',
    calls,
    async predict(inputs) {
      const named = inputs as Record<string, ArrayBatch>;
      calls.push(named);
      const s = typeof score === 'number' ? score : score(named);
      return { head_output: { data: Float32Array.of(s), shape: [1, 1] } };
    },
  };
}
