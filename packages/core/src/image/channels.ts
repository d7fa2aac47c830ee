// Grayscale → the model's channel layout, on typed arrays (no tensors: usable without TensorFlow.js).
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
    throw new CxrkitError('TENSOR_BAD_CHANNELS', 'channels must be 1 or 3', {
      received: channels,
      fix: 'pass 1 (gray) or 3 (stacked gray for ImageNet backbones)',
    });
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
