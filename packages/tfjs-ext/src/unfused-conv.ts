// tfjs 4.22's Conv2D layer runs the fused conv2d op, whose gradient always computes the filter gradient
// (Conv2DBackpropFilter) — also when only the gradient with respect to the input is asked for, as in
// Grad-CAM. Stock tfjs-backend-wasm has no Conv2DBackpropFilter; the same layer computed as plain
// conv2d + bias + activation needs only Conv2DBackpropInput there.
import * as tf from '@tensorflow/tfjs-core';

interface ConvLike {
  rank?: number;
  dataFormat?: string;
  kernel: { read(): tf.Tensor4D };
  bias?: { read(): tf.Tensor1D } | null;
  strides: [number, number];
  padding: 'same' | 'valid';
  dilationRate: [number, number];
  activation?: { apply(x: tf.Tensor): tf.Tensor } | null;
}

/**
 * A Conv2D layer's call on `inputs` as conv2d + bias + activation, unfused (its gradient with respect
 * to the input needs no Conv2DBackpropFilter). Returns null for any other layer, and for a Conv2D that
 * is not 2-D channels-last (call the layer itself then). Same values as the layer's own call.
 */
export function unfusedConv2d(layer: { getClassName(): string }, inputs: tf.Tensor[]): tf.Tensor[] | null {
  if (layer.getClassName() !== 'Conv2D') return null;
  const c = layer as unknown as ConvLike;
  if (c.rank !== 2 || c.dataFormat !== 'channelsLast') return null;
  let y: tf.Tensor = tf.conv2d(inputs[0] as tf.Tensor4D, c.kernel.read(), c.strides, c.padding, 'NHWC', c.dilationRate);
  if (c.bias) y = tf.add(y, c.bias.read());
  if (c.activation) y = c.activation.apply(y);
  return [y];
}

/** True when the active backend has no Conv2DBackpropFilter kernel (stock tfjs-backend-wasm 4.22). */
export function lacksFilterGradient(backendName: string = tf.getBackend()): boolean {
  return tf.getKernel('Conv2DBackpropFilter', backendName) === undefined;
}
