// From samples to tensors: the random-access source, batch assembly (gray → the model's channels, fusion
// inputs by name), and the check that a sample fits the model.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { CxrkitError } from '@cxrkit/core';
import type { SampleInput, SampleSource, TrainingSample } from './types.js';

/** Wraps an array of samples as a {@link SampleSource}; validates a source. */
export function asSource(input: SampleInput, role: 'train' | 'tune'): SampleSource {
  if (Array.isArray(input)) {
    const arr = input as readonly TrainingSample[];
    return { size: arr.length, get: (i) => arr[i]!, target: (i) => arr[i]!.target };
  }
  const src = input as SampleSource;
  if (src == null || typeof src !== 'object' || typeof src.get !== 'function' || !Number.isInteger(src.size)) {
    throw new CxrkitError('TRAIN_DATA_INVALID', `the ${role} set must be an array of samples or { size, get(index) }`, {
      received: src,
      fix: `pass ${role}: [{ image, target }, …] or an object with a size and a get(index) method`,
      pkg: 'models',
    });
  }
  return src;
}

/** Reads the target of sample `i` (cheaply when the source offers `target`). */
export async function targetOf(src: Source, i: number): Promise<number> {
  return src.target ? src.target(i) : (await src.get(i)).target;
}

/** How the model's inputs are fed: which one is the image, its size, and the named scalar inputs. */
export interface InputLayout {
  imageIndex: number;
  height: number;
  width: number;
  channels: number;
  names: string[];
}

/** Finds the image input (the rank-4 one) and the scalar inputs of `model`. */
export function inputLayout(model: tfl.LayersModel): InputLayout {
  const imageIndex = model.inputs.findIndex((t) => t.shape.length === 4);
  if (imageIndex < 0) {
    throw new CxrkitError('TRAIN_MODEL_INVALID', 'the model has no image input of shape [batch, h, w, c]', {
      received: model.inputs.map((t) => t.shape),
      fix: 'train an image model (e.g. one from buildScreeningModel)',
      pkg: 'models',
    });
  }
  const [, h, w, c] = model.inputs[imageIndex]!.shape;
  if (!h || !w || !c) {
    throw new CxrkitError('TRAIN_MODEL_INVALID', 'the image input needs a fixed height, width and channel count', {
      received: model.inputs[imageIndex]!.shape,
      fix: 'build the model with inputShape: [h, w, c]',
      pkg: 'models',
    });
  }
  return { imageIndex, height: h, width: w, channels: c, names: model.inputNames };
}

/** Any sample the trainer batches: an image sample, or a row of the feature cache. */
export interface TargetSample {
  target: number;
}

/** A random-access source of samples of any kind (images, or rows of the feature cache). */
export interface Source<S extends TargetSample = TargetSample> {
  readonly size: number;
  get(index: number): S | Promise<S>;
  target?(index: number): number;
}

/** How a run turns a batch of samples into the model's input tensors (in `model.inputs` order) and targets. */
export interface BatchFeed<S extends TargetSample = TargetSample> {
  tensors(samples: readonly S[], indices: readonly number[]): { inputs: tf.Tensor[]; y: tf.Tensor2D };
}

/** The feed of image samples: {@link batchTensors} for `layout`. */
export function imageFeed(layout: InputLayout): BatchFeed<TrainingSample> {
  return { tensors: (samples, indices) => batchTensors(layout, samples, indices) };
}

/** Calls `model` on its input tensors (one tensor for a single-input model). */
export function applyModel(model: tfl.LayersModel, inputs: readonly tf.Tensor[], training: boolean): tf.Tensor {
  return model.apply(inputs.length === 1 ? inputs[0]! : [...inputs], { training }) as tf.Tensor;
}

/**
 * Checks a batch of samples against the model (image size, numeric finite targets, pixels and fusion
 * inputs) and lays them out as the model's inputs: the image `[n·h·w·c]` (gray stacked to `c`
 * channels) and each scalar input `[n]`, in `layout.names` order, plus the targets.
 */
export function batchArrays(
  layout: InputLayout,
  samples: readonly TrainingSample[],
  indices: readonly number[],
): { arrays: Float32Array[]; y: Float32Array } {
  const n = samples.length;
  const { height: h, width: w, channels: c } = layout;
  const img = new Float32Array(n * h * w * c);
  const y = new Float32Array(n);
  const scalars = layout.names.map(() => new Float32Array(n));
  for (let b = 0; b < n; b++) {
    const s = samples[b]!;
    const im = s?.image;
    if (!im || im.width !== w || im.height !== h || !(im.data?.length === w * h)) {
      throw new CxrkitError(
        'TRAIN_SAMPLE_SHAPE',
        `sample ${indices[b]} is not a ${w}×${h} one-channel image as the model's input requires`,
        {
          received: im ? { width: im.width, height: im.height, length: im.data?.length } : s,
          fix: `resize images to ${w}×${h} (resizeBicubic from @cxrkit/core) before training`,
          pkg: 'models',
        },
      );
    }
    if (typeof s.target !== 'number') {
      throw new CxrkitError('TRAIN_SAMPLE_TARGET', `sample ${indices[b]} has no numeric target`, {
        received: s.target,
        fix: 'give every sample a number target (0/1 or the value to regress)',
        pkg: 'models',
      });
    }
    if (!Number.isFinite(s.target)) {
      throw new CxrkitError('TRAIN_SAMPLE_NOT_FINITE', `sample ${indices[b]} has a non-finite target`, {
        received: s.target,
        fix: 'fix or drop that sample’s label',
        pkg: 'models',
      });
    }
    // A NaN pixel would not always surface as a NaN loss (e.g. wasm's ReLU maps NaN to 0) but would
    // poison BatchNorm statistics silently: refuse it here, on every backend.
    for (let p = 0; p < im.data.length; p++) {
      if (!Number.isFinite(im.data[p]!)) {
        throw new CxrkitError(
          'TRAIN_SAMPLE_NOT_FINITE',
          `sample ${indices[b]} has a non-finite pixel at (${p % w}, ${Math.floor(p / w)})`,
          {
            received: im.data[p],
            fix: 'check the preprocessing of that image (a constant image after z-scoring?)',
            pkg: 'models',
          },
        );
      }
    }
    y[b] = s.target;
    const base = b * h * w * c;
    if (c === 1) img.set(im.data, base);
    else for (let p = 0; p < h * w; p++) for (let k = 0; k < c; k++) img[base + p * c + k] = im.data[p]!;
    layout.names.forEach((name, i) => {
      if (i === layout.imageIndex) return;
      const v = s.inputs?.[name];
      if (typeof v !== 'number') {
        throw new CxrkitError('TRAIN_INPUT_MISSING', `sample ${indices[b]} lacks the model input '${name}'`, {
          received: s.inputs,
          fix: `give every sample inputs: { ${layout.names.filter((_, j) => j !== layout.imageIndex).join(', ')} }`,
          pkg: 'models',
        });
      }
      if (!Number.isFinite(v)) {
        throw new CxrkitError('TRAIN_SAMPLE_NOT_FINITE', `sample ${indices[b]} has a non-finite input '${name}'`, {
          received: v,
          fix: 'fix or drop that sample',
          pkg: 'models',
        });
      }
      scalars[i]![b] = v;
    });
  }
  return { arrays: layout.names.map((_, i) => (i === layout.imageIndex ? img : scalars[i]!)), y };
}

/** Stacks samples into the model's input tensors ([n, h, w, c] image, [n, 1] scalars) and a [n, 1] target. */
export function batchTensors(
  layout: InputLayout,
  samples: readonly TrainingSample[],
  indices: readonly number[],
): { inputs: tf.Tensor[]; y: tf.Tensor2D } {
  const { arrays, y } = batchArrays(layout, samples, indices);
  const n = samples.length;
  const { height: h, width: w, channels: c } = layout;
  const inputs = arrays.map((a, i) =>
    i === layout.imageIndex ? tf.tensor4d(a, [n, h, w, c]) : tf.tensor2d(a, [n, 1]),
  );
  return { inputs, y: tf.tensor2d(y, [n, 1]) };
}
