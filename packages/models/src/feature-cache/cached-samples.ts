// Training from the cache: the samples train() reads (a cached row, the target, the fusion inputs), the
// choice of augmented copy per epoch, and the feed that turns a batch of rows into the suffix's inputs.
import * as tf from '@tensorflow/tfjs-core';
import { createRng, deriveSeed } from '@cxrkit/core';
import { fail } from '../errors.js';
import type { BatchFeed, Source, TargetSample } from '../train/data.js';
import type { CachedSet } from './build-cache.js';
import type { FeatureStore } from './feature-store.js';
import type { SplitModel } from './split-model.js';

/** One sample as read from the cache. */
export interface CachedSample extends TargetSample {
  /** The cut tensors of the sample, one after the other (float32). */
  row: Float32Array;
  /** Fusion inputs by name. */
  inputs: Record<string, number>;
}

function inputsOf(set: CachedSet, i: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, values] of Object.entries(set.inputs)) out[name] = values[i]!;
  return out;
}

/** The un-augmented rows of a set, as a random-access source. */
export function cachedSource(store: FeatureStore, set: CachedSet): Source<CachedSample> {
  return {
    size: set.size,
    target: (i) => set.targets[i]!,
    get: async (i) => {
      if (!set.plain) throw new Error('[cxrkit/models] internal: the un-augmented rows were not cached');
      return { target: set.targets[i]!, inputs: inputsOf(set, i), row: await store.read(set.plain[i]!) };
    },
  };
}

/**
 * Training sample `i` in epoch `epoch`: one of its cached augmented copies, chosen by (seed, epoch, i) —
 * resumable anywhere, like on-the-fly augmentation — or its plain row without augmentation.
 */
export function cachedTrainReader(
  store: FeatureStore,
  set: CachedSet,
  seed: number,
): (i: number, epoch: number) => Promise<CachedSample> {
  const plain = cachedSource(store, set);
  return async (i, epoch) => {
    const copies = set.copies?.[i];
    if (!copies) return plain.get(i);
    const k =
      copies.length === 1 ? 0 : createRng(deriveSeed(seed, 'feature-cache-copy', epoch, i)).int(0, copies.length - 1);
    return { target: set.targets[i]!, inputs: inputsOf(set, i), row: await store.read(copies[k]!) };
  };
}

/**
 * The suffix's inputs from a batch of cached samples: one `[n, …shape]` tensor per cut tensor, then the
 * other inputs (`[n, 1]`, by name), and the `[n, 1]` targets — with train()'s sample checks.
 */
export function cachedFeed(split: SplitModel): BatchFeed<CachedSample> {
  return {
    tensors(samples, indices) {
      const n = samples.length;
      const cut = split.cut.map((c) => new Float32Array(n * c.size));
      const others = split.otherInputs.map(() => new Float32Array(n));
      const y = new Float32Array(n);
      samples.forEach((s, b) => {
        if (!Number.isFinite(s.target))
          fail(
            typeof s.target === 'number' ? 'TRAIN_SAMPLE_NOT_FINITE' : 'TRAIN_SAMPLE_TARGET',
            `sample ${indices[b]} has no finite numeric target`,
            s.target,
            'give every sample a number target (0/1 or the value to regress)',
          );
        y[b] = s.target;
        let at = 0;
        split.cut.forEach((c, k) => {
          cut[k]!.set(s.row.subarray(at, at + c.size), b * c.size);
          at += c.size;
        });
        split.otherInputs.forEach((name, k) => {
          const v = s.inputs[name];
          if (v === undefined || Number.isNaN(v))
            fail(
              'TRAIN_INPUT_MISSING',
              `sample ${indices[b]} lacks the model input '${name}'`,
              s.inputs,
              `give every sample inputs: { ${split.otherInputs.join(', ')} }`,
            );
          if (!Number.isFinite(v))
            fail(
              'TRAIN_SAMPLE_NOT_FINITE',
              `sample ${indices[b]} has a non-finite input '${name}'`,
              v,
              'fix or drop that sample',
            );
          others[k]![b] = v!;
        });
      });
      const inputs = [
        ...split.cut.map((c, k) => tf.tensor(cut[k]!, [n, ...c.shape], 'float32')),
        ...others.map((o) => tf.tensor2d(o, [n, 1])),
      ];
      return { inputs, y: tf.tensor2d(y, [n, 1]) };
    },
  };
}
