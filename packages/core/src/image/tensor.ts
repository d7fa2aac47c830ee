/**
 * The edge between typed arrays and TensorFlow.js: grayscale → 3 channels, and images → a
 * `[batch, height, width, channels]` float32 tensor. Only this file of the image module uses tfjs.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GrayImage } from './types.js';
import { CxrkitError } from '../errors.js';
import { checkImage } from './png.js';

/**
 * Interleaves a grayscale image into `channels` identical channels (row-major HWC), the way ImageNet
 * backbones expect 3-channel input for a gray radiograph. `channels` 1 returns a copy of the pixels.
 */
export function grayToChannels(image: GrayImage, channels: 1 | 3 = 3): Float32Array {
  checkImage(image);
  if (channels !== 1 && channels !== 3) {
    throw new CxrkitError('TENSOR_BAD_CHANNELS', 'channels must be 1 or 3', { received: channels, fix: 'pass 1 (gray) or 3 (stacked gray for ImageNet backbones)' });
  }
  const { data } = image;
  if (channels === 1) return data.slice();
  const out = new Float32Array(data.length * 3);
  for (let i = 0, j = 0; i < data.length; i++, j += 3) {
    const v = data[i]!;
    out[j] = v;
    out[j + 1] = v;
    out[j + 2] = v;
  }
  return out;
}

/**
 * Stacks same-sized images into one float32 tensor of shape `[images.length, height, width, channels]`
 * (a single image gives `[1, h, w, c]`). The caller owns (and must dispose) the tensor.
 */
export function imagesToTensor(images: GrayImage | readonly GrayImage[], options: { channels?: 1 | 3 } = {}): tf.Tensor4D {
  const list = Array.isArray(images) ? (images as readonly GrayImage[]) : [images as GrayImage];
  const channels = options.channels ?? 3;
  if (list.length === 0) throw new CxrkitError('TENSOR_EMPTY_BATCH', 'no images to stack', { received: 0, fix: 'pass at least one image' });
  const { width, height } = list[0]!;
  const per = width * height * channels;
  const buf = new Float32Array(per * list.length);
  list.forEach((img, b) => {
    checkImage(img, `images[${b}]`);
    if (img.width !== width || img.height !== height) {
      throw new CxrkitError('TENSOR_SIZE_MISMATCH', `images[${b}] is ${img.width}×${img.height}, images[0] is ${width}×${height}`, { received: [img.width, img.height], fix: 'resize all images to one size first (resizeBicubic)' });
    }
    buf.set(grayToChannels(img, channels), b * per);
  });
  return tf.tensor4d(buf, [list.length, height, width, channels], 'float32');
}

/** Alias of {@link imagesToTensor} for one image: `[1, h, w, channels]`. */
export function imageToTensor(image: GrayImage, options: { channels?: 1 | 3 } = {}): tf.Tensor4D {
  return imagesToTensor([image], options);
}
