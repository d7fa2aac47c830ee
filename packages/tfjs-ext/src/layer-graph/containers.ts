// Which layers are models (containers of other layers), and the functional graph behind a model.
import { tfjsExtError } from '../errors.js';
import type { GraphLayer, GraphModel } from './types.js';

/**
 * True for a tfjs-layers model (functional `LayersModel` or `Sequential`), also one used as a layer
 * inside another model. Accepts any value (false for null, tensors, plain layers).
 */
export function isContainer(layer: unknown): layer is GraphModel {
  const l = layer as Partial<GraphModel> | null | undefined;
  return Array.isArray(l?.layers) && (l.nodesByDepth !== undefined || l.getClassName?.() === 'Sequential');
}

/**
 * The functional graph of a model: the model itself, or for a `Sequential` the functional model it
 * keeps inside (built on first use).
 * @throws CxrkitError `LAYER_GRAPH_NOT_BUILT` for a `Sequential` without layers.
 */
export function graphOf(model: GraphLayer): GraphModel {
  if (model.getClassName() === 'Sequential') {
    const seq = model as unknown as { model?: GraphModel; build(): void };
    if (seq.model == null) seq.build();
    if (seq.model == null) {
      throw tfjsExtError(
        'LAYER_GRAPH_NOT_BUILT',
        `Sequential model "${model.name}" has no layers yet`,
        model.name,
        'add layers with an input shape first',
      );
    }
    return seq.model;
  }
  return model as GraphModel;
}
