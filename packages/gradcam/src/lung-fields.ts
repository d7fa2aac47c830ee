/**
 * Does this image show two lung fields where a PA chest radiograph has them? An image-based check for
 * files whose header does not say which body part they show (Body Part Examined is optional in DICOM):
 * the classical lung segmentation (classical-lungs.ts, no model, no TensorFlow.js) on a copy shrunk to
 * 256 px, then the mask is measured per image half (right and left lung) against the limits below.
 *
 * Measured on the shared data (issue 14): the six real chest DICOMs pass (NIH DX 1024², SIIM CR PA, NEMA RG1
 * ×2, the GDCM/dwv CR chests); all 71 single-frame grayscale non-chest files fail (NEMA RG2 hip, RG3
 * extremity, CT1, MR4, the other CT/MR/US/NM/OT files, an abdominal film whose dark flanks look like
 * lungs); 141 of the 185 COVID-19 PA radiographs (76 %, mostly pneumonia) and 508 of the 637 NIH PA
 * 64-px thumbnails pass. It is conservative: it refuses abnormal chests rather than accept a hip.
 */
import { resizeBicubic, type GrayImage } from '@cxrkit/core/tfjs-free';
import { classicalLungSegmentation, percentileNormalize } from './classical-lungs.js';

/** One lung field: the lung mask in one half of the image, in fractions of the image. */
export interface LungFieldMeasure {
  /** Mask pixels in this half / all pixels of the image. */
  area: number;
  /** Centroid, fractions of width and height from the top-left corner. */
  cx: number;
  cy: number;
  /** Height of the mask in this half / image height. */
  height: number;
}

/** What {@link checkLungFields} found. */
export interface LungFieldsCheck {
  /** Two lung fields of plausible size and position, darker than the rest of the image. */
  found: boolean;
  /** Which limits were not met (developer words; empty when `found`). */
  failed: string[];
  /** The field in the image's left half (the patient's right lung on a PA film) and in its right half. */
  left: LungFieldMeasure;
  right: LungFieldMeasure;
  /** Fraction of the lung mask within 5 % of the image width from the midline (a mediastinum is not). */
  midline: number;
  /** Mean intensity outside the mask minus inside it, after a 1–99 % percentile stretch (lungs are dark). */
  contrast: number;
  /** Width and height the segmentation ran at. */
  size: [number, number];
}

/** The limits a lung field must meet, measured on the shared data (see the file comment). */
export const LUNG_FIELD_LIMITS = {
  /** The image is shrunk so its longer side is at most this many pixels before segmenting. */
  maxSide: 256,
  /** Each field's area, fraction of the image. */
  area: [0.03, 0.3] as const,
  /** Each field's height, fraction of the image height. */
  minHeight: 0.3,
  /** Each field's vertical centroid, fraction of the image height. */
  centroidY: [0.2, 0.65] as const,
  /** Largest difference of the two fields' vertical centroids. */
  maxCentroidDy: 0.2,
  /** Smaller field area / larger field area. */
  minAreaRatio: 0.25,
  /** The left field's centroid lies left of this fraction of the width, the right one's right of 1 − it. */
  centroidX: 0.4,
  /** Largest share of the mask near the midline. */
  maxMidline: 0.1,
  /** Smallest outside-minus-inside intensity difference. */
  minContrast: 0.12,
};

/**
 * Looks for two lung fields in a radiograph (`GrayImage`, bone bright, any size and float range).
 * Pure function on typed arrays; about 0.1 s for a 2k × 2k film (most of it the shrink and the morphology).
 */
export function checkLungFields(image: GrayImage): LungFieldsCheck {
  const L = LUNG_FIELD_LIMITS;
  const scale = Math.max(image.width, image.height) / L.maxSide;
  const small =
    scale > 1
      ? resizeBicubic(image, {
          width: Math.max(1, Math.round(image.width / scale)),
          height: Math.max(1, Math.round(image.height / scale)),
        })
      : image;
  const { width: w, height: h } = small;
  const mask = classicalLungSegmentation(small).data;
  const norm = percentileNormalize(small.data);
  const halves = [0, 1].map(() => ({ n: 0, sx: 0, sy: 0, y0: h, y1: -1 }));
  let inSum = 0;
  let inN = 0;
  let outSum = 0;
  let central = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (!mask[i]) {
        outSum += norm[i]!;
        continue;
      }
      inSum += norm[i]!;
      inN++;
      const half = halves[x + 0.5 < w / 2 ? 0 : 1]!;
      half.n++;
      half.sx += x + 0.5;
      half.sy += y + 0.5;
      half.y0 = Math.min(half.y0, y);
      half.y1 = Math.max(half.y1, y);
      if (Math.abs(x + 0.5 - w / 2) < 0.05 * w) central++;
    }
  }
  const [left, right] = halves.map((k) => ({
    area: k.n / (w * h),
    cx: k.n ? k.sx / k.n / w : 0,
    cy: k.n ? k.sy / k.n / h : 0,
    height: k.n ? (k.y1 - k.y0 + 1) / h : 0,
  })) as [LungFieldMeasure, LungFieldMeasure];
  const midline = inN ? central / inN : 0;
  const outN = w * h - inN;
  const contrast = inN && outN ? outSum / outN - inSum / inN : 0;

  const failed: string[] = [];
  for (const [side, f] of [
    ['left', left],
    ['right', right],
  ] as const) {
    if (f.area < L.area[0] || f.area > L.area[1]) failed.push(`${side} field area ${f.area.toFixed(3)}`);
    if (f.height < L.minHeight) failed.push(`${side} field height ${f.height.toFixed(2)}`);
    if (f.cy < L.centroidY[0] || f.cy > L.centroidY[1]) failed.push(`${side} field centroid y ${f.cy.toFixed(2)}`);
  }
  if (left.area > 0 && right.area > 0) {
    const dy = Math.abs(left.cy - right.cy);
    if (dy > L.maxCentroidDy) failed.push(`fields at different heights (${dy.toFixed(2)})`);
    if (Math.min(left.area, right.area) / Math.max(left.area, right.area) < L.minAreaRatio) {
      failed.push('fields of very different size');
    }
    if (left.cx > L.centroidX || right.cx < 1 - L.centroidX) {
      failed.push(`fields too close to the midline (${left.cx.toFixed(2)}, ${right.cx.toFixed(2)})`);
    }
  }
  if (midline > L.maxMidline) failed.push(`mask across the midline (${midline.toFixed(2)})`);
  if (contrast < L.minContrast) failed.push(`fields not darker than the rest (${contrast.toFixed(2)})`);
  return { found: failed.length === 0, failed, left, right, midline, contrast, size: [w, h] };
}
