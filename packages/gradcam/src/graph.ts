/**
 * Re-executing a tfjs-layers model graph ourselves, node by node, so that the outputs of named inner
 * layers — also inside nested sub-models (a backbone inside a screening model) — can be captured and
 * tapped while gradients are recorded. tfjs-layers' own `runInternalGraph` hides these tensors, and
 * the usual "two-output model" trick (`tf.model({ outputs: [layer.output, model.output] })`) breaks as
 * soon as the layer sits inside a nested model.
 *
 * Only the small, stable part of the tfjs-layers graph API is used: `nodesByDepth`, `inputs`,
 * `outputs`, and per node `outboundLayer`, `inputTensors`, `outputTensors`, `callArgs` (the same
 * fields tfjs-layers' `Container.runInternalGraph` walks).
 */
import type * as tf from '@tensorflow/tfjs-core';
import { CxrkitError, didYouMean } from '@cxrkit/core';

/** The minimal view of a tfjs-layers `Layer` that the executor needs. */
export interface GraphLayer {
  name: string;
  getClassName(): string;
  call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[];
  outputShape?: unknown;
  activation?: { getClassName(): string; apply(x: tf.Tensor): tf.Tensor };
  inboundNodes?: unknown[];
}

interface SymbolicRef {
  id: number;
  name: string;
  shape: (number | null)[];
  sourceLayer: GraphLayer;
}

interface GraphNode {
  outboundLayer: GraphLayer;
  inputTensors: SymbolicRef[];
  outputTensors: SymbolicRef[];
  callArgs?: Record<string, unknown> | null;
}

/** The minimal view of a tfjs-layers functional model (a `Container`). */
export interface GraphModel extends GraphLayer {
  layers: GraphLayer[];
  inputs: SymbolicRef[];
  outputs: SymbolicRef[];
  nodesByDepth: Record<string, GraphNode[]>;
}

/** A layer found in a (possibly nested) model: its slash-separated path from the top model. */
export interface LayerLocation {
  layer: GraphLayer;
  /** `"backbone/conv2d_86"` for a layer inside a nested model named `backbone`. */
  path: string;
}

/** True for a tfjs-layers model used as a layer (functional `LayersModel` or `Sequential`). */
export function isContainer(layer: GraphLayer): boolean {
  const l = layer as Partial<GraphModel> & { model?: unknown };
  return Array.isArray(l.layers) && (l.nodesByDepth !== undefined || layer.getClassName() === 'Sequential');
}

/** The functional graph of a container: a `Sequential` delegates to its inner functional model. */
export function graphOf(model: GraphLayer): GraphModel {
  if (model.getClassName() === 'Sequential') {
    const seq = model as unknown as { model?: GraphModel; build(): void };
    if (seq.model == null) seq.build();
    if (seq.model == null) {
      throw new CxrkitError('GRADCAM_MODEL_NOT_BUILT', `Sequential model "${model.name}" has no layers yet`, {
        pkg: 'gradcam',
        fix: 'add layers with an input shape before asking for a Grad-CAM',
      });
    }
    return seq.model;
  }
  return model as GraphModel;
}

/** Every layer of `model`, depth-first into nested models, with its path. */
export function listLayers(model: GraphLayer, prefix = ''): LayerLocation[] {
  const out: LayerLocation[] = [];
  for (const layer of graphOf(model).layers) {
    const path = prefix + layer.name;
    out.push({ layer, path });
    if (isContainer(layer)) out.push(...listLayers(layer, `${path}/`));
  }
  return out;
}

/**
 * Finds a layer by Keras name (`conv2d_86`, `mixed10`) anywhere in the model, or by path
 * (`backbone/conv2d_86`) when a name occurs in more than one nested model.
 */
export function findLayer(model: GraphLayer, name: string): LayerLocation {
  const all = listLayers(model);
  const hits = name.includes('/') ? all.filter((l) => l.path === name) : all.filter((l) => l.layer.name === name);
  if (hits.length === 1) return hits[0]!;
  if (hits.length > 1) {
    throw new CxrkitError('GRADCAM_LAYER_AMBIGUOUS', `layer name "${name}" occurs in several nested models`, {
      pkg: 'gradcam',
      received: hits.map((h) => h.path),
      fix: `name it by its path, one of ${hits.map((h) => `"${h.path}"`).join(', ')}`,
    });
  }
  const guess = didYouMean(
    name,
    all.map((l) => (name.includes('/') ? l.path : l.layer.name)),
  );
  throw new CxrkitError('GRADCAM_LAYER_NOT_FOUND', `no layer named "${name}" in model "${model.name}"`, {
    pkg: 'gradcam',
    received: name,
    fix: guess
      ? `did you mean "${guess}"?`
      : `use one of the model's layer names (e.g. ${all
          .slice(-5)
          .map((l) => `"${l.path}"`)
          .join(', ')})`,
  });
}

/** Hooks into the re-execution: called with each layer's computed outputs; may replace them. */
export type OutputHook = (layer: GraphLayer, outputs: tf.Tensor[]) => tf.Tensor[];
/** May compute a layer differently (e.g. a dense layer without its softmax). Return null to run it normally. */
export type CallOverride = (layer: GraphLayer, inputs: tf.Tensor[], kwargs: Record<string, unknown>) => tf.Tensor[] | null;

export interface ExecuteOptions {
  onOutput?: OutputHook;
  override?: CallOverride;
}

/**
 * Runs `model` on concrete tensors (inference mode: `training: false`), recursing into nested models so
 * the hooks see every inner layer. Returns the model's outputs in order. Call it inside `tf.tidy` or a
 * gradient scope: intermediate tensors are not disposed here.
 */
export function executeGraph(model: GraphLayer, inputs: tf.Tensor[], options: ExecuteOptions = {}): tf.Tensor[] {
  const graph = graphOf(model);
  if (inputs.length !== graph.inputs.length) {
    throw new CxrkitError('GRADCAM_INPUT_COUNT', `model "${model.name}" takes ${graph.inputs.length} input(s), got ${inputs.length}`, {
      pkg: 'gradcam',
      received: inputs.length,
      fix: `pass ${graph.inputs.map((t) => `"${t.sourceLayer.name}"`).join(', ')}`,
    });
  }
  const values = new Map<number, tf.Tensor>();
  graph.inputs.forEach((ref, i) => values.set(ref.id, inputs[i]!));
  const depths = Object.keys(graph.nodesByDepth)
    .map(Number)
    .sort((a, b) => b - a);
  for (const depth of depths) {
    for (const node of graph.nodesByDepth[String(depth)]!) {
      const layer = node.outboundLayer;
      if (layer.getClassName() === 'InputLayer') continue;
      const args = node.inputTensors.map((ref) => values.get(ref.id));
      if (args.some((a) => a === undefined)) continue; // a node of another graph that shares this layer
      const kwargs: Record<string, unknown> = { ...(node.callArgs ?? {}), training: false };
      delete kwargs.mask;
      const xs = args as tf.Tensor[];
      let outs: tf.Tensor[] | null = options.override ? options.override(layer, xs, kwargs) : null;
      if (outs === null) {
        if (isContainer(layer)) outs = executeGraph(layer, xs, options);
        else {
          const r = layer.call(xs.length === 1 ? xs[0]! : xs, kwargs);
          outs = Array.isArray(r) ? r : [r];
        }
      }
      if (options.onOutput) outs = options.onOutput(layer, outs);
      node.outputTensors.forEach((ref, i) => values.set(ref.id, outs![i]!));
    }
  }
  return graph.outputs.map((ref) => {
    const v = values.get(ref.id);
    if (v === undefined) {
      throw new CxrkitError('GRADCAM_GRAPH_INCOMPLETE', `could not compute output "${ref.name}" of model "${model.name}"`, {
        pkg: 'gradcam',
        fix: 'the model graph is disconnected; build it with tf.model({ inputs, outputs }) from connected layers',
      });
    }
    return v;
  });
}

/** Names of the model's inputs (their input layers' names, e.g. `image`, `age`, `sex`). */
export function inputNames(model: GraphLayer): string[] {
  return graphOf(model).inputs.map((t) => t.sourceLayer.name);
}

/** Symbolic shapes of the model's inputs, batch dimension first (null). */
export function inputShapes(model: GraphLayer): (number | null)[][] {
  return graphOf(model).inputs.map((t) => t.shape);
}

/** Names of the model's outputs' layers. */
export function outputNames(model: GraphLayer): string[] {
  return graphOf(model).outputs.map((t) => t.sourceLayer.name);
}

/**
 * The layer that produces output `index` of `model`, following nested models down to a plain layer
 * (the one whose activation decides logit vs probability).
 */
export function outputLayer(model: GraphLayer, index: number): GraphLayer {
  const ref = graphOf(model).outputs[index]!;
  const layer = ref.sourceLayer;
  if (isContainer(layer)) return outputLayer(layer, (ref as SymbolicRef & { tensorIndex?: number }).tensorIndex ?? 0);
  return layer;
}

/**
 * True when `target` (a layer of `model` or of a model nested in it) lies on a path to output
 * `index` of `model`. Walks back from the output through the layers' inbound nodes.
 */
export function layerFeedsOutput(model: GraphLayer, index: number, target: GraphLayer): boolean {
  const graph = graphOf(model);
  return reachesBack(graph, [graph.outputs[index]!], target);
}

function reachesBack(graph: GraphModel, start: SymbolicRef[], target: GraphLayer): boolean {
  const seen = new Set<number>();
  const stack = [...start];
  while (stack.length) {
    const ref = stack.pop()! as SymbolicRef & { nodeIndex?: number; tensorIndex?: number };
    if (seen.has(ref.id)) continue;
    seen.add(ref.id);
    const layer = ref.sourceLayer;
    if (layer === target) return true;
    if (isContainer(layer)) {
      const inner = graphOf(layer);
      if (reachesBack(inner, [inner.outputs[ref.tensorIndex ?? 0]!], target)) return true;
    }
    const node = (layer.inboundNodes as GraphNode[] | undefined)?.[ref.nodeIndex ?? 0];
    if (node) stack.push(...node.inputTensors);
  }
  return false;
}
