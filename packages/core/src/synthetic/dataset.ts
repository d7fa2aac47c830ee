/**
 * Synthetic datasets: many patients, one or more radiographs each (same age/sex/BMD, different pose,
 * exposure and noise), with optional class balancing for the osteoporosis label.
 */
import { CxrkitError } from '../errors.js';
import { createRng, deriveSeed } from '../augment/rng.js';
import {
  drawSyntheticLabels,
  synthesizeRadiograph,
  type SynthesizeRadiographOptions,
  type SyntheticLabels,
  type SyntheticRadiograph,
} from './radiograph.js';

export interface SynthesizeDatasetOptions extends Omit<SynthesizeRadiographOptions, 'seed' | 'age' | 'sex' | 'tScore'> {
  /** Number of images. */
  n: number;
  /** Dataset seed. Default 0. */
  seed?: number | string;
  /** Images per patient (the last patient may have fewer). Default 1. */
  imagesPerPatient?: number;
  /**
   * Share of patients with osteoporosis (T ≤ −2.5), drawn class first then T-score from the
   * age/sex model conditioned on the class. Default: whatever the age/sex model gives (≈ 10 %).
   */
  osteoporosisFraction?: number;
  /** Share of women. Default 0.5. */
  femaleFraction?: number;
  /** When false, images are not rendered (labels and seeds only; call `render()` later). Default true. */
  render?: boolean;
}

/** One synthetic image with its patient; `render()` (re)creates the pixels from the seed. */
export interface SyntheticRecord {
  /** Image id, unique in the dataset (e.g. `syn-000042`). */
  id: string;
  /** Patient id shared by the images of one patient (e.g. `P00017`). */
  patientId: string;
  /** Per-image seed passed to {@link synthesizeRadiograph}. */
  seed: number;
  labels: SyntheticLabels;
  /** The rendered radiograph (absent when `render: false`). */
  radiograph?: SyntheticRadiograph;
  /** Renders this record's radiograph (deterministic). */
  render(): SyntheticRadiograph;
}

/**
 * A seeded synthetic dataset of `n` images with patient ids, for training and Grad-CAM tests.
 *
 * ```ts
 * const records = synthesizeDataset({ n: 400, seed: 1, size: 96, osteoporosisFraction: 0.5 });
 * records[0].radiograph!.image; records[0].labels.osteoporosis; records[0].patientId;
 * ```
 */
export function synthesizeDataset(options: SynthesizeDatasetOptions): SyntheticRecord[] {
  const {
    n,
    seed = 0,
    imagesPerPatient = 1,
    osteoporosisFraction,
    femaleFraction = 0.5,
    render = true,
    ...imageOptions
  } = options ?? ({} as SynthesizeDatasetOptions);
  if (!Number.isInteger(n) || n < 1)
    throw new CxrkitError('SYNTH_BAD_OPTION', 'n must be a positive integer', { received: n, fix: 'pass e.g. n: 200' });
  if (!Number.isInteger(imagesPerPatient) || imagesPerPatient < 1)
    throw new CxrkitError('SYNTH_BAD_OPTION', 'imagesPerPatient must be a positive integer', {
      received: imagesPerPatient,
      fix: 'pass e.g. imagesPerPatient: 2',
    });
  for (const [name, v] of [
    ['osteoporosisFraction', osteoporosisFraction],
    ['femaleFraction', femaleFraction],
  ] as const) {
    if (v !== undefined && !(v >= 0 && v <= 1))
      throw new CxrkitError('SYNTH_BAD_OPTION', `${name} must be in [0, 1]`, {
        received: v,
        fix: `pass e.g. ${name}: 0.5`,
      });
  }
  const rng = createRng(deriveSeed(seed, 'dataset'));
  const records: SyntheticRecord[] = [];
  const patients = Math.ceil(n / imagesPerPatient);
  const width = String(patients - 1).length;
  for (let p = 0; p < patients; p++) {
    const sex = rng.bernoulli(femaleFraction) ? 'F' : 'M';
    let labels: SyntheticLabels;
    if (osteoporosisFraction === undefined) {
      labels = drawSyntheticLabels(rng, {
        sex,
        ageRange: imageOptions.ageRange,
        ageSexBmdEffect: imageOptions.ageSexBmdEffect,
      });
    } else {
      const want = rng.bernoulli(osteoporosisFraction) ? 1 : 0;
      // Rejection sampling from the age/sex model conditioned on the class (bounded; then forced).
      let tries = 0;
      do
        labels = drawSyntheticLabels(rng, {
          sex,
          ageRange: imageOptions.ageRange,
          ageSexBmdEffect: imageOptions.ageSexBmdEffect,
        });
      while (labels.osteoporosis !== want && ++tries < 2000);
      if (labels.osteoporosis !== want)
        labels = drawSyntheticLabels(rng, {
          sex,
          age: labels.age,
          ageSexBmdEffect: imageOptions.ageSexBmdEffect,
          tScore: want ? -2.5 - rng.uniform(0, 1.5) : rng.uniform(-2.4, 1.5),
        });
    }
    const patientId = `P${String(p).padStart(Math.max(5, width), '0')}`;
    for (let k = 0; k < imagesPerPatient && records.length < n; k++) {
      const imageSeed = deriveSeed(seed, 'image', records.length);
      // Normalise to exactly the labels synthesizeRadiograph derives from a fixed T-score.
      const fixed = drawSyntheticLabels(createRng(0), { age: labels.age, sex: labels.sex, tScore: labels.tScore });
      const make = () =>
        synthesizeRadiograph({
          ...imageOptions,
          seed: imageSeed,
          age: fixed.age,
          sex: fixed.sex,
          tScore: fixed.tScore,
        });
      const rec: SyntheticRecord = {
        id: `syn-${String(records.length).padStart(6, '0')}`,
        patientId,
        seed: imageSeed,
        labels: fixed,
        render: make,
      };
      if (render) rec.radiograph = make();
      records.push(rec);
    }
  }
  return records;
}
