// Which layers Grad-CAM averages by default: the thesis averaged the nine convolutions of InceptionV3's
// last block, `mixed10` (`conv2d_86` … `conv2d_94` in a fresh Keras model). Found by walking the graph
// back from the block's output to the previous block's, so the auto-numbered names need not be known.
import { CxrkitError } from '@cxrkit/core';
import { findLayer, type GraphLayer } from './graph.js';

interface InboundNode {
  inputTensors?: { sourceLayer: GraphLayer }[];
}

/**
 * The Conv2D layers of one block: every convolution on a path from `previousBlock`'s output to `block`'s
 * output (e.g. `blockConvLayers(model, 'mixed10', 'mixed9')` → InceptionV3's nine mixed10 convolutions),
 * as paths `findLayer` accepts, in graph order from the input side.
 * @throws CxrkitError `GRADCAM_LAYER_NOT_FOUND` (with "did you mean") when either block is missing.
 */
export function blockConvLayers(model: GraphLayer, block: string, previousBlock: string): string[] {
  const end = findLayer(model, block);
  findLayer(model, previousBlock);
  const prefix = end.path.slice(0, end.path.length - end.layer.name.length);
  const seen = new Set<GraphLayer>();
  const convs: GraphLayer[] = [];
  const stack: GraphLayer[] = [end.layer];
  while (stack.length) {
    const layer = stack.pop()!;
    if (seen.has(layer) || layer.name === previousBlock) continue;
    seen.add(layer);
    if (layer.getClassName() === 'Conv2D') convs.push(layer);
    for (const node of (layer.inboundNodes ?? []) as InboundNode[]) {
      for (const t of node.inputTensors ?? []) stack.push(t.sourceLayer);
    }
  }
  const order = (l: GraphLayer) => Number(/_(\d+)$/.exec(l.name)?.[1] ?? 0);
  return convs.sort((a, b) => order(a) - order(b) || a.name.localeCompare(b.name)).map((l) => prefix + l.name);
}

/**
 * The default Grad-CAM layers of a model: InceptionV3's mixed10 convolutions when the model has
 * `mixed10` (the thesis's choice), else its last Conv2D layer.
 * @throws CxrkitError `GRADCAM_NO_CONV` when the model has no convolution.
 */
export function defaultCamLayers(model: GraphLayer & { layers?: GraphLayer[] }): string[] {
  try {
    return blockConvLayers(model, 'mixed10', 'mixed9');
  } catch {
    // not an InceptionV3: fall back to the last convolution
  }
  const all: string[] = [];
  const walk = (m: GraphLayer & { layers?: GraphLayer[] }, prefix: string) => {
    for (const l of m.layers ?? []) {
      if (l.getClassName() === 'Conv2D') all.push(prefix + l.name);
      if (Array.isArray((l as { layers?: unknown }).layers))
        walk(l as GraphLayer & { layers?: GraphLayer[] }, `${prefix}${l.name}/`);
    }
  };
  walk(model, '');
  if (!all.length) {
    throw new CxrkitError('GRADCAM_NO_CONV', `model "${model.name}" has no Conv2D layer to explain`, {
      pkg: 'gradcam',
      received: model.name,
      fix: 'name the layers to average (e.g. --layers conv2d_93,conv2d_94)',
    });
  }
  return [all[all.length - 1]!];
}
