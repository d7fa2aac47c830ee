// What the exporter reads of a tfjs-layers layer beyond the shared graph view of @cxrkit/tfjs-ext (the
// one layer-graph walker, shared with Grad-CAM and the trainer): its weights and its Keras config.
import type * as tf from '@tensorflow/tfjs-core';
import { isContainer, type GraphLayer, type GraphModel, type SymbolicRef } from '@cxrkit/tfjs-ext/base';

/** A symbolic tensor of the graph (see `SymbolicRef` of @cxrkit/tfjs-ext). */
export type SymTensor = SymbolicRef;

export interface LayerLike extends GraphLayer {
  readonly weights: { readonly name: string; readonly originalName?: string; read(): tf.Tensor }[];
  getConfig(): Record<string, unknown>;
}

export interface ModelLike extends LayerLike, GraphModel {
  readonly inputNames: string[];
  readonly outputNames: string[];
  readonly layers: LayerLike[];
}

/** True for a functional or sequential model (also when nested as a layer). */
export function isModel(layer: unknown): layer is ModelLike {
  return isContainer(layer);
}

/** The layer's weight whose Keras name ends in `/${short}` (kernel, bias, gamma, beta, moving_mean, …), if any. */
export function findWeight(layer: LayerLike, short: string): LayerLike['weights'][number] | undefined {
  return layer.weights.find((w) => {
    const n = w.originalName ?? w.name;
    const last = n.slice(n.lastIndexOf('/') + 1).replace(/_\d+$/, '');
    return last === short;
  });
}
