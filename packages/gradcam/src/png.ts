/**
 * PNG encoding of overlays, heat maps and 8-bit atlases (pngjs). Node only (writes files).
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { PNG } from 'pngjs';
import { CxrkitError, encodeRgbPng } from '@cxrkit/core';
import type { RgbaImage } from './overlay.js';

/** An 8-bit grey image (e.g. the atlas mean): `data.length === width * height`. */
export interface Gray8Image {
  data: Uint8Array;
  width: number;
  height: number;
}

/** PNG bytes of an RGBA image, or of an 8-bit grey image (written as 8-bit greyscale PNG). */
export function encodePng(image: RgbaImage | Gray8Image): Buffer {
  const { width, height } = image;
  const n = width * height;
  const gray = image.data.length === n;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0 || (!gray && image.data.length !== 4 * n)) {
    throw new CxrkitError('GRADCAM_BAD_IMAGE', 'PNG needs width × height grey bytes or 4 × width × height RGBA bytes', {
      pkg: 'gradcam',
      received: { width, height, length: image.data.length },
      fix: 'pass the result of overlayHeatmap / colorizeHeatmap, or an 8-bit atlas image',
    });
  }
  if (gray) {
    const png = new PNG({ width, height, colorType: 0, inputColorType: 0, bitDepth: 8, inputHasAlpha: false });
    png.data = Buffer.from(image.data.buffer, image.data.byteOffset, n);
    return PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false });
  }
  const bytes = encodeRgbPng({ data: image.data, width, height, channels: 4 });
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Writes `image` as a PNG file (creating folders). Returns the path. */
export function writePng(path: string, image: RgbaImage | Gray8Image): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, encodePng(image));
  return path;
}
