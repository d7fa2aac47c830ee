// Filling the feature cache for one train() call: every training and tuning sample is read once, its key
// computed (see cache-keys.ts), and what the cache lacks — the plain features, the augmented copies — is
// computed on the engine in batches and stored. What the run needs afterwards (targets, fusion inputs and
// the entry keys of every sample) is kept in memory, so training never reads the images again.
import type { GrayImage, Rng } from '@cxrkit/core';
import { fail } from '../errors.js';
import { createTfjsPredictor } from '../predict/tfjs-predictor.js';
import type { Predictor } from '../predict/types.js';
import { batchArrays, type InputLayout } from '../train/data.js';
import type { SampleSource, TrainingSample } from '../train/types.js';
import { augmentFingerprint, copyKey, copyRng, hashParts, plainKey, prefixDigest, sampleDigest } from './cache-keys.js';
import { FeatureStore } from './feature-store.js';
import type { SplitModel } from './split-model.js';
import type { FeatureCacheInfo, FeatureCacheOptions, FeatureCacheProgress } from './types.js';

/** What the cache holds for one set (training or tuning): per sample, its target, inputs and entry keys. */
export interface CachedSet {
  size: number;
  targets: Float64Array;
  /** Fusion inputs by name (NaN where a sample lacks one: the feed reports it). */
  inputs: Record<string, Float32Array>;
  /** Key of each sample's un-augmented features (when the run needs them). */
  plain?: string[];
  /** Keys of each sample's augmented copies. */
  copies?: string[][];
}

/** The cache of one run: the store to read rows from and the sets' keys. */
export interface BuiltCache {
  store: FeatureStore;
  train: CachedSet;
  tune?: CachedSet;
  info: FeatureCacheInfo;
}

/** Which entries a set needs. */
export interface CacheRequest {
  source: SampleSource;
  /** The un-augmented features of every sample. */
  plain: boolean;
  /** Augmented copies per sample (0: none). */
  copies: number;
}

interface Pending {
  key: string;
  sample: TrainingSample;
}

/** The largest value float16 holds. */
const FLOAT16_MAX = 65504;

/**
 * Opens the cache for `split`'s prefix under `options.dir`, computes the entries `train` and `tune`
 * need that it lacks, and returns it (unlocked, ready to read).
 * @throws CxrkitError the sample errors of train() (TRAIN_SAMPLE_*, TRAIN_INPUT_MISSING) for a sample
 *   that has to be computed, FEATURE_CACHE_FLOAT16_RANGE for a value float16 cannot hold,
 *   FEATURE_CACHE_LOCKED, FEATURE_CACHE_ENGINE for an engine whose outputs do not fit the cut.
 */
export async function buildFeatureCache(run: {
  split: SplitModel;
  layout: InputLayout;
  options: FeatureCacheOptions;
  augment?: (image: GrayImage, rng: Rng) => GrayImage | Promise<GrayImage>;
  seed: number;
  train: CacheRequest;
  tune?: CacheRequest;
  note(message: string): void | Promise<void>;
  progress?(p: FeatureCacheProgress): void | Promise<void>;
}): Promise<BuiltCache> {
  const { split, layout, options } = run;
  const started = Date.now();
  const dtype = options.dtype ?? 'float32';
  const prefix = await prefixDigest(split.prefix, dtype);
  const needsAugment = run.train.copies > 0 || (run.tune?.copies ?? 0) > 0;
  if (needsAugment && !run.augment) throw new Error('[cxrkit/models] internal: copies without augment');
  const augment = !needsAugment
    ? ''
    : options.augmentKey !== undefined
      ? await hashParts('augment-key', options.augmentKey)
      : await augmentFingerprint(run.augment!, layout.width, layout.height);
  const store = await FeatureStore.open(
    options.dir,
    { prefix, dtype, cut: split.cut },
    {
      memoryBudgetBytes: (options.memoryBudgetMiB ?? 1024) * 2 ** 20,
      lockTimeoutMs: (options.lockTimeoutSeconds ?? 600) * 1000,
      note: run.note,
    },
  );
  const openSeconds = (Date.now() - started) / 1000;
  const buildStarted = Date.now();
  let engine: Predictor | undefined;
  let engineName: string | undefined;
  let computed = 0;
  let needed = 0;
  const pending: Pending[] = [];
  const batchSize = options.buildBatchSize ?? 8;
  const total = run.train.source.size + (run.tune?.source.size ?? 0);
  let done = 0;

  const flush = async () => {
    if (pending.length === 0) return;
    const batch = pending.splice(0, pending.length);
    engine ??= await (options.engine ?? ((p) => createTfjsPredictor(p, { batchSize })))(split.prefix);
    engineName = engine.engine;
    const { arrays } = batchArrays(
      layout,
      batch.map((p) => p.sample),
      batch.map((_, i) => i),
    );
    const n = batch.length;
    const out = await engine.predict({
      data: arrays[layout.imageIndex]!,
      shape: [n, layout.height, layout.width, layout.channels],
    });
    const parts = split.cut.map((c) => {
      const o = out[c.layer];
      if (!o || o.data.length !== n * c.size)
        fail(
          'FEATURE_CACHE_ENGINE',
          `the feature engine gave no output '${c.layer}' of ${n} × ${c.size} values`,
          Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.shape])),
          'give an engine for the prefix model it is handed (its outputs named by the cut layers)',
        );
      return o!.data;
    });
    for (let j = 0; j < n; j++) {
      const row = new Float32Array(split.cut.reduce((s, c) => s + c.size, 0));
      let at = 0;
      split.cut.forEach((c, k) => {
        row.set(parts[k]!.subarray(j * c.size, (j + 1) * c.size), at);
        at += c.size;
      });
      for (let v = 0; v < row.length; v++) {
        const x = row[v]!;
        if (!Number.isFinite(x))
          fail(
            'TRAIN_SAMPLE_NOT_FINITE',
            `the frozen prefix gives a non-finite value (${x}) for a training or tuning image`,
            x,
            'check the preprocessing of the images (a constant image after z-scoring?)',
          );
        if (dtype === 'float16' && Math.abs(x) > FLOAT16_MAX)
          fail(
            'FEATURE_CACHE_FLOAT16_RANGE',
            `a cached value (${x}) is beyond float16's range (±${FLOAT16_MAX})`,
            x,
            "use featureCache.dtype 'float32'",
          );
      }
      await store.add(batch[j]!.key, row);
      computed++;
    }
    await run.progress?.({ done, total, computed });
  };

  const readSet = async (req: CacheRequest | undefined): Promise<CachedSet | undefined> => {
    if (!req) return undefined;
    const size = req.source.size;
    const set: CachedSet = {
      size,
      targets: new Float64Array(size),
      inputs: Object.fromEntries(split.otherInputs.map((name) => [name, new Float32Array(size).fill(Number.NaN)])),
      ...(req.plain ? { plain: new Array<string>(size) } : {}),
      ...(req.copies > 0 ? { copies: new Array<string[]>(size) } : {}),
    };
    for (let i = 0; i < size; i++) {
      const s = await req.source.get(i);
      set.targets[i] = typeof s?.target === 'number' ? s.target : Number.NaN;
      for (const name of split.otherInputs) {
        const v = s?.inputs?.[name];
        if (typeof v === 'number') set.inputs[name]![i] = v;
      }
      const digest = await sampleDigest(s?.image, req.source.key?.(i));
      if (req.plain) {
        const key = await plainKey(prefix, digest);
        set.plain![i] = key;
        needed++;
        if (!store.has(key)) pending.push({ key, sample: s });
      }
      if (req.copies > 0) {
        set.copies![i] = [];
        for (let c = 0; c < req.copies; c++) {
          const key = await copyKey(prefix, augment, run.seed, c, digest);
          set.copies![i]!.push(key);
          needed++;
          if (!store.has(key)) {
            const image = await run.augment!(s.image, copyRng(run.seed, digest, c));
            pending.push({ key, sample: { ...s, image } });
          }
        }
      }
      done++;
      if (pending.length >= batchSize) await flush();
    }
    await flush();
    return set;
  };

  try {
    const train = (await readSet(run.train))!;
    const tune = await readSet(run.tune);
    await store.commit();
    await store.unlock();
    const info: FeatureCacheInfo = {
      folder: store.folder,
      cut: split.cut.map((c) => ({ layer: c.layer, shape: c.shape })),
      dtype,
      bytesPerImage: store.bytesPerRow,
      needed,
      reused: needed - computed,
      computed,
      openSeconds,
      buildSeconds: (Date.now() - buildStarted) / 1000,
      ...(engineName ? { engine: engineName } : {}),
      augmentedCopies: run.train.copies,
    };
    return { store, train, ...(tune ? { tune } : {}), info };
  } catch (e) {
    await store.close();
    throw e;
  } finally {
    await engine?.dispose();
  }
}
