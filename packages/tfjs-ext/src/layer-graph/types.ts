// Structural views of the tfjs-layers graph (public fields, not all typed by tfjs-layers): what the one
// layer-graph walker reads — `nodesByDepth`, `inputs`, `outputs`, `layers`, and per node
// `outboundLayer`, `inputTensors`, `outputTensors`, `callArgs` (the fields tfjs-layers' own
// `Container.runInternalGraph` walks). No tfjs-layers class is imported: any model built with the
// tfjs-layers API fits.
import type * as tf from '@tensorflow/tfjs-core';

/** A symbolic tensor of the graph: `sourceLayer`'s output `tensorIndex` of its call `nodeIndex`. */
export interface SymbolicRef {
  readonly id: number;
  readonly name: string;
  readonly shape: (number | null)[];
  readonly sourceLayer: GraphLayer;
  readonly nodeIndex: number;
  readonly tensorIndex: number;
}

/** One call of a layer: its symbolic inputs and outputs and the keyword arguments it was called with. */
export interface GraphNode {
  readonly outboundLayer: GraphLayer;
  readonly inputTensors: SymbolicRef[];
  readonly outputTensors: SymbolicRef[];
  readonly callArgs?: Record<string, unknown> | null;
}

/** A tfjs-layers `Layer` as the walker sees it. */
export interface GraphLayer {
  readonly name: string;
  getClassName(): string;
  /** Its calls, in call order (`SymbolicRef.nodeIndex` indexes this). */
  readonly inboundNodes: GraphNode[];
  call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[];
}

/** A tfjs-layers functional model (a `Container`); a `Sequential` reaches one through `graphOf`. */
export interface GraphModel extends GraphLayer {
  readonly layers: GraphLayer[];
  readonly inputs: SymbolicRef[];
  readonly outputs: SymbolicRef[];
  readonly nodesByDepth: Record<string, GraphNode[]>;
}

/** A layer found in a (possibly nested) model, with its slash-separated path from the top model. */
export interface LayerLocation {
  layer: GraphLayer;
  /** `"backbone/conv2d_86"` for a layer inside a nested model named `backbone`. */
  path: string;
}
