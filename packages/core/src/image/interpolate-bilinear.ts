/**
 * Plain bilinear interpolation (no antialiasing): each output pixel mixes the 4 nearest input pixels,
 * half-pixel centres, edges clamped — what OpenCV's `INTER_LINEAR`, Pillow's `BILINEAR` when enlarging
 * and `tf.image.resizeBilinear(…, halfPixelCenters = true)` compute. Used for heat maps (Grad-CAM).
 */
import type { GrayImage } from './types.js';

/** Bilinear interpolation of `image` to `width × height`. @returns a new image. */
export function interpolateBilinear(image: GrayImage, width: number, height: number): GrayImage {
  const { data, width: inW, height: inH } = image;
  const out = new Float32Array(width * height);
  const sx = inW / width;
  const sy = inH / height;
  for (let y = 0; y < height; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), inH - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, inH - 1);
    const wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), inW - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, inW - 1);
      const wx = fx - x0;
      const a = data[y0 * inW + x0]!;
      const b = data[y0 * inW + x1]!;
      const c = data[y1 * inW + x0]!;
      const d = data[y1 * inW + x1]!;
      out[y * width + x] = (a * (1 - wx) + b * wx) * (1 - wy) + (c * (1 - wx) + d * wx) * wy;
    }
  }
  return { data: out, width, height };
}
