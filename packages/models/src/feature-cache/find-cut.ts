// Where a model can be cut into a frozen prefix (computed once per image and cached) and a trainable
// suffix (trained from the cache): found from the layers' trainable flags, or checked at the layers a
// caller names. Works on the layer calls (nodes) of the top graph, so branching nets (a cut of several
// tensors), shared layers and extra inputs (age, sex) are handled the same way.
import type * as tfl from '@tensorflow/tfjs-layers';
import { graphOf, isContainer, type GraphLayer, type GraphNode, type SymbolicRef } from '@cxrkit/tfjs-ext/base';
import { fail } from '../errors.js';
import { isBatchNormalization } from '../layers/batch-norm.js';

/** A frozen prefix of a model and the tensors where it meets the trainable part. */
export interface FrozenCut {
  /** The layer calls of the prefix: each runs the same in training as in inference and has no trainable weight. */
  prefixNodes: ReadonlySet<GraphNode>;
  /** The cut: outputs of prefix calls read by the trainable part (or model outputs), in graph order. */
  tensors: readonly SymbolicRef[];
  /** Index of the image input (the rank-4 input the prefix starts from) in `model.inputs`. */
  imageIndex: number;
}

/** Layers that draw random numbers in training: never part of a cached prefix. */
const STOCHASTIC = new Set([
  'Dropout',
  'SpatialDropout1D',
  'SpatialDropout2D',
  'GaussianNoise',
  'GaussianDropout',
  'AlphaDropout',
]);

/**
 * True when a layer computes the same function in training as in inference and trains nothing, so its
 * output can be computed once and cached: no trainable weight, not random, and a BatchNormalization only
 * when frozen (then it runs in inference mode: Keras semantics, see layers/batch-norm.ts). A nested model
 * is fixed when all its layers are.
 */
export function isFixedLayer(layer: GraphLayer): boolean {
  if (STOCHASTIC.has(layer.getClassName())) return false;
  if (isContainer(layer)) return graphOf(layer).layers.every((l) => isFixedLayer(l));
  const l = layer as unknown as tfl.layers.Layer;
  if (isBatchNormalization(l)) return l.trainable === false;
  return l.trainableWeights.length === 0;
}

/** The top graph's layer calls in tfjs-layers' execution order (deepest first), input layers excluded. */
export function graphNodes(model: tfl.LayersModel): GraphNode[] {
  const graph = graphOf(model as unknown as GraphLayer);
  return Object.keys(graph.nodesByDepth)
    .map(Number)
    .sort((a, b) => b - a)
    .flatMap((d) => graph.nodesByDepth[String(d)]!)
    .filter((n) => n.outboundLayer.getClassName() !== 'InputLayer');
}

function imageInputIndex(model: tfl.LayersModel): number {
  const i = model.inputs.findIndex((t) => t.shape.length === 4);
  if (i < 0)
    fail(
      'FEATURE_CACHE_CUT_INVALID',
      'the model has no image input of shape [batch, h, w, c] to start a frozen prefix from',
      model.inputs.map((t) => t.shape),
      'use the feature cache with an image model (e.g. one from buildScreeningModel)',
    );
  return i;
}

/** Elements per sample of a symbolic tensor (its shape without the batch dimension). */
export function elementsOf(ref: SymbolicRef): number {
  return ref.shape.slice(1).reduce<number>((a, d) => a * (d ?? Number.NaN), 1);
}

/** The cut of a prefix: its outputs (and the image, which then makes the cut invalid) read outside it. */
function cutOf(
  nodes: readonly GraphNode[],
  prefix: ReadonlySet<GraphNode>,
  outputs: readonly SymbolicRef[],
  image: SymbolicRef,
): SymbolicRef[] {
  const readOutside = new Set<number>(outputs.map((r) => r.id));
  for (const n of nodes) if (!prefix.has(n)) for (const r of n.inputTensors) readOutside.add(r.id);
  const cut: SymbolicRef[] = [];
  if (readOutside.has(image.id)) cut.push(image);
  for (const n of nodes) if (prefix.has(n)) for (const r of n.outputTensors) if (readOutside.has(r.id)) cut.push(r);
  return cut;
}

const cutSize = (cut: readonly SymbolicRef[], image: SymbolicRef) =>
  cut.reduce((s, r) => s + (r === image ? Number.POSITIVE_INFINITY : elementsOf(r)), 0);

/** Names a cut the way a caller passes it (`cut: [...]`): the layers that produce its tensors. */
export function cutNames(cut: readonly SymbolicRef[]): string[] {
  return cut.map((r) => r.sourceLayer.name);
}

/**
 * The frozen prefix found from the layers' flags: the largest set of fixed layer calls (see
 * {@link isFixedLayer}) fed only by the image input, then pulled back where that makes the cut smaller
 * (InceptionV3's `mixed9` pools `mixed8` in a branch: caching the pool too would double the cache, so
 * the pool stays in the suffix and the cut is `mixed8` alone). For the three backbones frozen with
 * `applyFreezePolicy(model, 'last-block')` the cut is one tensor: `mixed8`, `pool4_pool`, `conv4_block6_out`.
 * @throws CxrkitError FEATURE_CACHE_NOTHING_FROZEN when no frozen layer with weights comes before the first
 *   trainable one.
 */
export function findFrozenCut(model: tfl.LayersModel): FrozenCut {
  const imageIndex = imageInputIndex(model);
  const graph = graphOf(model as unknown as GraphLayer);
  const image = graph.inputs[imageIndex]!;
  const nodes = graphNodes(model);
  const known = new Set<number>([image.id]);
  const prefix = new Set<GraphNode>();
  for (const n of nodes) {
    if (n.inputTensors.length === 0 || !isFixedLayer(n.outboundLayer)) continue;
    if (!n.inputTensors.every((r) => known.has(r.id))) continue;
    prefix.add(n);
    for (const r of n.outputTensors) known.add(r.id);
  }
  // Pull back: drop a prefix call whose outputs only leave the prefix when that shrinks the cut.
  for (let changed = true; changed; ) {
    changed = false;
    const size = cutSize(cutOf(nodes, prefix, graph.outputs, image), image);
    for (const n of [...prefix].reverse()) {
      const readInside = [...prefix].some(
        (m) => m !== n && m.inputTensors.some((r) => n.outputTensors.some((o) => o.id === r.id)),
      );
      if (readInside) continue;
      prefix.delete(n);
      if (cutSize(cutOf(nodes, prefix, graph.outputs, image), image) < size) {
        changed = true;
        break;
      }
      prefix.add(n);
    }
  }
  const tensors = cutOf(nodes, prefix, graph.outputs, image);
  // A prefix without weights (zero padding alone) saves nothing: there is nothing frozen to cache.
  const weighted = [...prefix].some((n) => (n.outboundLayer as unknown as tfl.layers.Layer).weights.length > 0);
  if (!weighted || tensors.includes(image)) {
    const cutIds = new Set([image.id, ...tensors.map((r) => r.id)]);
    const reader = nodes.find((n) => !prefix.has(n) && n.inputTensors.some((r) => cutIds.has(r.id)));
    fail(
      'FEATURE_CACHE_NOTHING_FROZEN',
      `there is no frozen prefix to cache: '${reader?.outboundLayer.name}' trains, and no frozen layer with weights comes before it`,
      reader?.outboundLayer.name,
      "freeze the backbone first (applyFreezePolicy(model, 'last-block') or 'head-only'), or drop featureCache",
    );
  }
  return { prefixNodes: prefix, tensors, imageIndex };
}

/**
 * The cut at the layers named in `names` (their outputs): the prefix is everything those outputs are
 * computed from. Checked: every prefix layer is fixed, no prefix output other than the cut is read by
 * the trainable part, and the cut depends on the image input only.
 * @throws CxrkitError FEATURE_CACHE_CUT_INVALID naming the offending layer and a valid cut.
 */
export function cutAt(model: tfl.LayersModel, names: readonly string[]): FrozenCut {
  const imageIndex = imageInputIndex(model);
  const graph = graphOf(model as unknown as GraphLayer);
  const image = graph.inputs[imageIndex]!;
  const nodes = graphNodes(model);
  const valid = () => {
    try {
      return `cut: ${JSON.stringify(cutNames(findFrozenCut(model).tensors))} (found from the frozen layers)`;
    } catch {
      return 'freeze the layers before the cut (applyFreezePolicy) or drop featureCache';
    }
  };
  const invalid = (message: string, received: unknown): never =>
    fail('FEATURE_CACHE_CUT_INVALID', message, received, `use ${valid()}`);
  if (names.length === 0) invalid('cut names no layer', names);
  const tensors: SymbolicRef[] = [];
  for (const name of names) {
    const calls = nodes.filter((n) => n.outboundLayer.name === name);
    if (calls.length === 0) invalid(`the model has no layer '${name}' to cut at`, name);
    if (calls.length > 1) invalid(`layer '${name}' is called ${calls.length} times; cut at a layer called once`, name);
    for (const r of calls[0]!.outputTensors) if (!tensors.some((t) => t.id === r.id)) tensors.push(r);
  }
  // The prefix: every call the cut tensors are computed from.
  const producer = new Map<number, GraphNode>();
  for (const n of nodes) for (const r of n.outputTensors) producer.set(r.id, n);
  const prefix = new Set<GraphNode>();
  const stack = [...tensors];
  while (stack.length > 0) {
    const r = stack.pop()!;
    if (r.id === image.id) continue;
    const n = producer.get(r.id);
    if (!n)
      invalid(
        `the cut at '${r.sourceLayer.name}' depends on the input '${r.sourceLayer.name}' besides the image`,
        r.name,
      );
    if (prefix.has(n!)) continue;
    prefix.add(n!);
    stack.push(...n!.inputTensors);
  }
  for (const n of nodes) {
    if (prefix.has(n) && !isFixedLayer(n.outboundLayer))
      invalid(
        `layer '${n.outboundLayer.name}' before the cut trains (or draws random numbers), so its output cannot be cached`,
        n.outboundLayer.name,
      );
  }
  const cut = new Set(tensors.map((t) => t.id));
  for (const n of nodes) {
    if (prefix.has(n)) continue;
    for (const r of n.inputTensors) {
      if (r.id === image.id || (!cut.has(r.id) && producer.get(r.id) && prefix.has(producer.get(r.id)!)))
        invalid(
          `layer '${n.outboundLayer.name}' after the cut reads '${r.sourceLayer.name}', which is computed before it`,
          n.outboundLayer.name,
        );
    }
  }
  for (const r of graph.outputs) {
    const n = producer.get(r.id);
    if (!cut.has(r.id) && n && prefix.has(n))
      invalid(`the model output '${r.sourceLayer.name}' is computed before the cut`, r.sourceLayer.name);
  }
  const ordered = nodes.flatMap((n) => (prefix.has(n) ? n.outputTensors.filter((r) => cut.has(r.id)) : []));
  return { prefixNodes: prefix, tensors: ordered, imageIndex };
}
