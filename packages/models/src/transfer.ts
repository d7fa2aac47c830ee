// Transfer learning: copy weights between models by Keras layer name and weight shapes (an age model's
// backbone → an osteoporosis model; a Keras/nsfwjs InceptionV3 → createModel('inception_v3')), and the
// gray ↔ RGB bridges: stack a gray image into 3 channels (the thesis's choice), or sum a 3-channel
// first-layer kernel into a 1-channel one (exactly equivalent for a gray image stacked to RGB).
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { CxrkitError } from '@cxrkit/core';

export interface TransferOptions {
  /** Only consider target layers for which this returns true (e.g. skip the head). Default: all. */
  layers?: (layerName: string) => boolean;
  /**
   * A 3-channel source kernel [kh, kw, 3, f] for a 1-channel target kernel [kh, kw, 1, f] (the first
   * convolution): 'sum' sums over the input channels — then target(gray) == source(stack(gray)) —;
   * 'skip' (default) reports it as a shape mismatch.
   */
  rgbToGray?: 'sum' | 'skip';
  /** Throw `TRANSFER_INCOMPLETE` if any considered target layer with weights was not copied. Default false. */
  requireAll?: boolean;
}

/** One skipped target layer and why. */
export interface TransferSkip {
  layer: string;
  reason: 'not-in-source' | 'weight-count-mismatch' | 'shape-mismatch' | 'filtered-out';
  detail: string;
}

/** What `transferWeights` did. */
export interface TransferReport {
  /** Target layers whose weights were all copied. */
  copied: string[];
  /** Target layers whose first kernel was summed from RGB into gray (also listed in `copied`). */
  summedToGray: string[];
  /** Target layers with weights that were not copied, and why. */
  skipped: TransferSkip[];
  /** Source layers with weights that no target layer took. */
  unusedSource: string[];
  /** Parameters copied. */
  copiedParams: number;
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const sameShape = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * Copies into `target` the weights of every `source` layer with the same name whose weights have the
 * same count and shapes (values are copied; the models stay independent). Returns a report of what was
 * copied, skipped and why. Source and target may differ in head, input size, or (with
 * `rgbToGray: 'sum'`) input channels.
 */
export function transferWeights(
  source: tfl.LayersModel,
  target: tfl.LayersModel,
  options: TransferOptions = {},
): TransferReport {
  const report: TransferReport = { copied: [], summedToGray: [], skipped: [], unusedSource: [], copiedParams: 0 };
  const sourceByName = new Map(source.layers.filter((l) => l.weights.length > 0).map((l) => [l.name, l]));
  const used = new Set<string>();
  for (const layer of target.layers) {
    if (layer.weights.length === 0) continue;
    const name = layer.name;
    if (options.layers && !options.layers(name)) {
      report.skipped.push({ layer: name, reason: 'filtered-out', detail: 'excluded by options.layers' });
      continue;
    }
    const src = sourceByName.get(name);
    if (!src) {
      report.skipped.push({
        layer: name,
        reason: 'not-in-source',
        detail: `source '${source.name}' has no layer '${name}' with weights`,
      });
      continue;
    }
    const sw = src.weights;
    const tw = layer.weights;
    if (sw.length !== tw.length) {
      report.skipped.push({
        layer: name,
        reason: 'weight-count-mismatch',
        detail: `source has ${sw.length} weights (${sw.map((w) => w.originalName ?? w.name).join(', ')}), target ${tw.length} (${tw.map((w) => w.originalName ?? w.name).join(', ')})`,
      });
      continue;
    }
    let summed = false;
    let ok = true;
    let detail = '';
    for (let i = 0; i < tw.length; i++) {
      const s = sw[i]!.shape as number[];
      const t = tw[i]!.shape as number[];
      if (sameShape(s, t)) continue;
      if (
        options.rgbToGray === 'sum' &&
        s.length === 4 &&
        t.length === 4 &&
        s[2] === 3 &&
        t[2] === 1 &&
        s[0] === t[0] &&
        s[1] === t[1] &&
        s[3] === t[3]
      ) {
        summed = true;
        continue;
      }
      ok = false;
      detail = `weight ${i}: source ${JSON.stringify(s)} vs target ${JSON.stringify(t)}`;
      break;
    }
    if (!ok) {
      report.skipped.push({ layer: name, reason: 'shape-mismatch', detail });
      continue;
    }
    const values = tf.tidy(() =>
      sw.map((w, i) => {
        const v = w.read();
        return summed && !sameShape(v.shape, tw[i]!.shape as number[]) ? tf.sum(v, 2, true) : tf.clone(v);
      }),
    );
    layer.setWeights(values);
    tf.dispose(values);
    used.add(name);
    report.copied.push(name);
    if (summed) report.summedToGray.push(name);
    report.copiedParams += tw.reduce((a, w) => a + size(w.shape as number[]), 0);
  }
  report.unusedSource = [...sourceByName.keys()].filter((n) => !used.has(n));
  if (options.requireAll && report.skipped.length > 0) {
    throw new CxrkitError(
      'TRANSFER_INCOMPLETE',
      `${report.skipped.length} target layer(s) were not copied: ${report.skipped
        .slice(0, 5)
        .map((s) => `${s.layer} (${s.reason})`)
        .join(', ')}`,
      {
        received: report.skipped.slice(0, 5),
        fix: 'check that source and target are the same architecture and width, or restrict options.layers',
        pkg: 'models',
      },
    );
  }
  return report;
}
