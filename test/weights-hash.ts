// A hash over every weight of a model, bit for bit (FNV-1a over the float32 bits, in model.weights
// order), for comparing weights across processes — e.g. a model loaded in a browser page with one here.
// Imports nothing from Node, so a browser bundle can include it.
import type * as tfl from '@tensorflow/tfjs-layers';

/** FNV-1a (32-bit) over the float32 bits of every weight of `model`, as 8 hex digits, plus the value count. */
export function weightsHash(model: tfl.LayersModel): string {
  let h = 0x811c9dc5;
  let count = 0;
  for (const w of model.weights) {
    const values = w.read().dataSync() as Float32Array;
    const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
    for (let i = 0; i < bits.length; i++) {
      h = Math.imul(h ^ bits[i]!, 0x01000193) >>> 0;
    }
    count += values.length;
  }
  return `${h.toString(16).padStart(8, '0')}/${count}`;
}
