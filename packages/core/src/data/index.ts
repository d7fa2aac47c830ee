// Barrel for the data module of @cxrkit/core: manifests, labels, splits, samplers and batch loading.
export { whoCategory, lowestTScore, osteoporosisLabel, subgroupLabel, WHO_OSTEOPOROSIS_MAX, WHO_OSTEOPENIA_BELOW } from './labels.js';
export type { WhoCategory, TScores } from './labels.js';
