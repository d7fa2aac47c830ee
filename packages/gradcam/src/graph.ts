/**
 * Re-executing a tfjs-layers model graph ourselves, node by node, so that the outputs of named inner
 * layers — also inside nested sub-models (a backbone inside a screening model) — can be captured and
 * tapped while gradients are recorded. tfjs-layers' own `runInternalGraph` hides these tensors, and
 * the usual "two-output model" trick (`tf.model({ outputs: [layer.output, model.output] })`) breaks as
 * soon as the layer sits inside a nested model.
 *
 * The walk itself is cxrkit's one layer-graph walker (`walkGraph` of @cxrkit/tfjs-ext, shared with the
 * ONNX exporter and the trainer): the same order as tfjs-layers' `Container.runInternalGraph`.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { CxrkitError, didYouMean } from '@cxrkit/core';
import {
  graphOf,
  inputNames,
  isContainer,
  listLayers as listGraphLayers,
  outputLayer as outputLayerOf,
  walkGraph,
  type GraphLayer as BaseGraphLayer,
} from '@cxrkit/tfjs-ext/base';

export { inputNames, inputShapes, outputNames, layerFeedsOutput } from '@cxrkit/tfjs-ext/base';

/** The view of a tfjs-layers `Layer` that Grad-CAM needs: the walker's, plus its activation and output shape. */
export interface GraphLayer extends BaseGraphLayer {
  outputShape?: unknown;
  activation?: { getClassName(): string; apply(x: tf.Tensor): tf.Tensor };
}

/** A layer found in a (possibly nested) model: its slash-separated path from the top model. */
export interface LayerLocation {
  layer: GraphLayer;
  /** `"backbone/conv2d_86"` for a layer inside a nested model named `backbone`. */
  path: string;
}

/** Every layer of `model`, depth-first into nested models, with its path. */
export function listLayers(model: BaseGraphLayer, prefix = ''): LayerLocation[] {
  return listGraphLayers(model, prefix) as LayerLocation[];
}

/** The layer that produces output `index` of `model`, following nested models down to a plain layer. */
export function outputLayer(model: BaseGraphLayer, index: number): GraphLayer {
  return outputLayerOf(model, index) as GraphLayer;
}

/**
 * Finds a layer by Keras name (`conv2d_86`, `mixed10`) anywhere in the model, or by path
 * (`backbone/conv2d_86`) when a name occurs in more than one nested model.
 */
export function findLayer(model: BaseGraphLayer, name: string): LayerLocation {
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
export type CallOverride = (
  layer: GraphLayer,
  inputs: tf.Tensor[],
  kwargs: Record<string, unknown>,
) => tf.Tensor[] | null;

export interface ExecuteOptions {
  onOutput?: OutputHook;
  override?: CallOverride;
}

/**
 * Runs `model` on concrete tensors (inference mode: `training: false`), recursing into nested models so
 * the hooks see every inner layer. Returns the model's outputs in order. Call it inside `tf.tidy` or a
 * gradient scope: intermediate tensors are not disposed here.
 */
export function executeGraph(model: BaseGraphLayer, inputs: tf.Tensor[], options: ExecuteOptions = {}): tf.Tensor[] {
  const graph = graphOf(model);
  if (inputs.length !== graph.inputs.length) {
    throw new CxrkitError(
      'GRADCAM_INPUT_COUNT',
      `model "${model.name}" takes ${graph.inputs.length} input(s), got ${inputs.length}`,
      {
        pkg: 'gradcam',
        received: inputs.length,
        fix: `pass ${inputNames(model)
          .map((n) => `"${n}"`)
          .join(', ')}`,
      },
    );
  }
  const outs = walkGraph<tf.Tensor>(model, inputs, (base, xs, node) => {
    const layer = base as GraphLayer;
    const kwargs: Record<string, unknown> = { ...(node.callArgs ?? {}), training: false };
    delete kwargs.mask;
    let ys: tf.Tensor[] | null = options.override ? options.override(layer, xs, kwargs) : null;
    if (ys === null) {
      if (isContainer(layer)) ys = executeGraph(layer, xs, options);
      else {
        const r = layer.call(xs.length === 1 ? xs[0]! : xs, kwargs);
        ys = Array.isArray(r) ? r : [r];
      }
    }
    return options.onOutput ? options.onOutput(layer, ys) : ys;
  });
  return outs.map((v, i) => {
    if (v === undefined) {
      throw new CxrkitError(
        'GRADCAM_GRAPH_INCOMPLETE',
        `could not compute output "${graph.outputs[i]!.name}" of model "${model.name}"`,
        {
          pkg: 'gradcam',
          fix: 'the model graph is disconnected; build it with tf.model({ inputs, outputs }) from connected layers',
        },
      );
    }
    return v;
  });
}
