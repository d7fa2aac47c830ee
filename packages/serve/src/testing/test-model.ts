// Test fixture (not part of the package API): a small, seeded screening model with its card, saved as a
// model folder (model.json + weights + model-card.json) and exported to model.onnx, so that the service's
// tests run the real engines (tfjs and onnxruntime) and real Grad-CAM in seconds. InceptionV3 at 1/16
// width on 160 × 160 px keeps the thesis's layer names (mixed10's conv2d_86 … conv2d_94, a 3 × 3 grid there).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { createRng } from '@cxrkit/core';
import { buildScreeningModel, saveModel } from '@cxrkit/models';
import type { ModelCardInput } from '@cxrkit/models/card';
import { gradCam, type Heatmap } from '@cxrkit/gradcam';
import { exportOnnx } from '@cxrkit/onnx';

/** Side of the test model's square image input, pixels. */
export const TEST_MODEL_SIZE = 160;

/** The card of the test model: a binary osteoporosis screen fusing age and sex, threshold 0.5. */
export const TEST_MODEL_CARD: ModelCardInput = {
  name: 'serve_test_osteoporosis',
  description: 'Seeded, untrained InceptionV3 (1/16 width) for the service tests: its scores mean nothing.',
  architecture: { backbone: 'inception_v3', widthMultiplier: 1 / 16, inputSize: TEST_MODEL_SIZE, channels: 1 },
  preprocessing: { normalize: 'zscore' },
  fusion: [
    { input: 'age', source: 'age', scale: 0.01 },
    { input: 'sex', source: 'sex', codes: { F: 0, M: 1 } },
  ],
  task: { kind: 'binary', condition: 'osteoporosis', positive: 'lowest T-score ≤ −2.5: refer for DXA' },
  threshold: { value: 0.5, rule: { method: 'fixed' } },
  trainingData: { source: 'none (seeded, untrained test model)', synthetic: true, counts: { train: 0 } },
};

/** The test model with every weight drawn from a seeded generator (same scores on every run). */
export function buildTestModel(seed = 14): tfl.LayersModel {
  const model = buildScreeningModel({
    backbone: 'inception_v3',
    inputShape: [TEST_MODEL_SIZE, TEST_MODEL_SIZE, 1],
    backboneOptions: { widthMultiplier: 1 / 16 },
    task: 'binary',
    fusion: ['age', 'sex'],
  });
  const rng = createRng(seed);
  for (const w of model.weights) {
    const shape = w.shape as number[];
    const name = w.originalName;
    let range: [number, number] | undefined;
    if (/kernel/.test(name)) {
      const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
      const limit = Math.sqrt(6 / (receptive * (shape.at(-2)! + shape.at(-1)!)));
      range = [-limit, limit];
    } else if (/moving_variance/.test(name)) range = [0.5, 1.5];
    else if (/moving_mean|beta|bias/.test(name)) range = [-0.2, 0.2];
    if (!range) continue;
    const [lo, hi] = range;
    const size = shape.reduce((a, b) => a * b, 1);
    tf.tidy(
      () =>
        void w.write(
          tf.tensor(
            Float32Array.from({ length: size }, () => rng.uniform(lo, hi)),
            shape,
          ),
        ),
    );
  }
  return model;
}

/**
 * Writes the test model folder at `dir` (model.json, weights, model-card.json, model.onnx with the card
 * embedded) unless it is already there, and returns `dir`.
 */
export async function writeTestModel(dir: string): Promise<string> {
  if (existsSync(join(dir, 'model.onnx')) && existsSync(join(dir, 'model-card.json'))) return dir;
  await mkdir(dir, { recursive: true });
  const model = buildTestModel();
  try {
    const saved = await saveModel(model, dir, { card: TEST_MODEL_CARD });
    const onnx = await exportOnnx(model, { card: saved.card });
    await writeFile(join(dir, 'model.onnx.tmp'), onnx);
    await import('node:fs/promises').then((fs) => fs.rename(join(dir, 'model.onnx.tmp'), join(dir, 'model.onnx')));
  } finally {
    model.dispose();
  }
  return dir;
}

/** The ONNX bytes of the test model folder. */
export const readTestOnnx = (dir: string): Promise<Uint8Array> =>
  readFile(join(dir, 'model.onnx')).then((b) => new Uint8Array(b));

/**
 * The reference the service's Grad-CAM is checked against: gradcam's own `gradCam` (positive class, `layers`
 * averaged) on tensors made here from the plain `inputs` (name → values and shape).
 */
export function gradCamReference(
  model: tfl.LayersModel,
  inputs: Record<string, { data: Float32Array; shape: number[] }>,
  layers: string[],
): Heatmap {
  const tensors = Object.fromEntries(Object.entries(inputs).map(([k, b]) => [k, tf.tensor(b.data, b.shape)]));
  try {
    return gradCam(model, tensors, { layers, target: 'positive' })[0]!;
  } finally {
    for (const t of Object.values(tensors)) t.dispose();
  }
}
