// A model's inputs and outputs as the graph names them, and which layers lie on the way to an output.
import { graphOf, isContainer } from './containers.js';
import type { GraphLayer, SymbolicRef } from './types.js';

/** Names of the model's inputs (their input layers' names, e.g. `image`, `age`, `sex`). */
export function inputNames(model: GraphLayer): string[] {
  return graphOf(model).inputs.map((t) => t.sourceLayer.name);
}

/** Symbolic shapes of the model's inputs, batch dimension first (null). */
export function inputShapes(model: GraphLayer): (number | null)[][] {
  return graphOf(model).inputs.map((t) => t.shape);
}

/** Names of the layers that produce the model's outputs. */
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
  if (isContainer(layer)) return outputLayer(layer, ref.tensorIndex ?? 0);
  return layer;
}

/**
 * True when `target` (a layer of `model` or of a model nested in it) lies on a path to output `index`
 * of `model`. Walks back from the output through the layers' inbound nodes.
 */
export function layerFeedsOutput(model: GraphLayer, index: number, target: GraphLayer): boolean {
  const graph = graphOf(model);
  return reachesBack([graph.outputs[index]!], target);
}

function reachesBack(start: SymbolicRef[], target: GraphLayer): boolean {
  const seen = new Set<number>();
  const stack = [...start];
  while (stack.length) {
    const ref = stack.pop()!;
    if (seen.has(ref.id)) continue;
    seen.add(ref.id);
    const layer = ref.sourceLayer;
    if (layer === target) return true;
    if (isContainer(layer)) {
      const inner = graphOf(layer);
      if (reachesBack([inner.outputs[ref.tensorIndex ?? 0]!], target)) return true;
    }
    const node = layer.inboundNodes?.[ref.nodeIndex ?? 0];
    if (node) stack.push(...node.inputTensors);
  }
  return false;
}
