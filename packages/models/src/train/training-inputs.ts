// What the steps of a run read and run: the model on its images (augmented on the fly), or — with
// `featureCache` — the model's trainable suffix on rows of the frozen prefix's cached features.
import type * as tfl from '@tensorflow/tfjs-layers';
import { createRng, deriveSeed } from '@cxrkit/core';
import { buildFeatureCache } from '../feature-cache/build-cache.js';
import { cachedFeed, cachedSource, cachedTrainReader } from '../feature-cache/cached-samples.js';
import type { SplitModel } from '../feature-cache/split-model.js';
import type { FeatureCacheInfo } from '../feature-cache/types.js';
import { imageFeed, type BatchFeed, type InputLayout, type Source, type TargetSample } from './data.js';
import type { TrainSettings } from './options.js';
import type { SampleSource, TrainCallbacks, TrainOptions } from './types.js';

/** The inputs of a run's stages (see TrainRun). `close()` when the run ends, also on error. */
export interface TrainingInputs {
  net: tfl.LayersModel;
  feed: BatchFeed;
  trainSet: Source;
  tuneSet?: Source;
  readTrain(index: number, epoch: number): Promise<TargetSample>;
  /** What the feature cache did (with `featureCache`). */
  cache?: FeatureCacheInfo;
  close(): Promise<void>;
}

/**
 * The model on its images. Augmentation of sample i in epoch e draws from an rng seeded by (seed, e, i):
 * resumable anywhere.
 */
export function imageInputs(
  model: tfl.LayersModel,
  layout: InputLayout,
  trainSet: SampleSource,
  tuneSet: SampleSource | undefined,
  augment: TrainOptions['augment'],
  seed: number,
): TrainingInputs {
  return {
    net: model,
    feed: imageFeed(layout),
    trainSet,
    ...(tuneSet ? { tuneSet } : {}),
    readTrain: async (i, epoch) => {
      const s = await trainSet.get(i);
      if (!augment) return s;
      return { ...s, image: await augment(s.image, createRng(deriveSeed(seed, 'augment', epoch, i))) };
    },
    close: async () => undefined,
  };
}

/**
 * The trainable suffix of `split` on the feature cache, filled first with what the run needs: the plain
 * features of every tuning image, and per training image its plain features (without augmentation, or
 * for precise BN) and `augmentedCopies` augmented copies (with augmentation).
 */
export async function cachedInputs(
  split: SplitModel,
  layout: InputLayout,
  trainSet: SampleSource,
  tuneSet: SampleSource | undefined,
  options: TrainOptions,
  settings: TrainSettings,
  seed: number,
  callbacks: Required<TrainCallbacks>,
): Promise<TrainingInputs> {
  const fc = options.featureCache!;
  const copies = options.augment ? (fc.augmentedCopies ?? 4) : 0;
  const built = await buildFeatureCache({
    split,
    layout,
    options: fc,
    ...(options.augment ? { augment: options.augment } : {}),
    seed,
    train: { source: trainSet, plain: copies === 0 || settings.preciseBatchNorm > 0, copies },
    ...(tuneSet ? { tune: { source: tuneSet, plain: true, copies: 0 } } : {}),
    note: (m) => callbacks.onNote(m),
    progress: (p) => callbacks.onFeatureCacheProgress(p),
  });
  const { store, info } = built;
  await callbacks.onFeatureCache(info);
  await callbacks.onNote(
    `feature cache: cut at ${info.cut.map((c) => `${c.layer} [${c.shape.join('×')}]`).join(' + ')}, ` +
      `${info.bytesPerImage} bytes per image (${info.dtype}); ${info.reused} of ${info.needed} entries reused, ` +
      `${info.computed} computed in ${info.buildSeconds.toFixed(1)} s${info.engine ? ` on ${info.engine}` : ''}`,
  );
  return {
    net: split.suffix,
    feed: cachedFeed(split),
    trainSet: cachedSource(store, built.train),
    ...(built.tune ? { tuneSet: cachedSource(store, built.tune) } : {}),
    readTrain: cachedTrainReader(store, built.train, seed),
    cache: info,
    close: () => store.close(),
  };
}
