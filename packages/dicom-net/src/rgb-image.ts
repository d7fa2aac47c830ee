// 8-bit RGB pictures for the secondary capture: a grayscale radiograph or an RGBA overlay brought to a
// readable size, and a band of burned-in text lines below it (core's 5×7 glyphs).
import {
  drawGlyphs,
  glyphText,
  GLYPH_COLUMNS,
  GLYPH_ROWS,
  resizeBicubic,
  type GrayImage,
} from '@cxrkit/core/tfjs-free';
import type { RgbaOverlay } from './screening-outcome.js';

/** Interleaved 8-bit RGB, row-major (`data.length === 3 · width · height`). */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** Size with the longer side `side`, aspect kept (sides at least 1). */
function fit(width: number, height: number, side: number): { width: number; height: number } {
  const s = side / Math.max(width, height);
  return { width: Math.max(1, Math.round(width * s)), height: Math.max(1, Math.round(height * s)) };
}

/** A grayscale image in [0, 1] (e.g. a windowed radiograph) as RGB with its longer side `side`. */
export function grayToRgb(image: GrayImage, side: number): RgbImage {
  const size = fit(image.width, image.height, side);
  const g = size.width === image.width && size.height === image.height ? image : resizeBicubic(image, size);
  const data = new Uint8Array(3 * g.width * g.height);
  for (let i = 0; i < g.width * g.height; i++) {
    const v = Math.round(Math.min(1, Math.max(0, g.data[i]!)) * 255);
    data[3 * i] = v;
    data[3 * i + 1] = v;
    data[3 * i + 2] = v;
  }
  return { data, width: g.width, height: g.height };
}

/** An RGBA (or RGB) overlay as RGB (alpha ignored: the overlay is already blended), longer side `side`. */
export function overlayToRgb(overlay: RgbaOverlay, side: number): RgbImage {
  const { width, height } = overlay;
  const stride = overlay.channels ?? 4;
  const size = fit(width, height, side);
  const planes = [0, 1, 2].map((c) => {
    const plane = new Float32Array(width * height);
    for (let i = 0; i < plane.length; i++) plane[i] = overlay.data[stride * i + c]! / 255;
    const g: GrayImage = { data: plane, width, height };
    return size.width === width && size.height === height ? g : resizeBicubic(g, size);
  });
  const data = new Uint8Array(3 * size.width * size.height);
  for (let i = 0; i < size.width * size.height; i++) {
    for (let c = 0; c < 3; c++) data[3 * i + c] = Math.round(Math.min(1, Math.max(0, planes[c]!.data[i]!)) * 255);
  }
  return { data, width: size.width, height: size.height };
}

/** One line of burned-in text and its colour. */
export interface TextLine {
  text: string;
  rgb: [number, number, number];
}

/** Splits `text` (already glyph-safe) into lines of at most `columns` characters, at spaces when it can. */
export function wrapText(text: string, columns: number): string[] {
  const lines: string[] = [];
  let rest = text.trim();
  while (rest.length > columns) {
    let cut = rest.lastIndexOf(' ', columns);
    if (cut <= 0) cut = columns;
    lines.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest) lines.push(rest);
  return lines;
}

/**
 * `image` with a black band below it holding `lines` (upper-cased, wrapped to the width) in 5×7 glyphs of
 * `cell`-pixel squares (default: the width / 360, at least 2). The image itself is not drawn over.
 */
export function withTextBand(image: RgbImage, lines: TextLine[], cell?: number): RgbImage {
  const c = cell ?? Math.max(2, Math.floor(image.width / 360));
  const advance = (GLYPH_COLUMNS + 1) * c;
  const lineHeight = (GLYPH_ROWS + 3) * c;
  const margin = 2 * c;
  const columns = Math.max(1, Math.floor((image.width - 2 * margin) / advance));
  const wrapped = lines.flatMap((l) => wrapText(glyphText(l.text), columns).map((text) => ({ text, rgb: l.rgb })));
  const band = 2 * margin + wrapped.length * lineHeight;
  const width = image.width;
  const height = image.height + band;
  const data = new Uint8Array(3 * width * height);
  data.set(image.data, 0);
  const mask = new Uint8Array(width * band);
  const scratch = new Float32Array(width * band);
  wrapped.forEach((line, k) => {
    mask.fill(0);
    drawGlyphs(scratch, width, band, line.text, margin, margin + k * lineHeight, c, 1, mask);
    for (let i = 0; i < mask.length; i++) {
      if (!mask[i]) continue;
      const o = 3 * (image.width * image.height + i);
      data[o] = line.rgb[0];
      data[o + 1] = line.rgb[1];
      data[o + 2] = line.rgb[2];
    }
  });
  return { data, width, height };
}
