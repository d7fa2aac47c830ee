// Fixtures for this package's tests and for bench/archive.bench.ts (not exported): a seeded screening model
// saved with its card (model.json + model-card.json) and exported to ONNX with the card embedded
// (model.onnx), and folders of synthetic CR DICOMs (core's synthesizeRadiograph + encodeDicom).
// Loads TensorFlow.js: the caller has picked a backend (test/setup.ts, or the benchmark).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { createRng, encodeDicom, synthesizeRadiograph } from '@cxrkit/core';
import { buildScreeningModel, saveModel } from '@cxrkit/models';
import type { ModelCard, ModelCardInput } from '@cxrkit/models/card';
import { exportOnnx } from '@cxrkit/onnx';

/** Options of {@link writeTestModel}. */
export interface TestModelOptions {
  /** Input size in pixels. Default 128. */
  size?: number;
  /** Backbone width multiplier. Default 1/16. */
  widthMultiplier?: number;
  /** Image channels. Default 1. */
  channels?: 1 | 3;
  /** Fusion inputs. Default ['age', 'sex']. */
  fusion?: ('age' | 'sex')[];
  /** Weight seed. Default 12. */
  seed?: number;
  /** Also save the tfjs layers model (model.json + weights) for the tfjs engine. Default true. */
  tfjs?: boolean;
}

/**
 * Writes an InceptionV3 screening model with seeded weights (Glorot-uniform kernels, non-trivial BatchNorm
 * statistics) to `dir`: model.onnx with its card embedded, model-card.json, and model.json unless `tfjs: false`.
 * Resolves to the card.
 */
export async function writeTestModel(dir: string, options: TestModelOptions = {}): Promise<ModelCard> {
  const size = options.size ?? 128;
  const channels = options.channels ?? 1;
  const fusion = options.fusion ?? ['age', 'sex'];
  const widthMultiplier = options.widthMultiplier ?? 1 / 16;
  const cardInput: ModelCardInput = {
    name: 'archive_test_osteoporosis',
    architecture: { backbone: 'inception_v3', widthMultiplier, inputSize: size, channels },
    preprocessing: { normalize: 'zscore' },
    fusion: [
      ...(fusion.includes('age') ? [{ input: 'age', source: 'age' as const, scale: 0.01 }] : []),
      ...(fusion.includes('sex') ? [{ input: 'sex', source: 'sex' as const, codes: { F: 0, M: 1 } }] : []),
    ],
    task: { kind: 'binary', condition: 'osteoporosis', positive: 'lowest T-score ≤ −2.5: refer for DXA' },
    threshold: {
      value: 0.5,
      rule: { method: 'youden' },
      chosenOn: { set: 'tuning', n: 40, positives: 20 },
      operatingPoint: { sensitivity: 0.8, specificity: 0.75 },
    },
    trainingData: { source: 'none (untrained test model)', synthetic: true, counts: { train: 0 } },
    metrics: { test: { n: 80, auc: { value: 0.5, ci: [0.4, 0.6], level: 0.95, method: 'delong' } } },
  };
  const model = buildScreeningModel({
    backbone: 'inception_v3',
    inputShape: [size, size, channels],
    backboneOptions: { widthMultiplier },
    task: 'binary',
    fusion,
  });
  const rng = createRng(options.seed ?? 12);
  for (const w of model.weights) {
    const shape = w.shape as number[];
    const name = w.originalName;
    let range: [number, number] | undefined;
    if (/kernel/.test(name)) {
      const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
      const limit = Math.sqrt(6 / (receptive * (shape.at(-2)! + shape.at(-1)!)));
      range = [-limit, limit];
    } else if (/moving_variance/.test(name)) range = [0.5, 1.5];
    else if (/moving_mean|beta/.test(name)) range = [-0.2, 0.2];
    if (!range) continue;
    const [lo, hi] = range;
    const n = shape.reduce((a, b) => a * b, 1);
    tf.tidy(
      () =>
        void w.write(
          tf.tensor(
            Float32Array.from({ length: n }, () => rng.uniform(lo, hi)),
            shape,
          ),
        ),
    );
  }
  await mkdir(dir, { recursive: true });
  let card: ModelCard;
  if (options.tfjs !== false) {
    card = (await saveModel(model, dir, { card: cardInput })).card!;
  } else {
    const { writeModelCard } = await import('@cxrkit/models/card');
    card = await writeModelCard(dir, cardInput);
  }
  await writeFile(join(dir, 'model.onnx'), await exportOnnx(model, { card }));
  model.dispose();
  return card;
}

/** Options of {@link writeSyntheticDicoms}. */
export interface SyntheticDicomOptions {
  /** Image size (square). Default 192. */
  size?: number;
  /** Bits stored. Default 12. */
  bitsStored?: number;
  /** Seed of the first file (file k uses seed + k). Default 1. */
  seed?: number;
  /**
   * Distinct radiographs drawn (each reused for several files with new UIDs and patients when fewer than the
   * file count: drawing a 2000 px radiograph takes seconds). Default: one per file.
   */
  distinct?: number;
  /** Files per sub-folder. Default 100. */
  perFolder?: number;
}

/**
 * Writes `count` synthetic CR chest radiograph DICOMs (explicit VR LE, MONOCHROME1 for odd k, MONOCHROME2 for
 * even k; age and sex in the header) under `dir` in sub-folders of `perFolder`. Resolves to their paths.
 */
export async function writeSyntheticDicoms(
  dir: string,
  count: number,
  options: SyntheticDicomOptions = {},
): Promise<string[]> {
  const size = options.size ?? 192;
  const seed = options.seed ?? 1;
  const distinct = Math.min(count, options.distinct ?? count);
  const perFolder = options.perFolder ?? 100;
  const drawn = new Map<number, ReturnType<typeof synthesizeRadiograph>>();
  const paths: string[] = [];
  for (let k = 0; k < count; k++) {
    const base = k % distinct;
    let r = drawn.get(base);
    if (!r) {
      r = synthesizeRadiograph({ seed: seed + base, size });
      if (distinct < count) drawn.set(base, r);
    }
    const labels =
      k < distinct ? r.labels : { ...r.labels, age: 40 + ((k * 7) % 50), sex: (k % 2 ? 'F' : 'M') as 'F' | 'M' };
    const bytes = encodeDicom(
      { image: r.image, labels },
      {
        seed: `${seed}-${k}`,
        bitsStored: options.bitsStored ?? 12,
        photometric: k % 2 ? 'MONOCHROME1' : 'MONOCHROME2',
      },
    );
    const folder = join(dir, `batch-${String(Math.floor(k / perFolder)).padStart(3, '0')}`);
    await mkdir(folder, { recursive: true });
    const path = join(folder, `cr-${String(k).padStart(5, '0')}.dcm`);
    await writeFile(path, bytes);
    paths.push(path);
  }
  return paths;
}
