// Minimal structural views of tfjs-layers internals the exporter walks (public fields, not all typed).
import * as tf from '@tensorflow/tfjs-core';

export interface SymTensor {
  readonly id: number;
  readonly shape: readonly (number | null)[];
  readonly sourceLayer: LayerLike;
  readonly nodeIndex: number;
  readonly tensorIndex: number;
}

export interface NodeLike {
  readonly inputTensors: SymTensor[];
  readonly outputTensors: SymTensor[];
}

export interface LayerLike {
  readonly name: string;
  readonly inboundNodes: NodeLike[];
  readonly weights: { readonly name: string; readonly originalName?: string; read(): tf.Tensor }[];
  getClassName(): string;
  getConfig(): Record<string, unknown>;
}

export interface ModelLike extends LayerLike {
  readonly inputs: SymTensor[];
  readonly outputs: SymTensor[];
  readonly inputNames: string[];
  readonly outputNames: string[];
  readonly layers: LayerLike[];
}

/** True for a functional or sequential model (also when nested as a layer). */
export function isModel(layer: unknown): layer is ModelLike {
  const l = layer as Partial<ModelLike>;
  return Array.isArray(l?.inputs) && Array.isArray(l?.outputs) && Array.isArray(l?.layers);
}

/** The layer's weight whose Keras name ends in `/${short}` (kernel, bias, gamma, beta, moving_mean, …), if any. */
export function findWeight(layer: LayerLike, short: string): LayerLike['weights'][number] | undefined {
  return layer.weights.find((w) => {
    const n = w.originalName ?? w.name;
    const last = n.slice(n.lastIndexOf('/') + 1).replace(/_\d+$/, '');
    return last === short;
  });
}
