// InceptionV3, layer for layer as standalone Keras 2.2 builds it (keras-applications
// keras_applications/inception_v3.py, the module behind `keras.applications.InceptionV3` in Keras
// 2.2.4/2.3 — the thesis's environment). conv2d_bn() there passes no names, so every layer gets
// Keras's auto name: conv2d_1 … conv2d_94, batch_normalization_1 … _94 (scale = false),
// activation_1 … _94, max_pooling2d_1 … _4, average_pooling2d_1 … _9, concatenate_1/_2, and the
// explicit mixed0 … mixed10, mixed9_0, mixed9_1; top `avg_pool` + `predictions`.
import * as tfl from '@tensorflow/tfjs-layers';
import { batchNormalization } from '../layers/batch-norm.js';
import { KerasAutoNames, addTop, resolveOptions, scaleFilters, type ModelOptions } from './options.js';

type T = tfl.SymbolicTensor;

/** Keras's minimum input side for InceptionV3 (`_obtain_input_shape(min_size=75)`). */
export const INCEPTION_V3_MIN_SIZE = 75;

/**
 * Builds InceptionV3 (Szegedy et al. 2016) with Keras 2.2's exact layers and names.
 * Input [batch, h, w, 1|3] (h, w ≥ 75; default 299); output [batch, classes] with the top, else the
 * mixed10 feature map [batch, ⌊…⌋, ⌊…⌋, 2048] or its pooled [batch, 2048].
 * Parameters at width 1, 3 channels: 21,802,784 without top, 23,851,784 with the 1000-class top.
 */
export function inceptionV3(options?: ModelOptions): tfl.LayersModel {
  const o = resolveOptions('inception_v3', options, { size: 299, minSize: INCEPTION_V3_MIN_SIZE });
  const auto = new KerasAutoNames();
  const f = (n: number) => scaleFilters(n, o.widthMultiplier);

  // conv2d_bn: Conv2D (no bias) → BatchNormalization(scale=False) → ReLU, all auto-named.
  const conv2dBn = (
    x: T,
    filters: number,
    rows: number,
    cols: number,
    padding: 'same' | 'valid' = 'same',
    strides: [number, number] = [1, 1],
  ): T => {
    let y = tfl.layers
      .conv2d({
        filters: f(filters),
        kernelSize: [rows, cols],
        strides,
        padding,
        useBias: false,
        name: auto.next('conv2d'),
      })
      .apply(x) as T;
    y = batchNormalization({ axis: 3, scale: false, name: auto.next('batch_normalization') }).apply(y) as T;
    return tfl.layers.activation({ activation: 'relu', name: auto.next('activation') }).apply(y) as T;
  };
  const maxPool = (x: T): T =>
    tfl.layers
      .maxPooling2d({ poolSize: [3, 3], strides: [2, 2], padding: 'valid', name: auto.next('max_pooling2d') })
      .apply(x) as T;
  const avgPool = (x: T): T =>
    tfl.layers
      .averagePooling2d({ poolSize: [3, 3], strides: [1, 1], padding: 'same', name: auto.next('average_pooling2d') })
      .apply(x) as T;
  const concat = (xs: T[], name?: string): T =>
    tfl.layers.concatenate({ axis: 3, name: name ?? auto.next('concatenate') }).apply(xs) as T;

  const input = tfl.input({ shape: o.inputShape, name: o.inputName });

  // Stem: 299 → 147 → 73 → 35.
  let x = conv2dBn(input, 32, 3, 3, 'valid', [2, 2]);
  x = conv2dBn(x, 32, 3, 3, 'valid');
  x = conv2dBn(x, 64, 3, 3);
  x = maxPool(x);
  x = conv2dBn(x, 80, 1, 1, 'valid');
  x = conv2dBn(x, 192, 3, 3, 'valid');
  x = maxPool(x);

  // mixed 0, 1, 2: 35 x 35 x 256 (288 for 1, 2)
  for (const [i, poolFilters] of [
    [0, 32],
    [1, 64],
    [2, 64],
  ] as const) {
    const branch1x1 = conv2dBn(x, 64, 1, 1);
    let branch5x5 = conv2dBn(x, 48, 1, 1);
    branch5x5 = conv2dBn(branch5x5, 64, 5, 5);
    let branch3x3dbl = conv2dBn(x, 64, 1, 1);
    branch3x3dbl = conv2dBn(branch3x3dbl, 96, 3, 3);
    branch3x3dbl = conv2dBn(branch3x3dbl, 96, 3, 3);
    const branchPool = conv2dBn(avgPool(x), poolFilters, 1, 1);
    x = concat([branch1x1, branch5x5, branch3x3dbl, branchPool], `mixed${i}`);
  }

  // mixed 3: 17 x 17 x 768
  {
    const branch3x3 = conv2dBn(x, 384, 3, 3, 'valid', [2, 2]);
    let branch3x3dbl = conv2dBn(x, 64, 1, 1);
    branch3x3dbl = conv2dBn(branch3x3dbl, 96, 3, 3);
    branch3x3dbl = conv2dBn(branch3x3dbl, 96, 3, 3, 'valid', [2, 2]);
    const branchPool = maxPool(x);
    x = concat([branch3x3, branch3x3dbl, branchPool], 'mixed3');
  }

  // mixed 4, 5, 6, 7: 17 x 17 x 768 (7×7 factorised branches of width 128, 160, 160, 192)
  for (const [i, c] of [
    [4, 128],
    [5, 160],
    [6, 160],
    [7, 192],
  ] as const) {
    const branch1x1 = conv2dBn(x, 192, 1, 1);
    let branch7x7 = conv2dBn(x, c, 1, 1);
    branch7x7 = conv2dBn(branch7x7, c, 1, 7);
    branch7x7 = conv2dBn(branch7x7, 192, 7, 1);
    let branch7x7dbl = conv2dBn(x, c, 1, 1);
    branch7x7dbl = conv2dBn(branch7x7dbl, c, 7, 1);
    branch7x7dbl = conv2dBn(branch7x7dbl, c, 1, 7);
    branch7x7dbl = conv2dBn(branch7x7dbl, c, 7, 1);
    branch7x7dbl = conv2dBn(branch7x7dbl, 192, 1, 7);
    const branchPool = conv2dBn(avgPool(x), 192, 1, 1);
    x = concat([branch1x1, branch7x7, branch7x7dbl, branchPool], `mixed${i}`);
  }

  // mixed 8: 8 x 8 x 1280
  {
    let branch3x3 = conv2dBn(x, 192, 1, 1);
    branch3x3 = conv2dBn(branch3x3, 320, 3, 3, 'valid', [2, 2]);
    let branch7x7x3 = conv2dBn(x, 192, 1, 1);
    branch7x7x3 = conv2dBn(branch7x7x3, 192, 1, 7);
    branch7x7x3 = conv2dBn(branch7x7x3, 192, 7, 1);
    branch7x7x3 = conv2dBn(branch7x7x3, 192, 3, 3, 'valid', [2, 2]);
    const branchPool = maxPool(x);
    x = concat([branch3x3, branch7x7x3, branchPool], 'mixed8');
  }

  // mixed 9, 10: 8 x 8 x 2048
  for (const i of [0, 1]) {
    const branch1x1 = conv2dBn(x, 320, 1, 1);
    const branch3x3 = conv2dBn(x, 384, 1, 1);
    const branch3x3Split = concat([conv2dBn(branch3x3, 384, 1, 3), conv2dBn(branch3x3, 384, 3, 1)], `mixed9_${i}`);
    let branch3x3dbl = conv2dBn(x, 448, 1, 1);
    branch3x3dbl = conv2dBn(branch3x3dbl, 384, 3, 3);
    const branch3x3dblSplit = concat([conv2dBn(branch3x3dbl, 384, 1, 3), conv2dBn(branch3x3dbl, 384, 3, 1)]);
    const branchPool = conv2dBn(avgPool(x), 192, 1, 1);
    x = concat([branch1x1, branch3x3Split, branch3x3dblSplit, branchPool], `mixed${9 + i}`);
  }

  const out = addTop(x, o, {
    avg: o.includeTop ? 'avg_pool' : auto.next('global_average_pooling2d'),
    max: auto.next('global_max_pooling2d'),
    predictions: 'predictions',
  });
  return tfl.model({ inputs: input, outputs: out, name: o.name });
}
