/**
 * The heat map type and small pixel-level helpers on plain typed arrays (no tensors): normalisation and
 * peak finding (resizing is core's `resize(map, { width, height, filter: 'bilinear' })`). Grad-CAM
 * produces heat maps; overlays and the CAM atlas consume them.
 */
import { CxrkitError, type GrayImage } from '@cxrkit/core';

/**
 * One heat map: core's {@link GrayImage} (row-major float values, `data.length === width * height`), so
 * every image helper takes it. Grad-CAM values are ≥ 0 and keep their magnitude (in units of score per
 * activation) unless normalisation was asked for.
 */
export type Heatmap = GrayImage;

/** Throws a typed error unless `map.data.length === map.width * map.height`. */
export function assertHeatmap(map: Heatmap, what = 'heat map'): void {
  if (!map || !(map.data instanceof Float32Array) || map.data.length !== map.width * map.height) {
    throw new CxrkitError('GRADCAM_BAD_IMAGE', `${what} must be { data: Float32Array, width, height } with data.length = width × height`, {
      pkg: 'gradcam',
      received: map ? { width: map.width, height: map.height, length: map.data?.length } : map,
      fix: 'pass a GrayImage / Heatmap whose data has exactly width × height values',
    });
  }
}

/** The heat map scaled to [0, 1] by its maximum (min is taken as 0). An all-zero map stays zero. */
export function normalizeHeatmap(map: Heatmap): Heatmap {
  let max = 0;
  for (const v of map.data) if (v > max) max = v;
  const data = new Float32Array(map.data.length);
  if (max > 0) for (let i = 0; i < data.length; i++) data[i] = Math.max(0, map.data[i]!) / max;
  return { data, width: map.width, height: map.height };
}

/** Position of the maximum (first one in row-major order): `{ x, y, value }` in pixels. */
export function heatmapPeak(map: Heatmap): { x: number; y: number; value: number } {
  let best = 0;
  for (let i = 1; i < map.data.length; i++) if (map.data[i]! > map.data[best]!) best = i;
  return { x: best % map.width, y: Math.floor(best / map.width), value: map.data[best]! };
}
