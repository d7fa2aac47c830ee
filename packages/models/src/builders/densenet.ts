// DenseNet-121/169/201, layer for layer as standalone Keras 2.2.5/2.3 builds them (keras-applications
// 1.0.8 keras_applications/densenet.py, the thesis's environment; tf.keras 2.x has the same graph and
// names except the top, which it calls `predictions`, and the auto names of the paddings).
// Explicit names: conv1/conv, conv1/bn, conv1/relu, pool1, conv{2..5}_block{i}_{0_bn,0_relu,1_conv,1_bn,
// 1_relu,2_conv,concat}, pool{2,3,4}_{bn,relu,conv,pool}, bn, relu, avg_pool | max_pool, fc1000.
// The two ZeroPadding2D layers are unnamed in Keras and get Keras 2.2's auto names zero_padding2d_1 and
// zero_padding2d_2; the input is input_1.
import * as tfl from '@tensorflow/tfjs-layers';
import { batchNormalization } from '../layers/batch-norm.js';
import { KerasAutoNames, addTop, resolveOptions, scaleFilters, type ModelOptions } from './options.js';

type T = tfl.SymbolicTensor;

/** Keras's minimum input side for DenseNet (`obtain_input_shape(min_size=32)`). */
export const DENSENET_MIN_SIZE = 32;

/** Dense-block depths of the three Keras DenseNets. */
export const DENSENET_BLOCKS = {
  densenet121: [6, 12, 24, 16],
  densenet169: [6, 12, 32, 32],
  densenet201: [6, 12, 48, 32],
} as const;

const EPS = 1.001e-5;

/**
 * Builds a DenseNet (Huang et al. 2017) with Keras's exact layers and names.
 * `blocks`: building blocks per dense block, e.g. [6, 12, 32, 32] for DenseNet-169.
 * Input [batch, h, w, 1|3] (h, w ≥ 32; default 224); output [batch, classes] with the top, else the
 * `relu` feature map [batch, h/32, w/32, C] or its pooled [batch, C] (C = 1024 / 1664 / 1920).
 */
export function denseNet(
  blocks: readonly [number, number, number, number],
  modelName: string,
  options?: ModelOptions,
): tfl.LayersModel {
  const o = resolveOptions(modelName, options, { size: 224, minSize: DENSENET_MIN_SIZE });
  const auto = new KerasAutoNames();
  const growth = scaleFilters(32, o.widthMultiplier);
  const bn = (x: T, name: string): T => batchNormalization({ axis: 3, epsilon: EPS, name }).apply(x) as T;
  const relu = (x: T, name: string): T => tfl.layers.activation({ activation: 'relu', name }).apply(x) as T;
  const conv = (x: T, filters: number, k: number, name: string, padding: 'same' | 'valid' = 'valid', strides = 1): T =>
    tfl.layers.conv2d({ filters, kernelSize: k, strides, padding, useBias: false, name }).apply(x) as T;
  const channels = (x: T) => x.shape[3] as number;

  // conv_block: BN-ReLU-1×1 conv (4·growth) - BN-ReLU-3×3 conv (growth), concatenated to the input.
  const convBlock = (x: T, name: string): T => {
    let x1 = relu(bn(x, `${name}_0_bn`), `${name}_0_relu`);
    x1 = conv(x1, 4 * growth, 1, `${name}_1_conv`);
    x1 = relu(bn(x1, `${name}_1_bn`), `${name}_1_relu`);
    x1 = conv(x1, growth, 3, `${name}_2_conv`, 'same');
    return tfl.layers.concatenate({ axis: 3, name: `${name}_concat` }).apply([x, x1]) as T;
  };
  const denseBlock = (x: T, n: number, name: string): T => {
    for (let i = 0; i < n; i++) x = convBlock(x, `${name}_block${i + 1}`);
    return x;
  };
  // transition_block: BN-ReLU-1×1 conv halving the channels (int(C × 0.5)), 2×2 average pooling.
  const transition = (x: T, name: string): T => {
    x = relu(bn(x, `${name}_bn`), `${name}_relu`);
    x = conv(x, Math.floor(channels(x) * 0.5), 1, `${name}_conv`);
    return tfl.layers.averagePooling2d({ poolSize: 2, strides: 2, name: `${name}_pool` }).apply(x) as T;
  };

  const input = tfl.input({ shape: o.inputShape, name: o.inputName });
  // Stem: 224 → 112 → 56.
  let x = tfl.layers
    .zeroPadding2d({
      padding: [
        [3, 3],
        [3, 3],
      ],
      name: auto.next('zero_padding2d'),
    })
    .apply(input) as T;
  x = conv(x, scaleFilters(64, o.widthMultiplier), 7, 'conv1/conv', 'valid', 2);
  x = relu(bn(x, 'conv1/bn'), 'conv1/relu');
  x = tfl.layers
    .zeroPadding2d({
      padding: [
        [1, 1],
        [1, 1],
      ],
      name: auto.next('zero_padding2d'),
    })
    .apply(x) as T;
  x = tfl.layers.maxPooling2d({ poolSize: 3, strides: 2, name: 'pool1' }).apply(x) as T;

  x = denseBlock(x, blocks[0], 'conv2'); // 56 x 56
  x = transition(x, 'pool2');
  x = denseBlock(x, blocks[1], 'conv3'); // 28 x 28
  x = transition(x, 'pool3');
  x = denseBlock(x, blocks[2], 'conv4'); // 14 x 14
  x = transition(x, 'pool4');
  x = denseBlock(x, blocks[3], 'conv5'); // 7 x 7

  x = relu(bn(x, 'bn'), 'relu');
  const out = addTop(x, o, { avg: 'avg_pool', max: 'max_pool', predictions: 'fc1000' });
  return tfl.model({ inputs: input, outputs: out, name: o.name });
}

/** DenseNet-121 (7,037,504 parameters without top, 8,062,504 with). See {@link denseNet}. */
export function densenet121(options?: ModelOptions): tfl.LayersModel {
  return denseNet(DENSENET_BLOCKS.densenet121, 'densenet121', options);
}
/** DenseNet-169 (12,642,880 parameters without top, 14,307,880 with) — the thesis's age model. See {@link denseNet}. */
export function densenet169(options?: ModelOptions): tfl.LayersModel {
  return denseNet(DENSENET_BLOCKS.densenet169, 'densenet169', options);
}
/** DenseNet-201 (18,321,984 parameters without top, 20,242,984 with). See {@link denseNet}. */
export function densenet201(options?: ModelOptions): tfl.LayersModel {
  return denseNet(DENSENET_BLOCKS.densenet201, 'densenet201', options);
}
