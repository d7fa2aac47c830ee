// Barrel of train()'s frozen-prefix feature cache (see README.md).
export { findFrozenCut, cutAt, isFixedLayer } from './find-cut.js';
export type { FrozenCut } from './find-cut.js';
export { splitAtFrozenCut } from './split-model.js';
export type { SplitModel, CutTensor } from './split-model.js';
export { SHARD_MAGIC, SHARD_ALIGN, readShardHeader } from './shard-file.js';
export type { FeatureDtype, ShardHeader } from './shard-file.js';
export { toFloat16, fromFloat16 } from './float16.js';
export type { FeatureEngine, FeatureCacheOptions, FeatureCacheInfo, FeatureCacheProgress } from './types.js';
