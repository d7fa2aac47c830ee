// The one walk of a layer graph: the order in which tfjs-layers itself executes a model, on values of
// any kind — tensors (Grad-CAM's re-execution), ONNX tensor names (the exporter), booleans, …
import { graphOf } from './containers.js';
import type { GraphLayer, GraphNode } from './types.js';

/** Computes one layer call: its input values in, its output values out (one per `node.outputTensors`). */
export type LayerCallFn<T> = (layer: GraphLayer, args: T[], node: GraphNode) => T[];

/**
 * Walks the graph of `model` as `Container.runInternalGraph` of tfjs-layers does — by `nodesByDepth`,
 * deepest first — binding `inputs` to the graph's inputs (in order) and calling `callLayer` once per
 * layer call (input layers excluded) whose input values are all known. Returns the values of the graph's
 * outputs, `undefined` where none was computed. Nested models are not entered: `callLayer` receives them
 * as layers (see `isContainer`) and may walk them with `walkGraph(layer, args, callLayer)`.
 * Nothing is disposed here: with tensors, call it inside `tf.tidy` or a gradient scope.
 */
export function walkGraph<T>(model: GraphLayer, inputs: readonly T[], callLayer: LayerCallFn<T>): Array<T | undefined> {
  const graph = graphOf(model);
  const values = new Map<number, T>();
  graph.inputs.forEach((ref, i) => {
    if (i < inputs.length) values.set(ref.id, inputs[i]!);
  });
  const depths = Object.keys(graph.nodesByDepth)
    .map(Number)
    .sort((a, b) => b - a);
  for (const depth of depths) {
    for (const node of graph.nodesByDepth[String(depth)]!) {
      const layer = node.outboundLayer;
      if (layer.getClassName() === 'InputLayer') continue;
      const args = node.inputTensors.map((ref) => values.get(ref.id));
      if (args.some((a) => a === undefined)) continue; // a call that needs an unbound input
      const outs = callLayer(layer, args as T[], node);
      node.outputTensors.forEach((ref, i) => values.set(ref.id, outs[i]!));
    }
  }
  return graph.outputs.map((ref) => values.get(ref.id));
}
