/**
 * The registered CAM atlas (thesis, Part 3): average many patients' CAMs in one reference frame.
 *   1. lung fields of each radiograph (segmentLungs, or masks given by the caller);
 *   2. rigid registration of each lung mask to the reference lung mask (registerRigid);
 *   3. the same transform applied to that radiograph's CAM (warpRigid);
 *   4. pixel-wise mean of the registered CAMs → 8-bit image and an overlay on the reference.
 * Cases are selected by outcome (true positives, false negatives, …) from predictions and labels.
 */
import { CxrkitError, resize, type Gray8Image, type GrayImage } from '@cxrkit/core';
import { assertHeatmap, normalizeHeatmap, type Heatmap } from './heatmap.js';
import { overlayHeatmap, type OverlayImage, type OverlayOptions } from './overlay.js';
import { registerRigid, warpRigid, type RegisterRigidOptions, type RegistrationResult } from './register-rigid.js';
import { segmentLungs, type LungMask, type LungSegmenter } from './segment-lungs.js';

/** Outcome of a binary prediction against its label. */
export type Outcome = 'TP' | 'FN' | 'FP' | 'TN';
export const OUTCOMES: readonly Outcome[] = ['TP', 'FN', 'FP', 'TN'];

/** TP/FN/FP/TN of one case: predicted positive when `prediction ≥ threshold`; label 1 = positive. */
export function classifyOutcome(prediction: number, label: number, threshold = 0.5): Outcome {
  const p = prediction >= threshold;
  const y = label === 1;
  return p ? (y ? 'TP' : 'FP') : y ? 'FN' : 'TN';
}

/**
 * Indices of the cases with the given outcome(s).
 * @param predictions scores or probabilities, one per case
 * @param labels 0/1, one per case
 * @param outcome e.g. `'TP'` (the thesis averaged true positives) or `['TP', 'FN']` (all positives)
 * @param threshold operating point on the prediction scale. Default 0.5.
 */
export function selectCases(
  predictions: ArrayLike<number>,
  labels: ArrayLike<number>,
  outcome: Outcome | Outcome[],
  threshold = 0.5,
): number[] {
  if (predictions.length !== labels.length) {
    throw new CxrkitError('GRADCAM_SIZE_MISMATCH', `${predictions.length} predictions but ${labels.length} labels`, {
      pkg: 'gradcam',
      received: [predictions.length, labels.length],
      fix: 'pass one prediction and one label per case',
    });
  }
  const wanted = new Set(Array.isArray(outcome) ? outcome : [outcome]);
  for (const o of wanted) {
    if (!OUTCOMES.includes(o))
      throw new CxrkitError('GRADCAM_BAD_OPTION', `unknown outcome "${o}"`, {
        pkg: 'gradcam',
        received: o,
        fix: 'use "TP", "FN", "FP" or "TN"',
      });
  }
  const out: number[] = [];
  for (let i = 0; i < predictions.length; i++) {
    const y = labels[i]!;
    if (y !== 0 && y !== 1)
      throw new CxrkitError('GRADCAM_BAD_LABEL', `label ${i} is ${y}, not 0 or 1`, {
        pkg: 'gradcam',
        received: y,
        fix: 'binarise the labels first (e.g. osteoporosis = 1)',
      });
    if (wanted.has(classifyOutcome(predictions[i]!, y, threshold))) out.push(i);
  }
  return out;
}

/** One radiograph for the atlas: the image, its CAM and, optionally, its lung mask and prediction/label. */
export interface AtlasCase {
  image: GrayImage;
  /** The CAM (any size; resized to the image first). */
  cam: Heatmap;
  /** Lung mask; segmented with the atlas's segmenter when absent. */
  lungMask?: LungMask;
  prediction?: number;
  label?: number;
  id?: string;
}

export interface CamAtlasOptions {
  /** The reference radiograph (and its lung mask), or the index of a case to use as reference. Default: case 0. */
  reference?: { image: GrayImage; lungMask?: LungMask } | number;
  /** Keep only cases with these outcomes (needs `prediction` and `label` on each case). Default: all cases. */
  select?: Outcome | Outcome[];
  /** Operating point for `select`. Default 0.5. */
  threshold?: number;
  /** Lung segmenter for cases without masks. Default: the classical one (segmentLungs). */
  segmenter?: LungSegmenter;
  /**
   * Scale each CAM to max 1 before averaging, so every patient weighs the same (default true). With
   * false, raw Grad-CAM magnitudes are averaged (patients with stronger evidence weigh more).
   */
  normalizeEach?: boolean;
  /** Cases whose registration Dice falls below this are left out (and reported). Default 0.5. */
  minDice?: number;
  registration?: RegisterRigidOptions;
  /** Overlay look (colormap, alpha, …) of the atlas over the reference. */
  overlay?: OverlayOptions;
}

export interface CamAtlas {
  /** Pixel-wise mean of the registered CAMs, in the reference frame. */
  mean: Heatmap;
  /** The mean as 8 bits: 0…255 over [0, max of the mean]. */
  image8: Gray8Image;
  /** The mean over the reference radiograph. */
  overlay: OverlayImage;
  /** How many cases were averaged. */
  count: number;
  /** Per input case: outcome, whether it was used, and its registration. */
  cases: {
    index: number;
    id?: string;
    outcome?: Outcome;
    used: boolean;
    reason?: string;
    registration?: RegistrationResult;
  }[];
  reference: { image: GrayImage; lungMask: LungMask };
}

/**
 * Builds the registered CAM atlas over `cases` (thesis: 559 true positives of the internal set).
 * Each case's lungs are registered rigidly to the reference's lungs and its CAM is warped with the
 * same transform; the atlas is the pixel-wise mean. Returns the float mean, an 8-bit image and an
 * overlay on the reference radiograph (write them with core's `writePng`).
 */
export function buildCamAtlas(cases: AtlasCase[], options: CamAtlasOptions = {}): CamAtlas {
  if (!Array.isArray(cases) || cases.length === 0) {
    throw new CxrkitError('GRADCAM_NO_CASES', 'buildCamAtlas needs at least one case', {
      pkg: 'gradcam',
      received: cases,
      fix: 'pass [{ image, cam, prediction, label }, …]',
    });
  }
  const seg = (image: GrayImage): LungMask => segmentLungs(image, { segmenter: options.segmenter });
  const refOpt = options.reference ?? 0;
  const refSrc = typeof refOpt === 'number' ? cases[refOpt] : refOpt;
  if (!refSrc)
    throw new CxrkitError('GRADCAM_BAD_OPTION', `reference case ${refOpt} does not exist`, {
      pkg: 'gradcam',
      received: refOpt,
      fix: `use an index 0…${cases.length - 1} or { image }`,
    });
  assertHeatmap(refSrc.image, 'reference image');
  const reference = { image: refSrc.image, lungMask: refSrc.lungMask ?? seg(refSrc.image) };
  const { width: W, height: H } = reference.image;
  const threshold = options.threshold ?? 0.5;
  const minDice = options.minDice ?? 0.5;
  const wanted =
    options.select === undefined ? null : new Set(Array.isArray(options.select) ? options.select : [options.select]);
  const sum = new Float32Array(W * H);
  const report: CamAtlas['cases'] = [];
  let count = 0;
  cases.forEach((c, index) => {
    assertHeatmap(c.image, `case ${index} image`);
    assertHeatmap(c.cam, `case ${index} cam`);
    let outcome: Outcome | undefined;
    if (c.prediction !== undefined && c.label !== undefined)
      outcome = classifyOutcome(c.prediction, c.label, threshold);
    const entry: CamAtlas['cases'][number] = { index, id: c.id, outcome, used: false };
    report.push(entry);
    if (wanted) {
      if (outcome === undefined) {
        throw new CxrkitError(
          'GRADCAM_BAD_OPTION',
          `case ${index} has no prediction/label, so it cannot be selected by outcome`,
          {
            pkg: 'gradcam',
            received: { prediction: c.prediction, label: c.label },
            fix: 'give every case prediction and label, or drop options.select',
          },
        );
      }
      if (!wanted.has(outcome)) {
        entry.reason = `outcome ${outcome}`;
        return;
      }
    }
    const mask = c.lungMask ?? seg(c.image);
    if (!mask.data.some((v) => v)) {
      entry.reason = 'no lungs found';
      return;
    }
    const reg = registerRigid(mask, reference.lungMask, options.registration);
    entry.registration = reg;
    if (reg.dice < minDice) {
      entry.reason = `registration Dice ${reg.dice.toFixed(2)} < ${minDice}`;
      return;
    }
    let cam =
      c.cam.width === c.image.width && c.cam.height === c.image.height
        ? c.cam
        : resize(c.cam, { width: c.image.width, height: c.image.height, filter: 'bilinear', antialias: false });
    if (options.normalizeEach ?? true) cam = normalizeHeatmap(cam);
    const warped = warpRigid(cam, reg, W, H);
    for (let i = 0; i < sum.length; i++) sum[i] += warped.data[i]!;
    entry.used = true;
    count++;
  });
  if (count === 0) {
    throw new CxrkitError(
      'GRADCAM_NO_CASES',
      'no case was left to average (selection, segmentation or registration removed all)',
      {
        pkg: 'gradcam',
        received: report.map((r) => r.reason),
        fix: 'check options.select/threshold, or lower minDice',
      },
    );
  }
  const mean = { data: sum.map((v) => v / count), width: W, height: H };
  let max = 0;
  for (const v of mean.data) if (v > max) max = v;
  const image8 = {
    data: Uint8Array.from(mean.data, (v) => (max > 0 ? Math.round((255 * v) / max) : 0)),
    width: W,
    height: H,
  };
  const overlay = overlayHeatmap(reference.image, mean, { colormap: 'jet', alpha: 0.45, ...options.overlay });
  return { mean, image8, overlay, count, cases: report, reference };
}
