// 5×7 bitmap glyphs for the burned-in side markers ("L", "R") that real radiographs carry.
const GLYPHS: Record<string, readonly string[]> = {
  L: ['10000', '10000', '10000', '10000', '10000', '10000', '11111'],
  R: ['11110', '10001', '10001', '11110', '10100', '10010', '10001'],
};

/**
 * Draws `text` (letters L and R) into `data` (row-major, `width` wide) with its top-left at (x, y),
 * each glyph cell `cell` pixels square, setting covered pixels to `value`. Returns the pixels set.
 */
export function drawGlyphs(data: Float32Array, width: number, height: number, text: string, x: number, y: number, cell: number, value: number, mask?: Uint8Array): number {
  let set = 0;
  let cx = x;
  for (const ch of text) {
    const g = GLYPHS[ch];
    if (g) {
      for (let r = 0; r < 7; r++) {
        for (let c = 0; c < 5; c++) {
          if (g[r]![c] !== '1') continue;
          for (let dy = 0; dy < cell; dy++) {
            const py = y + r * cell + dy;
            if (py < 0 || py >= height) continue;
            for (let dx = 0; dx < cell; dx++) {
              const px = cx + c * cell + dx;
              if (px < 0 || px >= width) continue;
              data[py * width + px] = value;
              if (mask) mask[py * width + px] = 1;
              set++;
            }
          }
        }
      }
    }
    cx += 6 * cell;
  }
  return set;
}
