/**
 * Heat map over radiograph: the radiograph as grey, the heat map through a colormap, alpha-blended.
 * Output is an 8-bit RGBA image (core's RgbaImage) ready for core's `encodePng` / `writePng`.
 */
import { CxrkitError, resize, type GrayImage, type RgbaImage } from '@cxrkit/core';
import { colormapIndex, colormapTable, type ColormapName } from './colormap.js';
import { assertHeatmap, type Heatmap } from './heatmap.js';

/** What the overlays return: 8-bit RGBA, row-major, `data.length === 4 * width * height`. */
export type OverlayImage = RgbaImage & { data: Uint8ClampedArray; channels: 4 };

export interface OverlayOptions {
  /** Default `'jet'`; `'viridis'`/`'inferno'` are perceptually uniform. */
  colormap?: ColormapName;
  /** Opacity of the heat map over the radiograph, 0…1. Default 0.4 (the Keras Grad-CAM example's blend). */
  alpha?: number;
  /**
   * How heat values map to the colormap's [0, 1]: `'max'` (default) divides by the map's maximum;
   * `[lo, hi]` is a fixed window (to compare several maps on one scale, e.g. an atlas and its cases).
   */
  heatRange?: 'max' | [number, number];
  /**
   * Grey window of the radiograph: `'minmax'` (default) stretches its own min…max to 0…255, `[lo, hi]`
   * a fixed window in the image's units.
   */
  imageRange?: 'minmax' | [number, number];
  /** Heat below this fraction of the range is not drawn (the radiograph shows through). Default 0. */
  threshold?: number;
}

/**
 * Blends `heatmap` (resized bilinearly to the image if needed) over the grey radiograph `image`.
 * @param image the radiograph, any float range (`GrayImage`, row-major)
 * @param heatmap e.g. one map from `gradCam`, or an atlas mean
 * @returns RGBA bytes of the image's size
 */
export function overlayHeatmap(image: GrayImage, heatmap: Heatmap, options: OverlayOptions = {}): OverlayImage {
  assertHeatmap(image, 'image');
  assertHeatmap(heatmap, 'heatmap');
  const alpha = options.alpha ?? 0.4;
  const threshold = options.threshold ?? 0;
  if (!(alpha >= 0 && alpha <= 1) || !(threshold >= 0 && threshold <= 1)) {
    throw new CxrkitError('GRADCAM_BAD_OPTION', 'alpha and threshold must lie in [0, 1]', { pkg: 'gradcam', received: { alpha, threshold }, fix: 'e.g. alpha: 0.4, threshold: 0.2' });
  }
  const table = colormapTable(options.colormap ?? 'jet');
  const { width, height } = image;
  const heat = heatmap.width === width && heatmap.height === height ? heatmap : resize(heatmap, { width, height, filter: 'bilinear', antialias: false });
  const [hLo, hHi] = range(heat.data, options.heatRange === undefined || options.heatRange === 'max' ? 'max' : options.heatRange);
  const [gLo, gHi] = range(image.data, options.imageRange ?? 'minmax');
  const out = new Uint8ClampedArray(4 * width * height);
  for (let i = 0; i < width * height; i++) {
    const g = gHi > gLo ? ((image.data[i]! - gLo) / (gHi - gLo)) * 255 : 0;
    const v = hHi > hLo ? (heat.data[i]! - hLo) / (hHi - hLo) : 0;
    const a = v < threshold ? 0 : alpha;
    const k = 3 * colormapIndex(v);
    out[4 * i] = Math.round((1 - a) * g + a * table[k]!);
    out[4 * i + 1] = Math.round((1 - a) * g + a * table[k + 1]!);
    out[4 * i + 2] = Math.round((1 - a) * g + a * table[k + 2]!);
    out[4 * i + 3] = 255;
  }
  return { data: out, width, height, channels: 4 };
}

/** A heat map through a colormap alone (no radiograph), RGBA. Values scaled like `heatRange`. */
export function colorizeHeatmap(
  heatmap: Heatmap,
  options: Pick<OverlayOptions, 'colormap' | 'heatRange'> = {},
): OverlayImage {
  assertHeatmap(heatmap, 'heatmap');
  const table = colormapTable(options.colormap ?? 'jet');
  const [lo, hi] = range(heatmap.data, options.heatRange ?? 'max');
  const out = new Uint8ClampedArray(4 * heatmap.data.length);
  heatmap.data.forEach((x, i) => {
    const k = 3 * colormapIndex(hi > lo ? (x - lo) / (hi - lo) : 0);
    out.set([table[k]!, table[k + 1]!, table[k + 2]!, 255], 4 * i);
  });
  return { data: out, width: heatmap.width, height: heatmap.height, channels: 4 };
}

function range(data: Float32Array, how: 'max' | 'minmax' | [number, number]): [number, number] {
  if (Array.isArray(how)) {
    if (how.length !== 2 || !(how[1] > how[0])) {
      throw new CxrkitError('GRADCAM_BAD_OPTION', 'a value range must be [lo, hi] with hi > lo', { pkg: 'gradcam', received: how, fix: 'e.g. heatRange: [0, 1]' });
    }
    return how;
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of data) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!Number.isFinite(lo)) return [0, 0];
  return how === 'max' ? [0, Math.max(hi, 0)] : [lo, hi];
}
