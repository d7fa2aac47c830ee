// Freezing policies for fine-tuning, with Keras ≥ 2.1.3 BatchNormalization semantics: a frozen BN layer
// runs in inference mode (moving statistics, never updated) — tfjs's stock layer would keep using batch
// statistics in `fit` and keep updating its moving mean/variance (see layers/batch-norm.ts).
import type * as tfl from '@tensorflow/tfjs-layers';
import { didYouMean } from '@cxrkit/core';
import { fail } from './errors.js';
import { isBatchNormalization, upgradeBatchNormalization } from './layers/batch-norm.js';

/**
 * - 'all-trainable': every layer trains (the thesis's transfer from ImageNet / age / sex models);
 * - 'last-block': only the last block(s) and the head train (the thesis's subgroup transfer):
 *   InceptionV3 `mixed9` onward (everything after `mixed8`, i.e. the last two inception blocks, as in
 *   Keras's own fine-tuning example that freezes the first 249 layers); DenseNet the last dense block
 *   (`conv5_*`, `bn`, `relu`: everything after `pool4_pool`); ResNet `conv5` (everything after
 *   `conv4_block6_out`);
 * - 'head-only': only the layers after the backbone's last feature layer (`mixed10`, `relu`,
 *   `conv5_block3_out`) train: pooling, fusion, dense, dropout, output;
 * - a predicate `(layerName) => boolean`: true = trainable.
 */
export type FreezePolicy = 'all-trainable' | 'last-block' | 'head-only' | ((layerName: string) => boolean);

/** What `applyFreezePolicy` did. */
export interface FreezeReport {
  /** Names of layers with weights that are now trainable. */
  trainable: string[];
  /** Names of layers with weights that are now frozen (BN among them run in inference mode). */
  frozen: string[];
  /** Parameters that training will update. */
  trainableParams: number;
  /** Parameters that stay fixed (frozen layers and BN moving statistics). */
  frozenParams: number;
}

const POLICIES = ['all-trainable', 'last-block', 'head-only'];

/** Backbones recognised by their Keras layer names: [feature layer, last frozen layer of 'last-block']. */
const ARCHITECTURES: Array<{ name: string; feature: string; lastBlockBoundary: string }> = [
  { name: 'InceptionV3', feature: 'mixed10', lastBlockBoundary: 'mixed8' },
  { name: 'DenseNet', feature: 'relu', lastBlockBoundary: 'pool4_pool' },
  { name: 'ResNet-50', feature: 'conv5_block3_out', lastBlockBoundary: 'conv4_block6_out' },
];

/** The layer itself and every layer upstream of it (its ancestors in the graph). */
function upstreamOf(layer: tfl.layers.Layer): Set<tfl.layers.Layer> {
  const seen = new Set<tfl.layers.Layer>();
  const stack = [layer];
  while (stack.length > 0) {
    const l = stack.pop()!;
    if (seen.has(l)) continue;
    seen.add(l);
    for (const node of l.inboundNodes) for (const p of node.inboundLayers) stack.push(p);
  }
  return seen;
}

function findLayer(model: tfl.LayersModel, name: string): tfl.layers.Layer | undefined {
  return model.layers.find((l) => l.name === name);
}

/**
 * Sets each layer's `trainable` flag by `policy` (see {@link FreezePolicy}) and makes every frozen
 * BatchNormalization layer run in inference mode with fixed moving statistics. Works on models from
 * `createModel`, `buildScreeningModel` and `loadModel` (backbones recognised by their Keras layer
 * names). If the model is already compiled, its list of weights to train is refreshed, so the next
 * `fit` honours the policy without recompiling. Returns what was frozen.
 */
export function applyFreezePolicy(model: tfl.LayersModel, policy: FreezePolicy): FreezeReport {
  let isTrainable: (layer: tfl.layers.Layer) => boolean;
  if (typeof policy === 'function') {
    isTrainable = (l) => policy(l.name) === true;
  } else if (policy === 'all-trainable') {
    isTrainable = () => true;
  } else if (policy === 'last-block' || policy === 'head-only') {
    const arch = ARCHITECTURES.find((a) => findLayer(model, a.feature) && findLayer(model, a.lastBlockBoundary));
    if (!arch) {
      fail(
        'FREEZE_BACKBONE_UNKNOWN',
        `policy '${policy}' needs an InceptionV3, DenseNet or ResNet-50 backbone with Keras layer names (mixed10 / relu + pool4_pool / conv5_block3_out); none found in model '${model.name}'`,
        model.layers.slice(-5).map((l) => l.name),
        'pass a predicate (layerName) => boolean instead',
      );
    }
    const boundary = findLayer(model, policy === 'head-only' ? arch.feature : arch.lastBlockBoundary)!;
    const frozen = upstreamOf(boundary);
    isTrainable = (l) => !frozen.has(l);
  } else {
    const guess = typeof policy === 'string' ? didYouMean(policy, POLICIES) : undefined;
    fail(
      'FREEZE_POLICY_UNKNOWN',
      `unknown freeze policy${guess ? ` — did you mean '${guess}'?` : ''}`,
      policy,
      `use ${POLICIES.join(', ')} or a predicate (layerName) => boolean`,
    );
  }

  const report: FreezeReport = { trainable: [], frozen: [], trainableParams: 0, frozenParams: 0 };
  for (const layer of model.layers) {
    const t = isTrainable(layer);
    if (isBatchNormalization(layer)) upgradeBatchNormalization(layer);
    layer.trainable = t;
    if (layer.weights.length === 0) continue;
    (t ? report.trainable : report.frozen).push(layer.name);
  }
  for (const w of model.trainableWeights) report.trainableParams += w.shape.reduce((a: number, b) => a * (b ?? 1), 1);
  report.frozenParams = model.countParams() - report.trainableParams;

  // A compiled model collected its trainable weights at compile time; refresh them (tfjs's `fit` reads
  // this list, Keras would need a recompile).
  const internals = model as unknown as { collectedTrainableWeights?: unknown };
  if (internals.collectedTrainableWeights != null) internals.collectedTrainableWeights = model.trainableWeights;
  return report;
}
