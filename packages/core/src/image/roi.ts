/**
 * Regions of interest for the thesis's region study (Table 4.3: right shoulder, cervical+thoracic
 * spine, thoracic+lumbar spine), defined as boxes RELATIVE TO THE LUNG FIELDS so they follow the
 * patient, not fixed pixels. PA view: the patient's right is on the image's left.
 */
import type { GrayImage } from './types.js';
import { CxrkitError, didYouMean } from '../errors.js';
import { checkImage } from './png.js';

/** A pixel box: x, y of the top-left corner, width and height (integers after clamping). */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export type RoiName = 'right-shoulder' | 'cervical-thoracic-spine' | 'thoracic-lumbar-spine';
export const ROI_NAMES: readonly RoiName[] = ['right-shoulder', 'cervical-thoracic-spine', 'thoracic-lumbar-spine'];

/**
 * Each ROI in units of the lung-field box (0,0 = its top-left, 1,1 = its bottom-right):
 * [x0, y0, x1, y1]. Chosen so the right shoulder holds the right humeral head and lateral clavicle,
 * the cervical+thoracic box runs from the lower neck to mid-thorax over the spine, and the
 * thoracic+lumbar box from mid-thorax to the upper lumbar spine below the diaphragm.
 */
export const ROI_FRACTIONS: Readonly<Record<RoiName, readonly [number, number, number, number]>> = {
  'right-shoulder': [-0.3, -0.3, 0.3, 0.35],
  'cervical-thoracic-spine': [0.3, -0.35, 0.7, 0.55],
  'thoracic-lumbar-spine': [0.3, 0.35, 0.7, 1.25],
};

/** Bounding box of the non-zero pixels of a mask (e.g. both lungs); throws if the mask is empty. */
export function maskBoundingBox(mask: ArrayLike<number>, width: number, height: number): Box {
  let x0 = width,
    y0 = height,
    x1 = -1,
    y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (mask[y * width + x]) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  if (x1 < 0)
    throw new CxrkitError('ROI_EMPTY_MASK', 'the lung mask has no pixels', {
      received: `${width}×${height} mask`,
      fix: 'pass a mask with the lung fields set to 1',
    });
  return { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

/** The pixel box of a named ROI given the lung-field box, clamped to the image. */
export function roiBox(name: RoiName, lungBox: Box, imageSize: { width: number; height: number }): Box {
  const f = ROI_FRACTIONS[name];
  if (!f) {
    const guess = didYouMean(String(name), ROI_NAMES);
    throw new CxrkitError('ROI_UNKNOWN', `unknown ROI${guess ? ` — did you mean '${guess}'?` : ''}`, {
      received: name,
      fix: `use one of ${ROI_NAMES.join(', ')}`,
    });
  }
  const x0 = Math.max(0, Math.round(lungBox.x + f[0] * lungBox.width));
  const y0 = Math.max(0, Math.round(lungBox.y + f[1] * lungBox.height));
  const x1 = Math.min(imageSize.width, Math.round(lungBox.x + f[2] * lungBox.width));
  const y1 = Math.min(imageSize.height, Math.round(lungBox.y + f[3] * lungBox.height));
  if (x1 <= x0 || y1 <= y0)
    throw new CxrkitError('ROI_OUTSIDE_IMAGE', `ROI '${name}' falls outside the image`, {
      received: lungBox,
      fix: 'check the lung box is in pixel units of this image',
    });
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/** Copies the pixels of `box` (clamped to the image) into a new image. */
export function cropImage(image: GrayImage, box: Box): GrayImage {
  checkImage(image);
  const x0 = Math.max(0, Math.floor(box.x));
  const y0 = Math.max(0, Math.floor(box.y));
  const x1 = Math.min(image.width, Math.floor(box.x + box.width));
  const y1 = Math.min(image.height, Math.floor(box.y + box.height));
  if (x1 <= x0 || y1 <= y0)
    throw new CxrkitError('ROI_OUTSIDE_IMAGE', 'the crop box does not overlap the image', {
      received: box,
      fix: `use a box inside 0..${image.width}×0..${image.height}`,
    });
  const w = x1 - x0;
  const out = new Float32Array(w * (y1 - y0));
  for (let y = y0; y < y1; y++) out.set(image.data.subarray(y * image.width + x0, y * image.width + x1), (y - y0) * w);
  return { data: out, width: w, height: y1 - y0 };
}

/** Crops a named ROI located from a lung mask (1 = lung) of the same size as the image. */
export function cropRoi(image: GrayImage, name: RoiName, lungMask: ArrayLike<number>): GrayImage {
  const lungBox = maskBoundingBox(lungMask, image.width, image.height);
  return cropImage(image, roiBox(name, lungBox, image));
}
