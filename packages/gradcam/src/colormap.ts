/**
 * Colormaps for heat maps: `jet` (the classic Grad-CAM look; not perceptually uniform, so bright bands
 * appear where the data has none) and the perceptually uniform `viridis` and `inferno`. Tables are
 * matplotlib's, 256 entries, byte-exact (see colormap-tables.ts).
 */
import { CxrkitError, didYouMean } from '@cxrkit/core/tfjs-free';
import { COLORMAP_TABLES } from './colormap-tables.js';

export type ColormapName = keyof typeof COLORMAP_TABLES;
export const COLORMAP_NAMES = Object.keys(COLORMAP_TABLES) as ColormapName[];

const decoded = new Map<ColormapName, Uint8Array>();

/** The 256 × RGB table of a colormap, as bytes (`table[3 * i + c]`). */
export function colormapTable(name: ColormapName): Uint8Array {
  const hit = decoded.get(name);
  if (hit) return hit;
  const hex = (COLORMAP_TABLES as Record<string, string>)[name];
  if (hex === undefined) {
    const guess = didYouMean(String(name), COLORMAP_NAMES);
    throw new CxrkitError('GRADCAM_UNKNOWN_COLORMAP', `no colormap named "${name}"`, {
      pkg: 'gradcam',
      received: name,
      fix: guess ? `did you mean "${guess}"?` : `use one of ${COLORMAP_NAMES.map((n) => `"${n}"`).join(', ')}`,
    });
  }
  const table = new Uint8Array(768);
  for (let i = 0; i < 768; i++) table[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  decoded.set(name, table);
  return table;
}

/**
 * RGB bytes of value `x` in [0, 1] (clamped), looked up as matplotlib does: entry ⌊256·x⌋, 1 → 255.
 */
export function colormapRgb(name: ColormapName, x: number): [number, number, number] {
  const t = colormapTable(name);
  const i = colormapIndex(x);
  return [t[3 * i]!, t[3 * i + 1]!, t[3 * i + 2]!];
}

/** Table index of a value in [0, 1] (NaN → 0). */
export function colormapIndex(x: number): number {
  if (!(x > 0)) return 0;
  return Math.min(255, Math.floor(x * 256));
}
