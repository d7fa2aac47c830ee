// Model weights to and from the tensors of a checkpoint.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { fail } from '../errors.js';
import type { StoredTensor } from './checkpoint.js';

/**
 * The values of `vars` as checkpoint tensors named `<prefix>/<i>/<weight name>`. Read with data(), not
 * dataSync(): the webgpu backend cannot read synchronously in Node.
 */
export async function readVariables(vars: readonly tfl.LayerVariable[], prefix: string): Promise<StoredTensor[]> {
  return Promise.all(
    vars.map(async (v, i) => {
      const t = v.read();
      const data = (await t.data()) as Float32Array;
      return {
        name: `${prefix}/${i}/${v.originalName ?? v.name}`,
        shape: [...t.shape],
        dtype: 'float32' as const,
        data,
      };
    }),
  );
}

/**
 * Writes checkpoint tensors into `vars` (same count and shapes, in order).
 * @throws CxrkitError CHECKPOINT_MISMATCH naming the weight and `where` when they do not fit.
 */
export function writeVariables(
  vars: readonly tfl.LayerVariable[],
  tensors: readonly StoredTensor[],
  where: string,
): void {
  if (tensors.length !== vars.length) {
    fail(
      'CHECKPOINT_MISMATCH',
      `${where} holds ${tensors.length} model weights, the model has ${vars.length}`,
      tensors.length,
      'resume with the same architecture and options that wrote the checkpoint',
    );
  }
  vars.forEach((v, i) => {
    const t = tensors[i]!;
    if (t.shape.join(',') !== v.shape.join(',')) {
      fail(
        'CHECKPOINT_MISMATCH',
        `weight ${i} (${v.originalName ?? v.name}) has shape [${v.shape}] in the model but [${t.shape}] in ${where}`,
        t.name,
        'resume with the same architecture and input size that wrote the checkpoint',
      );
    }
  });
  tf.tidy(() => vars.forEach((v, i) => v.write(tf.tensor(tensors[i]!.data, tensors[i]!.shape, 'float32'))));
}
