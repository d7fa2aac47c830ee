// Every layer of a model, nested models included — what Grad-CAM's layer lookup, the trainer's
// BatchNormalization handling and anything else that needs "all layers" read.
import { graphOf, isContainer } from './containers.js';
import type { GraphLayer, LayerLocation } from './types.js';

/** Every layer of `model` in `model.layers` order, depth-first into nested models, with its path. */
export function listLayers(model: GraphLayer, prefix = ''): LayerLocation[] {
  const out: LayerLocation[] = [];
  for (const layer of graphOf(model).layers) {
    const path = prefix + layer.name;
    out.push({ layer, path });
    if (isContainer(layer)) out.push(...listLayers(layer, `${path}/`));
  }
  return out;
}

/** Every layer of `model`, nested models included (the layers of {@link listLayers}, without paths). */
export function allLayers<L = GraphLayer>(model: unknown): L[] {
  return listLayers(model as GraphLayer).map((l) => l.layer as unknown as L);
}
