// ResNet-50 (v1), layer for layer as standalone Keras 2.2.5/2.3 builds `keras.applications.resnet.ResNet50`
// (keras-applications 1.0.8 keras_applications/resnet_common.py; tf.keras 2.x resnet.py has the same
// graph and names except the top, `predictions` there): conv1_pad, conv1_conv, conv1_bn, conv1_relu,
// pool1_pad, pool1_pool, conv{2..5}_block{i}_{0_conv,0_bn,1_conv,1_bn,1_relu,2_conv,2_bn,2_relu,3_conv,
// 3_bn,add,out}, avg_pool | max_pool, probs. Convolutions have biases (use_bias=True in v1).
import * as tfl from '@tensorflow/tfjs-layers';
import { batchNormalization } from '../layers/batch-norm.js';
import { addTop, resolveOptions, scaleFilters, type ModelOptions } from './options.js';

type T = tfl.SymbolicTensor;

/** Keras's minimum input side for ResNet (`obtain_input_shape(min_size=32)`). */
export const RESNET_MIN_SIZE = 32;
const EPS = 1.001e-5;

/**
 * Builds ResNet-50 v1 (He et al. 2016) with Keras's exact layers and names.
 * Input [batch, h, w, 1|3] (h, w ≥ 32; default 224); output [batch, classes] with the top, else the
 * `conv5_block3_out` feature map [batch, h/32, w/32, 2048] or its pooled [batch, 2048].
 * Parameters at width 1, 3 channels: 23,587,712 without top, 25,636,712 with.
 */
export function resnet50(options?: ModelOptions): tfl.LayersModel {
  const o = resolveOptions('resnet50', options, { size: 224, minSize: RESNET_MIN_SIZE });
  const f = (n: number) => scaleFilters(n, o.widthMultiplier);
  const bn = (x: T, name: string): T => batchNormalization({ axis: 3, epsilon: EPS, name }).apply(x) as T;
  const relu = (x: T, name: string): T => tfl.layers.activation({ activation: 'relu', name }).apply(x) as T;
  const conv = (x: T, filters: number, k: number, name: string, strides = 1, padding: 'same' | 'valid' = 'valid'): T =>
    tfl.layers.conv2d({ filters, kernelSize: k, strides, padding, useBias: true, name }).apply(x) as T;

  // residual_block_v1: 1×1 (stride) → 3×3 → 1×1 (4·filters), plus a projection or identity shortcut.
  const block = (x: T, filters: number, stride: number, convShortcut: boolean, name: string): T => {
    const shortcut = convShortcut ? bn(conv(x, 4 * filters, 1, `${name}_0_conv`, stride), `${name}_0_bn`) : x;
    let y = relu(bn(conv(x, filters, 1, `${name}_1_conv`, stride), `${name}_1_bn`), `${name}_1_relu`);
    y = relu(bn(conv(y, filters, 3, `${name}_2_conv`, 1, 'same'), `${name}_2_bn`), `${name}_2_relu`);
    y = bn(conv(y, 4 * filters, 1, `${name}_3_conv`), `${name}_3_bn`);
    const sum = tfl.layers.add({ name: `${name}_add` }).apply([shortcut, y]) as T;
    return relu(sum, `${name}_out`);
  };
  const stack = (x: T, filters: number, blocks: number, stride1: number, name: string): T => {
    x = block(x, filters, stride1, true, `${name}_block1`);
    for (let i = 2; i <= blocks; i++) x = block(x, filters, 1, false, `${name}_block${i}`);
    return x;
  };

  const input = tfl.input({ shape: o.inputShape, name: o.inputName });
  // Stem: 224 → 112 → 56.
  let x = tfl.layers
    .zeroPadding2d({
      padding: [
        [3, 3],
        [3, 3],
      ],
      name: 'conv1_pad',
    })
    .apply(input) as T;
  x = relu(bn(conv(x, f(64), 7, 'conv1_conv', 2), 'conv1_bn'), 'conv1_relu');
  x = tfl.layers
    .zeroPadding2d({
      padding: [
        [1, 1],
        [1, 1],
      ],
      name: 'pool1_pad',
    })
    .apply(x) as T;
  x = tfl.layers.maxPooling2d({ poolSize: 3, strides: 2, name: 'pool1_pool' }).apply(x) as T;

  x = stack(x, f(64), 3, 1, 'conv2'); // 56 x 56 x 256
  x = stack(x, f(128), 4, 2, 'conv3'); // 28 x 28 x 512
  x = stack(x, f(256), 6, 2, 'conv4'); // 14 x 14 x 1024
  x = stack(x, f(512), 3, 2, 'conv5'); // 7 x 7 x 2048

  const out = addTop(x, o, { avg: 'avg_pool', max: 'max_pool', predictions: 'probs' });
  return tfl.model({ inputs: input, outputs: out, name: o.name });
}
