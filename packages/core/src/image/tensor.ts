/**
 * The edge between typed arrays and TensorFlow.js: images → a `[batch, height, width, channels]`
 * float32 tensor. Only this file of the image module uses tfjs.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GrayImage } from './types.js';
import { CxrkitError } from '../errors.js';
import { checkImage } from './png.js';
import { grayToChannels } from './channels.js';

/**
 * Stacks same-sized images into one float32 tensor of shape `[images.length, height, width, channels]`
 * (a single image gives `[1, h, w, c]`). The caller owns (and must dispose) the tensor.
 */
export function imagesToTensor(
  images: GrayImage | readonly GrayImage[],
  options: { channels?: 1 | 3 } = {},
): tf.Tensor4D {
  const list = Array.isArray(images) ? (images as readonly GrayImage[]) : [images as GrayImage];
  const channels = options.channels ?? 3;
  if (list.length === 0)
    throw new CxrkitError('TENSOR_EMPTY_BATCH', 'no images to stack', { received: 0, fix: 'pass at least one image' });
  const { width, height } = list[0]!;
  const per = width * height * channels;
  const buf = new Float32Array(per * list.length);
  list.forEach((img, b) => {
    checkImage(img, `images[${b}]`);
    if (img.width !== width || img.height !== height) {
      throw new CxrkitError(
        'TENSOR_SIZE_MISMATCH',
        `images[${b}] is ${img.width}×${img.height}, images[0] is ${width}×${height}`,
        { received: [img.width, img.height], fix: 'resize all images to one size first (resizeBicubic)' },
      );
    }
    buf.set(grayToChannels(img, channels), b * per);
  });
  return tf.tensor4d(buf, [list.length, height, width, channels], 'float32');
}

/** Alias of {@link imagesToTensor} for one image: `[1, h, w, channels]`. */
export function imageToTensor(image: GrayImage, options: { channels?: 1 | 3 } = {}): tf.Tensor4D {
  return imagesToTensor([image], options);
}
