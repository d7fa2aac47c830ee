// Elementwise transforms of integer stored values (Modality LUT → VOI or range mapping → MONOCHROME1
// inversion) run once per possible stored value instead of once per pixel: the transform is applied to
// a table of every value in the BitsStored range, and each pixel then looks its result up. Exact by
// construction: each table entry is the very same code applied to the very same value.
import type { PixelModule } from './pixel-module.js';
import type { StoredPixels } from './stored.js';
import { bitsStoredRange } from './bits-stored.js';

/** Largest table (entries): 16-bit stored values. Wider ranges (32-bit samples) run per pixel. */
const MAX_TABLE = 65536;

/**
 * `transform(stored)` for an elementwise `transform` (output i depends on input i alone), computed through
 * a table when that is cheaper: integer samples whose BitsStored range has at most 65,536 values and no more
 * values than the frame has samples. `stored` must lie in that range, as storedPixels() guarantees.
 * Returns a new Float32Array either way (never `stored` itself).
 */
export function transformStored(
  stored: StoredPixels,
  pm: PixelModule,
  transform: (values: StoredPixels) => Float32Array,
): Float32Array {
  const [lo, hi] = bitsStoredRange(pm);
  const size = hi - lo + 1;
  if (pm.pixelKind !== 'int' || size > MAX_TABLE || size > stored.length) return transform(stored);
  const domain = new (stored.constructor as new (n: number) => StoredPixels)(size);
  for (let k = 0; k < size; k++) domain[k] = lo + k;
  const table = transform(domain);
  const out = new Float32Array(stored.length);
  if (stored instanceof Uint16Array) lookUpU16(stored, table, out);
  else lookUp(stored, table, lo, out);
  return out;
}

// The radiograph case (unsigned 16-bit) gets its own monomorphic loop.
function lookUpU16(s: Uint16Array, table: Float32Array, out: Float32Array): void {
  for (let i = 0; i < s.length; i++) out[i] = table[s[i]!]!;
}

function lookUp(s: StoredPixels, table: Float32Array, lo: number, out: Float32Array): void {
  for (let i = 0; i < s.length; i++) out[i] = table[s[i]! - lo]!;
}
