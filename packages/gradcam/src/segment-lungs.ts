/**
 * Lung fields of a PA chest radiograph, behind a small interface: a segmenter is any function
 * `(image) → LungMask`. The classical default (no model, no weights) is thresholding + morphology + the
 * two largest components and is meant for normal adult PA radiographs, where the lungs are the two
 * large dark regions inside the body; a learned segmentation model plugs in through
 * `modelLungSegmenter` (or any function of the same shape).
 */
import * as tf from '@tensorflow/tfjs-core';
import { CxrkitError, type GrayImage } from '@cxrkit/core';
import { assertHeatmap } from './heatmap.js';
import {
  classicalLungSegmentation,
  percentileNormalize,
  type ClassicalLungOptions,
  type LungMask,
  type LungSegmenter,
} from './classical-lungs.js';

export { classicalLungSegmentation };
export type { ClassicalLungOptions, LungMask, LungSegmenter };

export interface SegmentLungsOptions extends ClassicalLungOptions {
  /** Use this segmenter instead of the classical one (e.g. `modelLungSegmenter(unet)`). */
  segmenter?: LungSegmenter;
}

/**
 * Lung mask of a radiograph (bone bright, air dark, any float range, e.g. [0, 1] or 0…255).
 * Default: the classical segmenter; `options.segmenter` swaps in another one.
 */
export function segmentLungs(image: GrayImage, options: SegmentLungsOptions = {}): LungMask {
  assertHeatmap(image, 'image');
  const mask = options.segmenter ? options.segmenter(image) : classicalLungSegmentation(image, options);
  if (
    !mask ||
    !(mask.data instanceof Uint8Array) ||
    mask.width !== image.width ||
    mask.height !== image.height ||
    mask.data.length !== image.width * image.height
  ) {
    throw new CxrkitError(
      'GRADCAM_BAD_SEGMENTATION',
      'the lung segmenter must return { data: Uint8Array, width, height } of the image size',
      {
        pkg: 'gradcam',
        received: mask ? { width: mask.width, height: mask.height, length: mask.data?.length } : mask,
        fix: `return a ${image.width}×${image.height} 0/1 Uint8Array mask`,
      },
    );
  }
  return mask;
}

export interface ModelSegmenterOptions {
  /** Model input size [height, width]; default from the model's input shape. */
  inputSize?: [number, number];
  /** Probability threshold. Default 0.5. */
  threshold?: number;
  /** Maps the image to model input values; default percentile-normalised to [0, 1]. */
  preprocess?: (image: GrayImage) => Float32Array;
}

/**
 * Wraps a learned lung segmentation model (a tfjs-layers model mapping `[1, h, w, 1]` images to
 * `[1, h, w, 1]` lung probabilities) as a {@link LungSegmenter}; the mask is resized back to the image
 * by nearest neighbour. Pass it as `segmentLungs(image, { segmenter })`.
 */
export function modelLungSegmenter(
  model: { predict(x: tf.Tensor): tf.Tensor | tf.Tensor[]; inputs: { shape: (number | null)[] }[] },
  options: ModelSegmenterOptions = {},
): LungSegmenter {
  const shape = model.inputs[0]?.shape ?? [];
  const [mh, mw] = options.inputSize ?? [shape[1], shape[2]];
  if (!mh || !mw) {
    throw new CxrkitError('GRADCAM_BAD_OPTION', 'the segmentation model has no fixed input size', {
      pkg: 'gradcam',
      received: shape,
      fix: 'pass inputSize: [height, width]',
    });
  }
  const threshold = options.threshold ?? 0.5;
  return (image) => {
    const prob = tf.tidy(() => {
      const values = options.preprocess ? options.preprocess(image) : percentileNormalize(image.data);
      const x = tf.image.resizeBilinear(tf.tensor4d(values, [1, image.height, image.width, 1]), [mh, mw], false, true);
      const y = model.predict(x);
      return (Array.isArray(y) ? y[0]! : y).dataSync() as Float32Array;
    });
    const data = new Uint8Array(image.width * image.height);
    for (let y = 0; y < image.height; y++) {
      const sy = Math.min(mh - 1, Math.floor(((y + 0.5) * mh) / image.height));
      for (let x = 0; x < image.width; x++) {
        const sx = Math.min(mw - 1, Math.floor(((x + 0.5) * mw) / image.width));
        data[y * image.width + x] = prob[sy * mw + sx]! >= threshold ? 1 : 0;
      }
    }
    return { data, width: image.width, height: image.height };
  };
}

/** Dice coefficient 2|A∩B| / (|A| + |B|) of two 0/1 masks of the same size (1 when both are empty). */
export function dice(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) {
    throw new CxrkitError('GRADCAM_SIZE_MISMATCH', 'masks must have the same size', {
      pkg: 'gradcam',
      received: [a.length, b.length],
      fix: 'compare masks of one image size',
    });
  }
  let inter = 0;
  let sa = 0;
  let sb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ? 1 : 0;
    const y = b[i] ? 1 : 0;
    inter += x & y;
    sa += x;
    sb += y;
  }
  return sa + sb === 0 ? 1 : (2 * inter) / (sa + sb);
}
