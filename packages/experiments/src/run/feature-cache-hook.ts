// Which runs of a study train from train()'s frozen-prefix feature cache, and why the others do not.
import { join } from 'node:path';
import type { RunSpec } from '../schema/load-experiment.js';

/**
 * Why a run does not train from the feature cache, or undefined when it does: only `freeze: last-block` and
 * `freeze: head` runs have a frozen prefix to cache, and with augmentation on (`training.augment: thesis`, the default) the
 * cache would hold a few augmented copies per image instead of a new draw every epoch — a different training,
 * so those runs train end to end (set `training.augment: none` to use the cache).
 */
export function featureCacheSkipReason(run: RunSpec): string | undefined {
  if (run.freeze === 'all') return 'nothing is frozen (freeze: all)';
  if (run.training.augment !== 'none')
    return 'augmentation is on (training.augment: thesis): cached copies would repeat, so it trains end to end';
  return undefined;
}

/**
 * The train() options that turn on its frozen-prefix feature cache (`featureCache: { dir: <run>/feature-cache }`)
 * for the runs where it trains what end-to-end training would (see {@link featureCacheSkipReason}; dropout
 * masks after the cut are drawn apart): the frozen prefix runs once per image, each epoch only what trains. The runner's default
 * `trainOptionsFor`.
 */
export function featureCacheHook(run: RunSpec, runDir: string): Record<string, unknown> {
  return featureCacheSkipReason(run) === undefined ? { featureCache: { dir: join(runDir, 'feature-cache') } } : {};
}
