/**
 * The heat map type and small pixel-level helpers on plain typed arrays (no tensors): normalisation,
 * peak finding, bilinear resizing. Grad-CAM produces heat maps; overlays and the CAM atlas consume them.
 */
import { CxrkitError } from '@cxrkit/core/tfjs-free';

/**
 * One heat map: row-major float values, `data.length === width * height`. Grad-CAM values are ≥ 0 and
 * keep their magnitude (in units of score per activation) unless normalisation was asked for.
 */
export interface Heatmap {
  data: Float32Array;
  width: number;
  height: number;
}

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

/**
 * Bilinear resize with half-pixel centres and edge clamping (what OpenCV's `INTER_LINEAR`, Pillow's
 * upsampling `BILINEAR` and `tf.image.resizeBilinear(…, halfPixelCenters=true)` compute).
 */
export function resizeBilinear(map: Heatmap, width: number, height: number): Heatmap {
  const out = new Float32Array(width * height);
  const sx = map.width / width;
  const sy = map.height / height;
  for (let y = 0; y < height; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), map.height - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, map.height - 1);
    const wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), map.width - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, map.width - 1);
      const wx = fx - x0;
      const a = map.data[y0 * map.width + x0]!;
      const b = map.data[y0 * map.width + x1]!;
      const c = map.data[y1 * map.width + x0]!;
      const d = map.data[y1 * map.width + x1]!;
      out[y * width + x] = (a * (1 - wx) + b * wx) * (1 - wy) + (c * (1 - wx) + d * wx) * wy;
    }
  }
  return { data: out, width, height };
}
