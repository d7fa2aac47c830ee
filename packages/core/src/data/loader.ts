/**
 * A batch loader that streams images from disk (DICOM, PNG, JPEG) through preprocessing and
 * augmentation into `[batch, h, w, c]` tensors — built for exact resume:
 * - the order of epoch e is a seeded permutation that depends only on (seed, e);
 * - a run can start at any (epoch, position);
 * - sample i of epoch e is augmented with an rng seeded by (seed, e, i) — not by a shared running
 *   stream — so resuming mid-epoch reproduces the same pixels.
 * Order, position and read-ahead are cxrkit's one batching path (sample-batches.ts), which `train()` of
 * @cxrkit/models streams through too. Memory is bounded: only `prefetch` batches are read ahead, as
 * images; tensors are created when a batch is handed out, and the caller disposes them (`tf.dispose(batch)`).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GrayImage } from '../image/types.js';
import { CxrkitError, assertKnownKeys } from '../errors.js';
import { applySeeded, type Transform } from '../augment/transforms.js';
import { preprocessRadiograph } from '../image/pipeline.js';
import { grayToChannels } from '../image/channels.js';
import { loadGrayImage } from './load-gray-image.js';
import { epochOrder, sampleBatches } from './sample-batches.js';

export interface BatchLoaderOptions<R> {
  /** Images per batch. */
  batchSize: number;
  /** Seed for the epoch order and the per-sample augmentation. Default 0. */
  seed?: number | string;
  /** Shuffle each epoch (seeded). Default true. */
  shuffle?: boolean;
  /** Drop the last incomplete batch. Default false. */
  dropRemainder?: boolean;
  /** Loads a record's pixels. Default: `loadGrayImage(record.path)`. */
  load?: (record: R) => Promise<GrayImage> | GrayImage;
  /** Preprocessing. Default: percentile clip → bicubic resize to `size` → z-score (thesis Part 2). */
  preprocess?: (image: GrayImage, record: R) => GrayImage;
  /** Output size when the default preprocessing is used. Default 512. */
  size?: number;
  /** Training-time augmentation, applied after preprocessing with an rng seeded by (seed, epoch, index). */
  augment?: Transform;
  /** Target(s) of a record: a number or a fixed-length array. Omit for inference batches (ys absent). */
  target?: (record: R) => number | readonly number[];
  /** Channels of xs: 1 or 3 (stacked gray). Default 3. */
  channels?: 1 | 3;
  /** Batches prepared ahead of the consumer. Default 2. */
  prefetch?: number;
}

/** One batch. Dispose `xs` and `ys` when done (`tf.dispose([b.xs, b.ys])` or `tf.dispose(b)`). */
export interface Batch {
  /** `[n, h, w, channels]` float32. */
  xs: tf.Tensor4D;
  /** `[n, targets]` float32, when `target` was given. */
  ys?: tf.Tensor2D;
  /** Indices of the records in this batch (into the loader's `records`). */
  indices: number[];
  epoch: number;
  /** Position of this batch's first sample within the epoch order; the next batch starts at position + n. */
  position: number;
}

/** Streams batches; see the module comment. */
export interface BatchLoader<R> {
  readonly records: readonly R[];
  /** Batches per epoch (respecting `dropRemainder`). */
  readonly batchesPerEpoch: number;
  /** The record order of an epoch (a permutation of 0…n−1), a pure function of (seed, epoch). */
  order(epoch: number): number[];
  /** Prepares one sample exactly as it appears in epoch `epoch` (for inspection and tests). */
  sample(index: number, epoch: number): Promise<GrayImage>;
  /**
   * Batches of one epoch starting at sample `position` (a multiple of batchSize to resume at a batch
   * boundary; any position works). Breaking out of the loop early is safe (no tensors are left behind).
   */
  epoch(epoch: number, options?: { position?: number }): AsyncGenerator<Batch, void, undefined>;
}

/**
 * Creates a resumable, prefetching batch loader over `records`.
 *
 * ```ts
 * const loader = createBatchLoader(records, { batchSize: 16, size: 128, seed: 1, augment: thesisAugmentation(), target: (r) => r.osteoporosis! });
 * for (let e = start.epoch; e < epochs; e++)
 *   for await (const b of loader.epoch(e, { position: e === start.epoch ? start.position : 0 })) {
 *     await model.trainOnBatch(b.xs, b.ys!); tf.dispose([b.xs, b.ys]);
 *     checkpoint = { epoch: e, position: b.position + b.indices.length };
 *   }
 * ```
 */
export function createBatchLoader<R>(records: readonly R[], options: BatchLoaderOptions<R>): BatchLoader<R> {
  const known = [
    'batchSize',
    'seed',
    'shuffle',
    'dropRemainder',
    'load',
    'preprocess',
    'size',
    'augment',
    'target',
    'channels',
    'prefetch',
  ];
  assertKnownKeys(options, known, { code: 'LOADER_BAD_OPTION' });
  const { batchSize } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new CxrkitError('LOADER_BAD_OPTION', 'batchSize must be a positive integer', {
      received: batchSize,
      fix: 'pass e.g. batchSize: 16',
    });
  const prefetch = options.prefetch ?? 2;
  if (!Number.isInteger(prefetch) || prefetch < 0 || prefetch > 64)
    throw new CxrkitError('LOADER_BAD_OPTION', 'prefetch must be an integer 0–64', {
      received: prefetch,
      fix: 'pass e.g. prefetch: 2',
    });
  if (records.length === 0)
    throw new CxrkitError('LOADER_EMPTY', 'no records to load', { received: 0, fix: 'pass at least one record' });
  const seed = options.seed ?? 0;
  const channels = options.channels ?? 3;
  const size = options.size ?? 512;
  const load =
    options.load ??
    ((r: R) => {
      const p = (r as { path?: unknown }).path;
      if (typeof p !== 'string')
        throw new CxrkitError('LOADER_NO_PATH', 'record has no `path`; pass `load`', {
          received: r,
          fix: 'give records a path, or pass load: (r) => image',
        });
      return loadGrayImage(p);
    });
  const preprocess = options.preprocess ?? ((img: GrayImage) => preprocessRadiograph(img, { size }));
  const n = records.length;
  const batchesPerEpoch = options.dropRemainder ? Math.floor(n / batchSize) : Math.ceil(n / batchSize);
  const limit = options.dropRemainder ? batchesPerEpoch * batchSize : n;

  const order = (epoch: number): number[] => epochOrder(n, seed, epoch, options.shuffle !== false);

  const sample = async (index: number, epoch: number): Promise<GrayImage> => {
    const r = records[index]!;
    let img = preprocess(await load(r), r);
    if (options.augment) img = applySeeded(options.augment, img, seed, 'augment', epoch, index);
    return img;
  };

  /** A batch's images (and targets) as one `[n, h, w, channels]` tensor (and `[n, targets]`). */
  const toTensors = (imgs: GrayImage[], indices: number[]): { xs: tf.Tensor4D; ys?: tf.Tensor2D } => {
    const { width: w, height: h } = imgs[0]!;
    const per = w * h * channels;
    const x = new Float32Array(per * imgs.length);
    imgs.forEach((img, k) => {
      if (img.width !== w || img.height !== h)
        throw new CxrkitError(
          'LOADER_SIZE_MISMATCH',
          `record ${indices[k]} preprocessed to ${img.width}×${img.height}, expected ${w}×${h}`,
          { received: [img.width, img.height], fix: 'make preprocess return one fixed size' },
        );
      x.set(grayToChannels(img, channels), k * per);
    });
    let ys: tf.Tensor2D | undefined;
    if (options.target) {
      const ts = indices.map((i) => options.target!(records[i]!));
      const yDim = typeof ts[0] === 'number' ? 1 : (ts[0] as readonly number[]).length;
      const y = new Float32Array(yDim * ts.length);
      ts.forEach((t, k) => {
        const arr = typeof t === 'number' ? [t] : t;
        if (arr.length !== yDim || arr.some((v) => typeof v !== 'number' || Number.isNaN(v)))
          throw new CxrkitError('LOADER_BAD_TARGET', `target of record ${indices[k]} is not ${yDim} number(s)`, {
            received: t,
            fix: 'return a number (or a fixed-length number array) from target()',
          });
        y.set(arr, k * yDim);
      });
      ys = tf.tensor2d(y, [indices.length, yDim], 'float32');
    }
    return { xs: tf.tensor4d(x, [indices.length, h, w, channels], 'float32'), ys };
  };

  async function* epochGen(epoch: number, opts: { position?: number } = {}): AsyncGenerator<Batch, void, undefined> {
    if (!Number.isInteger(epoch) || epoch < 0)
      throw new CxrkitError('LOADER_BAD_OPTION', 'epoch must be an integer ≥ 0', {
        received: epoch,
        fix: 'pass e.g. 0',
      });
    const start = opts.position ?? 0;
    if (!Number.isInteger(start) || start < 0 || start > limit)
      throw new CxrkitError('LOADER_BAD_OPTION', `position must be an integer in 0…${limit}`, {
        received: start,
        fix: 'resume with the position saved from the last batch (position + indices.length)',
      });
    const batches = sampleBatches(order(epoch), {
      batchSize,
      position: start,
      end: limit,
      prefetch,
      read: (i) => sample(i, epoch),
    });
    for await (const b of batches) {
      const { xs, ys } = toTensors(b.samples, b.indices);
      yield { xs, ys, indices: b.indices, epoch, position: b.position };
    }
  }

  return { records, batchesPerEpoch, order, sample, epoch: epochGen };
}
