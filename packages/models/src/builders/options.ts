// Builder options in Keras's terms (camelCased), their validation, and the pieces every builder shares:
// the input, the width multiplier, the classification top / pooling, and Keras-2.2-style auto names.
import * as tfl from '@tensorflow/tfjs-layers';
import { assertKnownKeys, didYouMean } from '@cxrkit/core';
import { fail } from '../errors.js';

/** Activations accepted for `classifierActivation` (tfjs-layers names; `null` = linear logits). */
export const CLASSIFIER_ACTIVATIONS = [
  'softmax',
  'sigmoid',
  'linear',
  'relu',
  'tanh',
  'softplus',
  'elu',
  'selu',
] as const;
export type ClassifierActivation = (typeof CLASSIFIER_ACTIVATIONS)[number];

/** Options of every builder, as in `keras.applications.*` (camelCased), plus `widthMultiplier`. */
export interface ModelOptions {
  /** [height, width, channels], channels 1 or 3; height/width ≥ the architecture's minimum. Default [224, 224, 3] (InceptionV3: [299, 299, 3]). */
  inputShape?: readonly [number, number, number];
  /** Keep the classifier top (global average pooling `avg_pool` + dense `classes`). Default true. */
  includeTop?: boolean;
  /** Pooling of the last feature map when `includeTop` is false. Default null (4-D feature map). */
  pooling?: 'avg' | 'max' | null;
  /** Classes of the top. Default 1000. */
  classes?: number;
  /** Activation of the top. Default 'softmax'; null = linear (logits). */
  classifierActivation?: ClassifierActivation | null;
  /**
   * Multiplies every convolution's filter count (DenseNet: growth rate and stem; ResNet: bottleneck
   * widths; InceptionV3: every branch) — `max(1, round(filters × m))`. Default 1 = the exact Keras
   * architecture. Small values (e.g. 1/16) give the same graph, layer names and depth with tiny weights,
   * for fast tests (like timm's `test_*` models).
   */
  widthMultiplier?: number;
  /** Name of the model. Default the registry key (e.g. 'inception_v3'). */
  name?: string;
  /** Name of the image input layer. Default Keras's 'input_1' (the screening model uses 'image'). */
  inputName?: string;
}

/** Options after validation and defaults. */
export interface ResolvedOptions {
  inputShape: [number, number, number];
  includeTop: boolean;
  pooling: 'avg' | 'max' | null;
  classes: number;
  classifierActivation: ClassifierActivation;
  widthMultiplier: number;
  name: string;
  inputName: string;
}

const KNOWN_OPTIONS = [
  'inputShape',
  'includeTop',
  'pooling',
  'classes',
  'classifierActivation',
  'widthMultiplier',
  'name',
  'inputName',
];

/** Validates builder options (unknown keys with "did you mean …?", shapes, ranges) and fills defaults. */
export function resolveOptions(
  modelName: string,
  options: ModelOptions | undefined,
  defaults: { size: number; minSize: number },
): ResolvedOptions {
  const o = options ?? {};
  if (typeof o !== 'object' || Array.isArray(o)) {
    fail(
      'MODEL_OPTION_INVALID',
      `options of '${modelName}' must be an object`,
      o,
      'pass e.g. { inputShape: [512, 512, 1], includeTop: false }',
    );
  }
  assertKnownKeys(o, KNOWN_OPTIONS, { code: 'MODEL_OPTION_UNKNOWN', pkg: 'models', where: `for '${modelName}'` });
  const inputShape = (o.inputShape ?? [defaults.size, defaults.size, 3]) as [number, number, number];
  if (!Array.isArray(inputShape) || inputShape.length !== 3 || !inputShape.every((d) => Number.isInteger(d) && d > 0)) {
    fail(
      'MODEL_INPUT_SHAPE_INVALID',
      `inputShape of '${modelName}' must be [height, width, channels] of positive integers`,
      inputShape,
      'pass e.g. [512, 512, 1]',
    );
  }
  const [h, w, c] = inputShape;
  if (h < defaults.minSize || w < defaults.minSize) {
    fail(
      'MODEL_INPUT_TOO_SMALL',
      `'${modelName}' needs inputs of at least ${defaults.minSize}×${defaults.minSize} pixels`,
      inputShape,
      `resize the images to ≥ ${defaults.minSize} (Keras's minimum for this architecture)`,
    );
  }
  if (c !== 1 && c !== 3) {
    fail(
      'MODEL_INPUT_CHANNELS',
      `inputShape of '${modelName}' must have 1 (gray) or 3 (RGB) channels`,
      inputShape,
      'use 1 for radiographs or 3 to stack gray into RGB for ImageNet-style weights',
    );
  }
  const includeTop = o.includeTop ?? true;
  if (typeof includeTop !== 'boolean')
    fail('MODEL_OPTION_INVALID', 'includeTop must be a boolean', includeTop, 'pass true or false');
  const pooling = o.pooling ?? null;
  if (pooling !== null && pooling !== 'avg' && pooling !== 'max') {
    const guess = typeof pooling === 'string' ? didYouMean(pooling, ['avg', 'max']) : undefined;
    fail(
      'MODEL_OPTION_INVALID',
      `pooling must be 'avg', 'max' or null${guess ? ` — did you mean '${guess}'?` : ''}`,
      pooling,
      "pass 'avg', 'max' or null",
    );
  }
  const classes = o.classes ?? 1000;
  if (!Number.isInteger(classes) || classes < 1)
    fail('MODEL_OPTION_INVALID', 'classes must be a positive integer', classes, 'pass e.g. classes: 2');
  const act =
    o.classifierActivation === undefined
      ? 'softmax'
      : o.classifierActivation === null
        ? 'linear'
        : o.classifierActivation;
  if (!(CLASSIFIER_ACTIVATIONS as readonly string[]).includes(act)) {
    const guess = typeof act === 'string' ? didYouMean(act, CLASSIFIER_ACTIVATIONS) : undefined;
    fail(
      'MODEL_OPTION_INVALID',
      `classifierActivation '${String(act)}' is not supported${guess ? ` — did you mean '${guess}'?` : ''}`,
      act,
      `use one of ${CLASSIFIER_ACTIVATIONS.join(', ')} or null`,
    );
  }
  const widthMultiplier = o.widthMultiplier ?? 1;
  if (typeof widthMultiplier !== 'number' || !(widthMultiplier > 0) || !Number.isFinite(widthMultiplier)) {
    fail(
      'MODEL_OPTION_INVALID',
      'widthMultiplier must be a positive number',
      widthMultiplier,
      'pass 1 for the real architecture or e.g. 0.0625 for a tiny test variant',
    );
  }
  const name = o.name ?? modelName;
  if (typeof name !== 'string' || name.length === 0)
    fail('MODEL_OPTION_INVALID', 'name must be a non-empty string', name, "pass e.g. 'backbone'");
  const inputName = o.inputName ?? 'input_1';
  if (typeof inputName !== 'string' || inputName.length === 0)
    fail('MODEL_OPTION_INVALID', 'inputName must be a non-empty string', inputName, "pass e.g. 'image'");
  return {
    inputShape: [h, w, c],
    includeTop,
    pooling,
    classes,
    classifierActivation: act as ClassifierActivation,
    widthMultiplier,
    name,
    inputName,
  };
}

/** Filters scaled by the width multiplier: max(1, round(f × m)); exact when m = 1. */
export function scaleFilters(filters: number, m: number): number {
  return m === 1 ? filters : Math.max(1, Math.round(filters * m));
}

/**
 * Standalone-Keras 2.2/2.3 auto-naming: each layer class has a counter starting at 1 in a fresh
 * session (`conv2d_1`, `batch_normalization_1`, …). Builders that rely on Keras's auto names
 * (InceptionV3 and DenseNet's unnamed ZeroPadding2D) take them from here, so names do not depend on
 * how many models tfjs has built in this process.
 */
export class KerasAutoNames {
  private readonly counts = new Map<string, number>();

  /** Next name for a layer class given in Keras snake case, e.g. `next('conv2d')` → 'conv2d_1'. */
  next(prefix: string): string {
    const n = (this.counts.get(prefix) ?? 0) + 1;
    this.counts.set(prefix, n);
    return `${prefix}_${n}`;
  }
}

/** Adds Keras's classification top or the optional pooling to the last feature map. */
export function addTop(
  x: tfl.SymbolicTensor,
  o: ResolvedOptions,
  names: { avg: string; max: string; predictions: string },
): tfl.SymbolicTensor {
  if (o.includeTop) {
    const pooled = tfl.layers.globalAveragePooling2d({ name: names.avg }).apply(x) as tfl.SymbolicTensor;
    return tfl.layers
      .dense({ units: o.classes, activation: o.classifierActivation, name: names.predictions })
      .apply(pooled) as tfl.SymbolicTensor;
  }
  if (o.pooling === 'avg') return tfl.layers.globalAveragePooling2d({ name: names.avg }).apply(x) as tfl.SymbolicTensor;
  if (o.pooling === 'max') return tfl.layers.globalMaxPooling2d({ name: names.max }).apply(x) as tfl.SymbolicTensor;
  return x;
}
