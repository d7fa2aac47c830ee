/**
 * The one batching path of cxrkit (tfjs-free): which samples form the batches of an epoch, in what
 * order, from which position, and how far reads run ahead of the consumer. `createBatchLoader` (records
 * from disk → tensor batches) and `train()` of @cxrkit/models (samples → micro-batches, tuning batches,
 * precise-BN batches) both stream through it, so their orders and resume positions are the same thing:
 * - the order of epoch e is a seeded permutation that depends only on (seed, e);
 * - a stream can start at any position of that order (exact resume);
 * - the samples of a batch are read together, batches in order, `prefetch` + 1 batches in flight while
 *   the consumer works on one (never across epochs); reads start in stream order.
 */
import { createRng, deriveSeed } from '../augment/rng.js';

/** The order of epoch `epoch`: a permutation of 0…size−1, a pure function of (seed, epoch); identity unshuffled. */
export function epochOrder(size: number, seed: number | string, epoch: number, shuffle = true): number[] {
  const idx = Array.from({ length: size }, (_, i) => i);
  return shuffle ? createRng(deriveSeed(seed, 'order', epoch)).shuffle(idx) : idx;
}

/** One batch of a {@link sampleBatches} stream. */
export interface SampleBatch<S> {
  /** What `read` returned for each index, in order. */
  samples: S[];
  /** The indices read (consecutive entries of the order). */
  indices: number[];
  /** Position of the first sample within the order; the next batch starts at position + indices.length. */
  position: number;
}

export interface SampleBatchesOptions<S> {
  /** Samples per batch (the last batch may be smaller). */
  batchSize: number;
  /** Reads (and e.g. augments) the sample at `index`; may be async (disk). */
  read(index: number): S | Promise<S>;
  /** Position in the order to start at. Default 0. */
  position?: number;
  /** Position to stop before. Default: the end of the order. */
  end?: number;
  /** Batches read ahead beyond the next one while the consumer works. Default 0 (one batch in flight). */
  prefetch?: number;
}

/**
 * Streams `order[position…end)` in batches of `batchSize`, reading ahead (see the module comment).
 * Leaving the loop early (break, throw) waits for the reads in flight and drops them.
 */
export async function* sampleBatches<S>(
  order: readonly number[],
  options: SampleBatchesOptions<S>,
): AsyncGenerator<SampleBatch<S>, void, undefined> {
  const { batchSize, read } = options;
  const end = options.end ?? order.length;
  const prefetch = options.prefetch ?? 0;
  let next = options.position ?? 0;
  const queue: Array<Promise<SampleBatch<S>>> = [];
  const fill = () => {
    while (queue.length <= prefetch && next < end) {
      const position = next;
      const indices = order.slice(position, Math.min(position + batchSize, end));
      const p = Promise.all(indices.map((i) => read(i))).then((samples) => ({ samples, indices, position }));
      p.catch(() => undefined); // surfaced when awaited; no unhandled rejection while queued
      queue.push(p);
      next += batchSize;
    }
  };
  try {
    fill();
    while (queue.length) {
      const batch = await queue.shift()!;
      fill();
      yield batch;
    }
  } finally {
    await Promise.allSettled(queue);
  }
}
