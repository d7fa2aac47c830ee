// The screening model of the thesis (Figure 4.3): a backbone whose top is replaced by global average
// pooling, three dense layers with two dropouts between them, and optional demographic fusion — scalar
// inputs (age, sex, or an age model's prediction) concatenated with the pooled image features.
import type * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { didYouMean } from '@cxrkit/core';
import { fail } from './errors.js';
import { createModel, listModels, modelInfo } from './registry.js';
import type { ModelOptions } from './builders/options.js';

/** Prediction task: age regression (linear, MSE), binary screening (sigmoid, BCE), or n classes (softmax). */
export type ScreeningTask = 'regression' | 'binary' | { classes: number };

/** Demographic inputs that can be fused with the image features (each a [batch, 1] input of that name). */
export type FusionInput = 'age' | 'sex' | 'predictedAge';

/** The head after global average pooling: Dense(units[0]) → Dropout(rates[0]) → Dense(units[1]) → Dropout(rates[1]) → Dense(output). */
export interface ScreeningHead {
  /** Units of the two hidden dense layers (ReLU). Default [256, 128]. */
  units?: readonly [number, number];
  /** Dropout rates after each hidden dense layer. Default [0.5, 0.25]. */
  dropout?: readonly [number, number];
}

export interface ScreeningModelOptions {
  /** A registry key (built without top at `inputShape`) or an existing backbone model (its output is average-pooled if 4-D). */
  backbone: string | tfl.LayersModel;
  /** [height, width, channels] of the image input, for a registry backbone. Default the architecture's default size, 1 channel. */
  inputShape?: readonly [number, number, number];
  /** Extra builder options for a registry backbone (e.g. `{ widthMultiplier: 1 / 16 }` in tests). */
  backboneOptions?: Omit<ModelOptions, 'inputShape' | 'includeTop' | 'pooling' | 'inputName'>;
  /** Dense/dropout sizes. */
  head?: ScreeningHead;
  /** Default 'binary' (osteoporosis vs normal + osteopenia). */
  task?: ScreeningTask;
  /** Scalar inputs to concatenate with the pooled features: [], ['age'], ['sex'], ['age', 'sex'] or ['predictedAge']. Default []. */
  fusion?: readonly FusionInput[];
  /** Model name. Default 'screening_<backbone>'. */
  name?: string;
}

/**
 * Default head sizes. The thesis gives the layer types (GAP, three dense, two dropout) but not their
 * sizes; these are the sizes of the same Keras 2.2 InceptionV3 transfer head in the nsfwjs model
 * (dense 256 → dropout 0.5 → dense 128 → dropout 0.25 → output).
 */
export const DEFAULT_SCREENING_HEAD = { units: [256, 128], dropout: [0.5, 0.25] } as const;

const FUSION_INPUTS: readonly FusionInput[] = ['age', 'sex', 'predictedAge'];
const ALLOWED_FUSIONS = ['', 'age', 'sex', 'age,sex', 'predictedAge'];

/** Layer names of the screening head (what `applyFreezePolicy(model, 'head-only')` keeps trainable). */
export const SCREENING_HEAD_LAYERS = [
  'avg_pool',
  'fusion_concat',
  'head_dense_1',
  'head_dropout_1',
  'head_dense_2',
  'head_dropout_2',
  'head_output',
] as const;

/**
 * Builds the screening model: image input `image` [batch, h, w, c] (plus `age` / `sex` /
 * `predictedAge`, each [batch, 1], when fused) → backbone → `avg_pool` → [fusion_concat] →
 * head_dense_1 → head_dropout_1 → head_dense_2 → head_dropout_2 → `head_output` [batch, 1] (regression,
 * binary) or [batch, n] ({ classes: n }). Backbone layers keep their Keras names (e.g. InceptionV3's
 * `conv2d_86` … `conv2d_94` for Grad-CAM), flat in the same model.
 *
 * Fusion inputs are used as given: scale them like the image (e.g. age in years / 100, sex 0 = F, 1 = M).
 * Feed by name with `model.fit({ image, age }, y)` or `model.predict(screeningInputs(model, { image, age }))`.
 * Compile with {@link lossForTask}.
 */
export function buildScreeningModel(options: ScreeningModelOptions): tfl.LayersModel {
  if (options == null || typeof options !== 'object')
    fail(
      'SCREENING_OPTIONS_INVALID',
      'buildScreeningModel needs an options object',
      options,
      "pass e.g. { backbone: 'inception_v3', inputShape: [512, 512, 1], task: 'binary' }",
    );
  const task = options.task ?? 'binary';
  const outputUnits = taskUnits(task);
  const fusion = [...(options.fusion ?? [])];
  for (const f of fusion) {
    if (!FUSION_INPUTS.includes(f)) {
      const guess = typeof f === 'string' ? didYouMean(f, FUSION_INPUTS) : undefined;
      fail(
        'SCREENING_FUSION_INVALID',
        `unknown fusion input '${String(f)}'${guess ? ` — did you mean '${guess}'?` : ''}`,
        f,
        `use ${FUSION_INPUTS.join(', ')}`,
      );
    }
  }
  if (!ALLOWED_FUSIONS.includes(fusion.join(','))) {
    fail(
      'SCREENING_FUSION_INVALID',
      "fusion must be [], ['age'], ['sex'], ['age', 'sex'] or ['predictedAge']",
      fusion,
      'list age before sex, and use predictedAge alone',
    );
  }
  const units = options.head?.units ?? DEFAULT_SCREENING_HEAD.units;
  const rates = options.head?.dropout ?? DEFAULT_SCREENING_HEAD.dropout;
  if (units.length !== 2 || !units.every((u) => Number.isInteger(u) && u > 0))
    fail('SCREENING_HEAD_INVALID', 'head.units must be two positive integers', units, 'pass e.g. [256, 128]');
  if (rates.length !== 2 || !rates.every((r) => typeof r === 'number' && r >= 0 && r < 1))
    fail('SCREENING_HEAD_INVALID', 'head.dropout must be two rates in [0, 1)', rates, 'pass e.g. [0.5, 0.25]');

  let imageInput: tfl.SymbolicTensor;
  let features: tfl.SymbolicTensor;
  let backboneName: string;
  if (typeof options.backbone === 'string') {
    const info = modelInfo(options.backbone); // raises MODEL_UNKNOWN with did-you-mean
    const backbone = createModel(options.backbone, {
      ...options.backboneOptions,
      inputShape: options.inputShape ?? [info.defaultSize, info.defaultSize, 1],
      includeTop: false,
      pooling: null,
      inputName: 'image',
    });
    imageInput = backbone.inputs[0]!;
    features = backbone.outputs[0]!;
    backboneName = options.backbone;
  } else if (options.backbone instanceof tfl.LayersModel) {
    if (options.backbone.inputs.length !== 1 || options.backbone.outputs.length !== 1) {
      fail(
        'SCREENING_BACKBONE_INVALID',
        'a backbone model must have one input and one output',
        options.backbone.inputNames,
        'pass a single-input feature extractor (includeTop: false)',
      );
    }
    if (options.inputShape)
      fail(
        'SCREENING_OPTIONS_INVALID',
        'inputShape applies only to a registry backbone; a model backbone keeps its own input',
        options.inputShape,
        'drop inputShape',
      );
    imageInput = options.backbone.inputs[0]!;
    features = options.backbone.outputs[0]!;
    backboneName = options.backbone.name;
  } else {
    fail(
      'SCREENING_BACKBONE_INVALID',
      'backbone must be a registry name or a tf.LayersModel',
      options.backbone,
      `use one of ${listModels().join(', ')}`,
    );
  }

  let x = features;
  if (x.rank === 4) x = tfl.layers.globalAveragePooling2d({ name: 'avg_pool' }).apply(x) as tfl.SymbolicTensor;
  else if (x.rank !== 2)
    fail(
      'SCREENING_BACKBONE_INVALID',
      `backbone output must be [batch, h, w, c] or [batch, c], got rank ${x.rank}`,
      x.shape,
      'use a backbone without its classification top',
    );

  const extra = fusion.map((name) => tfl.input({ shape: [1], name }));
  if (extra.length > 0)
    x = tfl.layers.concatenate({ axis: -1, name: 'fusion_concat' }).apply([x, ...extra]) as tfl.SymbolicTensor;
  x = tfl.layers.dense({ units: units[0], activation: 'relu', name: 'head_dense_1' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.dropout({ rate: rates[0], name: 'head_dropout_1' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.dense({ units: units[1], activation: 'relu', name: 'head_dense_2' }).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers.dropout({ rate: rates[1], name: 'head_dropout_2' }).apply(x) as tfl.SymbolicTensor;
  const activation = task === 'regression' ? 'linear' : task === 'binary' ? 'sigmoid' : 'softmax';
  const out = tfl.layers.dense({ units: outputUnits, activation, name: 'head_output' }).apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: [imageInput, ...extra], outputs: out, name: options.name ?? `screening_${backboneName}` });
}

function taskUnits(task: ScreeningTask): number {
  if (task === 'regression' || task === 'binary') return 1;
  if (task && typeof task === 'object' && Number.isInteger(task.classes) && task.classes >= 2) return task.classes;
  const guess = typeof task === 'string' ? didYouMean(task, ['regression', 'binary']) : undefined;
  return fail(
    'SCREENING_TASK_INVALID',
    `unknown task${guess ? ` — did you mean '${guess}'?` : ''}`,
    task,
    "use 'regression', 'binary' or { classes: n } with n ≥ 2",
  );
}

/** The Keras loss for a task: 'meanSquaredError' (regression), 'binaryCrossentropy', 'categoricalCrossentropy'. */
export function lossForTask(
  task: ScreeningTask,
): 'meanSquaredError' | 'binaryCrossentropy' | 'categoricalCrossentropy' {
  taskUnits(task);
  return task === 'regression'
    ? 'meanSquaredError'
    : task === 'binary'
      ? 'binaryCrossentropy'
      : 'categoricalCrossentropy';
}

/**
 * Orders named inputs for `model.predict` / `model.evaluate`: `image` goes to the model's first input,
 * every other key to the input of that name (`age`, `sex`, `predictedAge`). Missing or unexpected
 * keys raise `SCREENING_INPUT_MISSING` / `SCREENING_INPUT_UNKNOWN`.
 */
export function screeningInputs(
  model: tfl.LayersModel,
  inputs: { image: tf.Tensor } & Partial<Record<FusionInput, tf.Tensor>>,
): tf.Tensor[] {
  const names = model.inputNames;
  const byName = new Map<string, tf.Tensor>();
  for (const [k, v] of Object.entries(inputs)) {
    if (v === undefined) continue;
    const target = k === 'image' ? names[0]! : k;
    if (!names.includes(target)) {
      fail(
        'SCREENING_INPUT_UNKNOWN',
        `the model has no input '${k}'`,
        k,
        `pass ${['image', ...names.slice(1)].join(', ')}`,
      );
    }
    byName.set(target, v);
  }
  return names.map((n, i) => {
    const t = byName.get(n);
    if (!t)
      fail(
        'SCREENING_INPUT_MISSING',
        `input '${i === 0 ? 'image' : n}' is missing`,
        Object.keys(inputs),
        `pass { ${['image', ...names.slice(1)].join(', ')} }`,
      );
    return t;
  });
}
