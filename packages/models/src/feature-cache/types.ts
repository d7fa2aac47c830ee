// The public types of train()'s frozen-prefix feature cache (`train(model, data, { featureCache })`).
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Predictor } from '../predict/types.js';
import type { FeatureDtype } from './shard-file.js';

/**
 * Runs the frozen prefix (image → cut tensors) to fill the cache: a {@link Predictor} for the prefix
 * model. The default is tfjs on the active backend (`createTfjsPredictor`); `onnxFeatureEngine` of
 * `@cxrkit/onnx` exports the prefix to ONNX and runs it on an injected onnxruntime.
 */
export type FeatureEngine = (prefix: tfl.LayersModel) => Predictor | Promise<Predictor>;

/** `train(…, { featureCache })`: train only what is trainable, from cached features of the frozen prefix. */
export interface FeatureCacheOptions {
  /**
   * Folder of the cache (created). It holds one sub-folder per frozen prefix (architecture + weights) and
   * storage type, so runs of different models can share it; entries are keyed by image and prefix and
   * reused by any later run (another seed, fold or head) that needs them.
   */
  dir: string;
  /**
   * Where to cut: the layer(s) whose outputs are cached (e.g. 'mixed8'). Default: found from the
   * trainable flags — the largest frozen part the image input reaches, e.g. `mixed8` (InceptionV3),
   * `pool4_pool` (DenseNet), `conv4_block6_out` (ResNet-50) after `applyFreezePolicy(model, 'last-block')`.
   */
  cut?: string | readonly string[];
  /**
   * Storage type of the rows: 'float32' (default: training from the cache equals training the whole
   * graph within float rounding) or 'float16' (half the disk and memory; each value rounded to 11
   * significant bits — see the benchmark for the error on a trained model).
   */
  dtype?: FeatureDtype;
  /**
   * With `augment`: augmented copies cached per training image (drawn with the seeded augmentation);
   * each epoch uses one of them, chosen by (seed, epoch, sample). Default 4. See the README for what
   * this loses against on-the-fly augmentation.
   */
  augmentedCopies?: number;
  /**
   * Names the augmentation in the cache keys. Default: a fingerprint of what `augment` does to three
   * probe images (a change of its parameters changes it).
   */
  augmentKey?: string;
  /** Runs the prefix while building the cache. Default: tfjs on the active backend. */
  engine?: FeatureEngine;
  /** Images per engine call while building. Default 8. */
  buildBatchSize?: number;
  /** Keep cached rows in memory up to this many MiB (the rest is read from disk per row). Default 1024. */
  memoryBudgetMiB?: number;
  /** How long to wait for another process writing the same cache, in seconds. Default 600. */
  lockTimeoutSeconds?: number;
}

/** What the cache did before training (`callbacks.onFeatureCache`). */
export interface FeatureCacheInfo {
  /** The folder of this prefix's entries. */
  folder: string;
  /** The cut layers and the shape of one sample's tensor at each. */
  cut: Array<{ layer: string; shape: number[] }>;
  dtype: FeatureDtype;
  /** Bytes per cached image (one row). */
  bytesPerImage: number;
  /** Entries the run needs (training images × (plain + copies) + tuning images), found and computed. */
  needed: number;
  reused: number;
  computed: number;
  /** Seconds to open and verify the cache, and to compute the missing entries. */
  openSeconds: number;
  buildSeconds: number;
  /** The engine that computed the missing entries (e.g. 'tfjs:wasm', 'onnxruntime-node 1.30.0'). */
  engine?: string;
  /** Augmented copies per training image (0 without augmentation). */
  augmentedCopies: number;
}

/** Progress of the cache build (`callbacks.onFeatureCacheProgress`). */
export interface FeatureCacheProgress {
  /** Samples looked at so far, of `total` (training + tuning). */
  done: number;
  total: number;
  /** Entries computed so far. */
  computed: number;
}
