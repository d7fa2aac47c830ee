/**
 * The classical lung segmentation (no model, no weights, no TensorFlow.js): thresholding + morphology +
 * the two largest components, meant for normal adult PA radiographs. `segmentLungs` (segment-lungs.ts)
 * uses it by default; the service's intended-use check (lung-fields.ts) uses it without loading tfjs.
 */
import type { GrayImage } from '@cxrkit/core/tfjs-free';
import { boxBlur, close, dilate, erode, fillHoles, labelComponents, otsuThreshold } from './morphology.js';

/** A binary mask (0/1 bytes), row-major, `data.length === width * height`. */
export interface LungMask {
  data: Uint8Array;
  width: number;
  height: number;
}

/** Anything that segments lungs: the classical default, a learned model, a lookup of stored masks. */
export type LungSegmenter = (image: GrayImage) => LungMask;

export interface ClassicalLungOptions {
  /**
   * Blur radius in pixels before thresholding, to merge lung tissue across the ribs. Default
   * `round(min(width, height) / 40)`, at least 1.
   */
  blurRadius?: number;
  /** Radius (px) of the opening that cuts thin bridges (trachea, gaps to outside air). Default `round(size / 48)`, ≥ 1. */
  openRadius?: number;
  /** A second component is kept only if its area is at least this fraction of the largest. Default 0.15. */
  minSecondFraction?: number;
}

/**
 * The classical segmenter: percentile-normalise, blur across the ribs, Otsu threshold inside the body,
 * drop dark regions that touch the border (air outside the patient, neck), open to cut thin bridges,
 * keep the two largest components (the second only if it is not tiny), grow them back inside the dark
 * class, fill holes and close. Works on normal adult PA radiographs; large effusions, pneumothorax or a
 * lung collapsed to a sliver will not segment well — use a learned segmenter there.
 */
export function classicalLungSegmentation(image: GrayImage, options: ClassicalLungOptions = {}): LungMask {
  const { width: w, height: h } = image;
  const size = Math.min(w, h);
  const blurR = options.blurRadius ?? Math.max(1, Math.round(size / 40));
  const openR = options.openRadius ?? Math.max(1, Math.round(size / 48));
  const minSecond = options.minSecondFraction ?? 0.15;
  const norm = percentileNormalize(image.data);
  const smooth = boxBlur(boxBlur(norm, w, h, blurR), w, h, blurR);

  // Region of interest: a centred ellipse. It cuts lungs that reach the film edge off the air outside
  // the patient (corners, neck), which would otherwise merge with them. Near-black regions touching the
  // border (direct exposure, zero padding of rotated or shifted films) are taken out as well.
  const black = new Uint8Array(w * h);
  for (let i = 0; i < black.length; i++) black[i] = norm[i]! <= 0.03 ? 1 : 0;
  const bc = labelComponents(black, w, h);
  const outside = new Uint8Array(w * h);
  for (let i = 0; i < outside.length; i++) outside[i] = bc.labels[i] && bc.touchesBorder[bc.labels[i]!] ? 1 : 0;
  const outsideGrown = dilate(outside, w, h, 2 * blurR + openR);
  const roi = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const u = (x + 0.5 - w / 2) / (0.47 * w);
      const v = (y + 0.5 - h / 2) / (0.47 * h);
      roi[y * w + x] = u * u + v * v <= 1 && !outsideGrown[y * w + x] ? 1 : 0;
    }
  }
  const t = otsuThreshold(smooth, roi);
  const dark = new Uint8Array(w * h);
  for (let i = 0; i < dark.length; i++) dark[i] = roi[i] && smooth[i]! < t ? 1 : 0;

  // Two largest interior components after an opening (cuts the trachea and thin bridges): preferably
  // one per half of the image (right and left lung).
  const comps = labelComponents(erode(dark, w, h, openR), w, h);
  const stats = comps.areas.map((area) => ({ area, sx: 0 }));
  for (let i = 0; i < comps.labels.length; i++) if (comps.labels[i]) stats[comps.labels[i]!]!.sx += i % w;
  const ranked = stats
    .map((st, label) => ({ area: st.area, label, cx: st.sx / Math.max(1, st.area) }))
    .filter((c) => c.label > 0)
    .sort((a, b) => b.area - a.area);
  const keep: typeof ranked = [];
  if (ranked.length > 0) {
    const first = ranked[0]!;
    keep.push(first);
    const otherSide = ranked.find((c) => c !== first && c.cx < w / 2 !== first.cx < w / 2);
    const second = otherSide ?? ranked[1];
    if (second && second.area >= minSecond * first.area) keep.push(second);
  }
  let mask: Uint8Array = new Uint8Array(w * h);
  for (let i = 0; i < mask.length; i++) if (keep.some((c) => c.label === comps.labels[i])) mask[i] = 1;

  // Grow back what the opening took and into the brighter lung periphery (ribs overlapping the lung):
  // geodesic dilation into pixels below a threshold a third of the way from lung to body.
  let lungSum = 0;
  let lungN = 0;
  let bodySum = 0;
  let bodyN = 0;
  for (let i = 0; i < mask.length; i++) {
    if (mask[i]) {
      lungSum += smooth[i]!;
      lungN++;
    } else if (roi[i] && !dark[i]) {
      bodySum += smooth[i]!;
      bodyN++;
    }
  }
  if (lungN > 0 && bodyN > 0) {
    const tGrow = Math.max(t, lungSum / lungN + (bodySum / bodyN - lungSum / lungN) / 3);
    for (let step = 0; step < 3 * openR; step++) {
      const grown = dilate(mask, w, h, 1);
      for (let i = 0; i < grown.length; i++)
        grown[i] = grown[i]! & (mask[i]! | (roi[i]! && smooth[i]! < tGrow ? 1 : 0));
      mask = grown;
    }
  }
  const data = fillHoles(close(fillHoles(mask, w, h), w, h, openR), w, h);
  return { data, width: w, height: h };
}

/** Values scaled so the 1st percentile is 0 and the 99th is 1 (clamped). */
export function percentileNormalize(data: Float32Array): Float32Array {
  const sorted = Float32Array.from(data).sort();
  const lo = sorted[Math.floor(0.01 * (sorted.length - 1))]!;
  const hi = sorted[Math.ceil(0.99 * (sorted.length - 1))]!;
  const out = new Float32Array(data.length);
  if (!(hi > lo)) return out;
  for (let i = 0; i < data.length; i++) out[i] = Math.min(1, Math.max(0, (data[i]! - lo) / (hi - lo)));
  return out;
}
