/**
 * Grad-CAM (Selvaraju et al. 2017) on any tfjs-layers model: branching graphs (Inception, DenseNet,
 * ResNet), backbones nested inside a screening model, fusion models with extra inputs (age, sex).
 *
 *   α_k = mean over (i, j) of ∂score/∂A_k(i, j)      (per image, per channel k of the layer)
 *   map = ReLU(Σ_k α_k A_k), bilinearly upsampled to the image input's size
 *
 * How: the graph is re-executed node by node (see graph.ts) with a zero tensor ε_l added to each target
 * layer's output. ∂score/∂ε_l is then the *total* derivative of the score with respect to that layer's
 * activation (through every branch downstream, including other target layers), so one forward and one
 * backward pass serve any number of layers. Only input-gradients are taken (no weight gradients).
 *
 * Data flow: tensor batch → model → score → Grad-CAM heat maps → overlays / CAM atlas.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { CxrkitError, didYouMean, resize } from '@cxrkit/core';
import { lacksFilterGradient, registerGradientFixes, unfusedConv2d } from '@cxrkit/tfjs-ext/base';
import {
  executeGraph,
  findLayer,
  inputNames,
  layerFeedsOutput,
  outputLayer,
  outputNames,
  type GraphLayer,
  type LayerLocation,
} from './graph.js';
import type { Heatmap } from './heatmap.js';

/** What the gradient is taken of. */
export type GradCamTarget =
  /** Single-unit sigmoid (or two-unit softmax) output: the positive class (default) or the negative. */
  | { task: 'binary'; class?: 'positive' | 'negative'; output?: string | number }
  /** Softmax output: a class index, or each image's predicted (arg-max) class. */
  | { task: 'multiclass'; class: number | 'predicted'; output?: string | number }
  /** Regression output (e.g. age): +1 explains "higher", −1 explains "lower". `unit` picks a column. */
  | { task: 'regression'; sign?: 1 | -1; unit?: number; output?: string | number };

/** Shorthands: a class index (multiclass), `'positive'`/`'negative'` (binary), `'predicted'`. */
export type GradCamTargetLike = GradCamTarget | number | 'positive' | 'negative' | 'predicted';

/** Model inputs: one tensor, an array in the model's input order, or a record keyed by input name. */
export type GradCamInputs = tf.Tensor | tf.Tensor[] | Record<string, tf.Tensor>;

export interface GradCamOptions {
  /**
   * One or more layer names (Keras names such as `conv2d_94` or `mixed10`; `backbone/conv2d_94` when a
   * name occurs in several nested models). Several layers are averaged, as the thesis averaged the nine
   * convolutions of InceptionV3's `mixed10` (`conv2d_86` … `conv2d_94`).
   */
  layers: string | string[];
  /** Default: binary-positive for a 1-unit sigmoid output, regression +1 for a 1-unit linear output, the predicted class otherwise. */
  target?: GradCamTargetLike;
  /**
   * Scale each layer's map to max 1 (per image) before averaging several layers. Default false: the
   * maps keep their magnitude, so a layer with little evidence weighs little (a normalised average
   * lets a near-zero layer count as much as the decisive one).
   */
  normalizeEach?: boolean;
  /** `'input'` (default): the image input's height × width; `'layer'`: the layer's own grid; or `[height, width]`. */
  size?: 'input' | 'layer' | [number, number];
  /**
   * `'logit'` (default, as in Grad-CAM): the score before a final sigmoid/softmax, so saturated
   * probabilities do not zero the gradients; `'output'`: the model's output as it is.
   */
  score?: 'logit' | 'output';
  /** Which input is the image (name or index), for `size: 'input'`. Default: the first rank-4 input. */
  imageInput?: string | number;
}

/** Everything Grad-CAM computed, for callers who need more than the final maps. */
export interface GradCamResult {
  /** One heat map per image (mean over layers). */
  heatmaps: Heatmap[];
  /** `perLayer[l][b]`: the map of layer `l` for image `b`, at the output size, before averaging/normalising. */
  perLayer: Heatmap[][];
  /** The score whose gradient was taken, per image (logit or output, signed as asked). */
  scores: number[];
  /** The class explained, per image (the unit index for regression, 1/0 for binary positive/negative). */
  classes: number[];
  /** Paths of the layers used, in order. */
  layers: string[];
}

const TASKS = ['binary', 'multiclass', 'regression'] as const;

function gcError(code: string, message: string, received: unknown, fix: string): CxrkitError {
  return new CxrkitError(code, message, { pkg: 'gradcam', received, fix });
}

/** `GRADCAM_LAYER_NOT_ON_PATH` for the layers at `paths` (of the requested `names`). */
function notOnPathError(paths: string[], names: string[], cause?: unknown): CxrkitError {
  return new CxrkitError(
    'GRADCAM_LAYER_NOT_ON_PATH',
    `layer(s) ${paths.join(', ')} do not lead to the explained output`,
    {
      pkg: 'gradcam',
      received: names,
      fix: 'pick layers between the image input and the explained output (for a multi-output model, set target.output)',
      cause,
    },
  );
}

/**
 * Grad-CAM heat maps, one per image of the batch: `{ data: Float32Array, width, height }`, values ≥ 0,
 * at the image input's size (bilinear, half-pixel centres) unless `size` says otherwise.
 *
 * @param model a tfjs-layers model (functional or sequential, possibly with nested sub-models and several inputs)
 * @param inputs the batch: image tensor `[batch, h, w, c]`, or all inputs (array or `{ image, age, sex }`)
 * @param options `layers` (required) and `target`; see {@link GradCamOptions}
 *
 * No test-time augmentation (no flips): a flipped chest puts the heart on the wrong side.
 * Leaves no tensors behind.
 */
export function gradCam(model: LayersModel, inputs: GradCamInputs, options: GradCamOptions): Heatmap[] {
  return gradCamDetailed(model, inputs, options).heatmaps;
}

/** {@link gradCam} with per-layer maps, scores and explained classes. */
export function gradCamDetailed(model: LayersModel, inputs: GradCamInputs, options: GradCamOptions): GradCamResult {
  const m = checkModel(model);
  if (options == null || options.layers == null || (Array.isArray(options.layers) && options.layers.length === 0)) {
    throw gcError(
      'GRADCAM_NO_LAYERS',
      'options.layers is required',
      options?.layers,
      'name the conv layer(s) to explain, e.g. { layers: "conv2d_94" } or the nine convs of mixed10',
    );
  }
  const names = Array.isArray(options.layers) ? options.layers : [options.layers];
  const targets = names.map((n) => findLayer(m, n));
  const dup = targets.find((t, i) => targets.findIndex((u) => u.layer === t.layer) !== i);
  if (dup)
    throw gcError(
      'GRADCAM_LAYER_DUPLICATE',
      `layer "${dup.path}" is listed twice in options.layers`,
      names,
      'list each layer once (a layer listed twice would weigh double in the average)',
    );
  const xs = orderInputs(m, inputs);
  const batch = xs[0]!.shape[0]!;
  const outIndex = resolveOutput(m, options.target);
  const [outH, outW] = resolveSize(m, xs, options);
  const scoreMode = options.score ?? 'logit';
  if (scoreMode !== 'logit' && scoreMode !== 'output') {
    throw gcError(
      'GRADCAM_BAD_OPTION',
      'options.score must be "logit" or "output"',
      scoreMode,
      'use score: "logit" (default) or "output"',
    );
  }
  // checked before any gradient is taken: tfjs leaks the recorded tape when asked for the gradient of
  // an output with respect to something that does not lead to it
  const unreachable = targets.filter((t) => !layerFeedsOutput(m, outIndex, t.layer)).map((t) => t.path);
  if (unreachable.length > 0) throw notOnPathError(unreachable, names);
  const shapes = targetShapes(m, xs, targets);
  const headLayer = outputLayer(m, outIndex);
  const squashed = activationName(headLayer) !== null;
  const logitLayer = scoreMode === 'logit' && squashed ? headLayer : null;

  // tfjs 4.22's AvgPool gradient is wrong at the borders of 'same' pools (InceptionV3's branch pools):
  // the fix of @cxrkit/tfjs-ext, registered for every backend (idempotent).
  registerGradientFixes();
  // tfjs' fused conv2d always computes its filter gradient; a backend without Conv2DBackpropFilter
  // (stock wasm) can still run Grad-CAM, which needs input gradients only, through plain conv2d.
  const unfuseConv = lacksFilterGradient();
  const kept: tf.Tensor[] = [];
  try {
    let classes: number[] = [];
    const { grads, activations, scores } = tf.tidy(() => {
      const eps = shapes.map((s) => tf.zeros([batch, ...s]));
      const acts: (tf.Tensor | undefined)[] = targets.map(() => undefined);
      let perImage: tf.Tensor | undefined;
      const f = (...e: tf.Tensor[]): tf.Scalar => {
        const outs = executeGraph(m, xs, {
          onOutput: (layer, outs) => {
            const k = targets.findIndex((t) => t.layer === layer);
            if (k < 0) return outs;
            if (acts[k] !== undefined) {
              throw gcError(
                'GRADCAM_LAYER_SHARED',
                `layer "${targets[k]!.path}" is called more than once in the graph`,
                targets[k]!.path,
                'pick a layer that is applied once (not a shared layer)',
              );
            }
            const a = tf.keep(outs[0]!);
            kept.push(a);
            acts[k] = a;
            return [tf.add(a, e[k]!), ...outs.slice(1)];
          },
          override: (layer, ins, kwargs) => {
            if (layer === logitLayer) return callWithoutActivation(layer, ins, kwargs);
            return unfuseConv ? unfusedConv2d(layer, ins) : null;
          },
        });
        const y = outs[outIndex]!;
        const sel = selectScore(y, options.target, squashed);
        classes = sel.classes;
        perImage = tf.keep(sel.perImage);
        kept.push(perImage);
        return tf.sum(sel.perImage) as tf.Scalar;
      };
      let grads: tf.Tensor[];
      try {
        grads = tf.valueAndGrads(f)(eps).grads;
      } catch (e) {
        const missing = targets.filter((_, k) => acts[k] === undefined).map((t) => t.path);
        if (missing.length > 0 || /Cannot compute gradient/.test(String((e as Error)?.message)))
          throw notOnPathError(missing.length ? missing : names, names, e);
        throw e;
      }
      const unreached = targets.filter((_, k) => acts[k] === undefined || grads[k] == null).map((t) => t.path);
      if (unreached.length > 0) throw notOnPathError(unreached, names);
      return { grads: grads.map((g) => tf.keep(g)), activations: acts, scores: perImage! };
    });
    kept.push(...grads);
    const perLayer = targets.map((t, l) => {
      const a = activations[l]!;
      return camMaps(a, grads[l]!, outH, outW, options.size === 'layer');
    });
    const { width, height } = perLayer[0]![0]!;
    if (perLayer.some((maps) => maps[0]!.width !== width || maps[0]!.height !== height)) {
      throw gcError(
        'GRADCAM_LAYER_SIZES_DIFFER',
        'size: "layer" needs layers of one spatial size to average',
        perLayer.map((maps) => [maps[0]!.height, maps[0]!.width]),
        'use size: "input" (default) or [height, width] to average layers of different sizes',
      );
    }
    const heatmaps: Heatmap[] = [];
    for (let b = 0; b < batch; b++) {
      const data = new Float32Array(width * height);
      for (const maps of perLayer) {
        const src = maps[b]!.data;
        let scale = 1;
        if (options.normalizeEach) {
          let max = 0;
          for (const v of src) if (v > max) max = v;
          scale = max > 0 ? 1 / max : 0;
        }
        for (let i = 0; i < data.length; i++) data[i] += (src[i]! * scale) / perLayer.length;
      }
      heatmaps.push({ data, width, height });
    }
    return { heatmaps, perLayer, scores: Array.from(scores.dataSync()), classes, layers: targets.map((t) => t.path) };
  } finally {
    for (const t of kept) t.dispose();
  }
}

/** ReLU(Σ_k α_k A_k) per image, resized to outH × outW (skipped when `atLayer`). */
function camMaps(a: tf.Tensor, g: tf.Tensor, outH: number, outW: number, atLayer: boolean): Heatmap[] {
  const [batch, h, w] = a.shape as number[];
  const cam = tf.tidy(() => {
    const alpha = tf.mean(g, [1, 2], true);
    return tf.relu(tf.sum(tf.mul(a, alpha), -1));
  });
  const all = cam.dataSync() as Float32Array;
  cam.dispose();
  const maps: Heatmap[] = [];
  for (let b = 0; b < batch!; b++) {
    const map: Heatmap = { data: all.slice(b * h! * w!, (b + 1) * h! * w!), width: w!, height: h! };
    maps.push(
      atLayer || (h === outH && w === outW)
        ? map
        : resize(map, { width: outW, height: outH, filter: 'bilinear', antialias: false }),
    );
  }
  return maps;
}

function checkModel(model: unknown): GraphLayer {
  const m = model as Partial<GraphLayer> & { layers?: unknown };
  if (m == null || typeof m.getClassName !== 'function' || !Array.isArray(m.layers)) {
    throw gcError(
      'GRADCAM_NOT_A_MODEL',
      'gradCam needs a tfjs-layers model (tf.model(...) or tf.sequential(...))',
      model,
      'pass a LayersModel; for a graph model (tfjs-converter) convert it to a layers model first',
    );
  }
  return model as GraphLayer;
}

function orderInputs(model: GraphLayer, inputs: GradCamInputs): tf.Tensor[] {
  const names = inputNames(model);
  let xs: tf.Tensor[];
  if (inputs instanceof tf.Tensor) xs = [inputs];
  else if (Array.isArray(inputs)) xs = inputs;
  else if (inputs && typeof inputs === 'object') {
    const keys = Object.keys(inputs);
    xs = names.map((n) => {
      const t = (inputs as Record<string, tf.Tensor>)[n];
      if (!(t instanceof tf.Tensor)) {
        const unknown = keys.find((k) => !names.includes(k));
        const guess = unknown ? didYouMean(unknown, names) : undefined;
        throw gcError(
          'GRADCAM_INPUT_MISSING',
          `no tensor for model input "${n}"`,
          keys,
          guess ? `did you mean "${guess}" for "${unknown}"?` : `pass { ${names.join(', ')} }`,
        );
      }
      return t;
    });
  } else
    throw gcError(
      'GRADCAM_BAD_INPUTS',
      'inputs must be a tensor, an array of tensors or a record of tensors',
      inputs,
      `pass the batch as [batch, h, w, c] (and ${names.slice(1).join(', ') || 'no other inputs'})`,
    );
  if (xs.length !== names.length) {
    throw gcError(
      'GRADCAM_INPUT_COUNT',
      `the model takes ${names.length} input(s) (${names.join(', ')}), got ${xs.length}`,
      xs.length,
      `pass ${names.join(', ')} as an array or a record`,
    );
  }
  const batch = xs[0]!.shape[0];
  if (!xs.every((x) => x instanceof tf.Tensor && x.shape[0] === batch) || !batch) {
    throw gcError(
      'GRADCAM_BATCH_MISMATCH',
      'every input needs the same, non-zero batch size',
      xs.map((x) => x?.shape),
      'stack the same images/patients in every input',
    );
  }
  return xs;
}

function resolveOutput(model: GraphLayer, target: GradCamTargetLike | undefined): number {
  const names = outputNames(model);
  const out = typeof target === 'object' ? target.output : undefined;
  if (out === undefined) return 0;
  if (typeof out === 'number') {
    if (Number.isInteger(out) && out >= 0 && out < names.length) return out;
  } else {
    const i = names.indexOf(out);
    if (i >= 0) return i;
  }
  const guess = typeof out === 'string' ? didYouMean(out, names) : undefined;
  throw gcError(
    'GRADCAM_OUTPUT_NOT_FOUND',
    'target.output names no output of the model',
    out,
    guess ? `did you mean "${guess}"?` : `use one of ${names.map((n) => `"${n}"`).join(', ')}`,
  );
}

function resolveSize(model: GraphLayer, xs: tf.Tensor[], options: GradCamOptions): [number, number] {
  const size = options.size ?? 'input';
  if (Array.isArray(size)) {
    if (size.length === 2 && size.every((v) => Number.isInteger(v) && v > 0)) return [size[0], size[1]];
    throw gcError(
      'GRADCAM_BAD_OPTION',
      'options.size must be "input", "layer" or [height, width] in pixels',
      size,
      'e.g. size: [299, 299]',
    );
  }
  if (size === 'layer') return [0, 0];
  if (size !== 'input')
    throw gcError(
      'GRADCAM_BAD_OPTION',
      'options.size must be "input", "layer" or [height, width]',
      size,
      'use size: "input" (default)',
    );
  const names = inputNames(model);
  let k: number;
  if (options.imageInput === undefined) k = xs.findIndex((x) => x.rank === 4);
  else if (typeof options.imageInput === 'number') k = options.imageInput;
  else k = names.indexOf(options.imageInput);
  const x = xs[k];
  if (!x || x.rank !== 4) {
    throw gcError(
      'GRADCAM_NO_IMAGE_INPUT',
      'could not find the image input ([batch, h, w, c])',
      options.imageInput ?? names,
      `set imageInput to one of ${names.map((n) => `"${n}"`).join(', ')}, or size: [h, w]`,
    );
  }
  return [x.shape[1]!, x.shape[2]!];
}

/** Per-sample output shape of each target layer; runs one probe pass if a shape is not static. */
function targetShapes(model: GraphLayer, xs: tf.Tensor[], targets: LayerLocation[]): number[][] {
  const shapes = targets.map((t) => {
    const s = t.layer.outputShape as (number | null)[] | (number | null)[][] | undefined;
    if (!Array.isArray(s) || Array.isArray(s[0])) return null;
    const rest = (s as (number | null)[]).slice(1);
    return rest.every((v) => typeof v === 'number') ? (rest as number[]) : null;
  });
  if (shapes.some((s) => s === null)) {
    tf.tidy(() => {
      executeGraph(model, xs, {
        onOutput: (layer, outs) => {
          const k = targets.findIndex((t) => t.layer === layer);
          if (k >= 0 && shapes[k] === null) shapes[k] = outs[0]!.shape.slice(1);
          return outs;
        },
      });
    });
  }
  return shapes.map((s, k) => {
    if (s === null || s.length !== 3) {
      throw gcError(
        'GRADCAM_LAYER_NOT_SPATIAL',
        `layer "${targets[k]!.path}" has output shape [batch, ${s?.join(', ')}], not [batch, h, w, channels]`,
        targets[k]!.path,
        'pick a convolutional layer (or a block output such as mixed10) before global pooling',
      );
    }
    return s;
  });
}

/** 'sigmoid' / 'softmax' when the output layer squashes its output, else null. */
function activationName(layer: GraphLayer): 'sigmoid' | 'softmax' | null {
  const act = layer.activation?.getClassName?.().toLowerCase();
  return act === 'sigmoid' || act === 'softmax' ? act : null;
}

const LINEAR = { getClassName: () => 'linear', apply: (x: tf.Tensor) => x };

/** Runs the output layer without its sigmoid/softmax (the logits). */
function callWithoutActivation(layer: GraphLayer, ins: tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor[] {
  if (layer.getClassName() === 'Activation') return [ins[0]!];
  const saved = layer.activation;
  (layer as { activation?: unknown }).activation = LINEAR;
  try {
    const r = layer.call(ins.length === 1 ? ins[0]! : ins, kwargs);
    return Array.isArray(r) ? r : [r];
  } finally {
    (layer as { activation?: unknown }).activation = saved;
  }
}

/** The per-image score tensor and the class explained. `y` is `[batch, units]`. */
function selectScore(
  y: tf.Tensor,
  target: GradCamTargetLike | undefined,
  squashed: boolean,
): { perImage: tf.Tensor; classes: number[] } {
  if (y.rank !== 2) {
    throw gcError(
      'GRADCAM_OUTPUT_SHAPE',
      `the explained output must be [batch, units], got [${y.shape.join(', ')}]`,
      y.shape,
      'explain a classification/regression head output',
    );
  }
  const [batch, units] = y.shape as [number, number];
  const t = normalizeTarget(target, units, squashed);
  const column = (c: number): tf.Tensor => tf.reshape(tf.slice(y, [0, c], [batch, 1]), [batch]);
  const checkClass = (c: number): number => {
    if (!Number.isInteger(c) || c < 0 || c >= units) {
      throw gcError(
        'GRADCAM_BAD_TARGET',
        `class ${c} does not exist: the output has ${units} unit(s)`,
        c,
        `use a class index 0…${units - 1}`,
      );
    }
    return c;
  };
  if (t.task === 'binary') {
    const positive = (t.class ?? 'positive') === 'positive';
    if (t.class !== undefined && t.class !== 'positive' && t.class !== 'negative') {
      throw gcError(
        'GRADCAM_BAD_TARGET',
        'a binary target class is "positive" or "negative"',
        t.class,
        'use { task: "binary", class: "positive" }',
      );
    }
    if (units === 1)
      return { perImage: positive ? column(0) : tf.neg(column(0)), classes: new Array(batch).fill(positive ? 1 : 0) };
    if (units === 2) return { perImage: column(positive ? 1 : 0), classes: new Array(batch).fill(positive ? 1 : 0) };
    throw gcError(
      'GRADCAM_BAD_TARGET',
      `a binary target needs a 1- or 2-unit output, this one has ${units}`,
      units,
      'use { task: "multiclass", class: k }',
    );
  }
  if (t.task === 'regression') {
    const sign = t.sign ?? 1;
    if (sign !== 1 && sign !== -1)
      throw gcError(
        'GRADCAM_BAD_TARGET',
        'regression sign must be 1 or -1',
        sign,
        'sign: 1 explains a higher value, -1 a lower one',
      );
    const unit = checkClass(t.unit ?? 0);
    return { perImage: sign === 1 ? column(unit) : tf.neg(column(unit)), classes: new Array(batch).fill(unit) };
  }
  let classes: number[];
  if (t.class === 'predicted') classes = Array.from(tf.argMax(y, -1).dataSync());
  else classes = new Array(batch).fill(checkClass(t.class));
  const mask = tf.cast(tf.oneHot(tf.tensor1d(classes, 'int32'), units), 'float32');
  return { perImage: tf.sum(tf.mul(y, mask), -1), classes };
}

function normalizeTarget(target: GradCamTargetLike | undefined, units: number, squashed: boolean): GradCamTarget {
  if (target === undefined) {
    if (units === 1) return squashed ? { task: 'binary', class: 'positive' } : { task: 'regression', sign: 1 };
    return { task: 'multiclass', class: 'predicted' };
  }
  if (typeof target === 'number') return { task: 'multiclass', class: target };
  if (target === 'positive' || target === 'negative') return { task: 'binary', class: target };
  if (target === 'predicted') return { task: 'multiclass', class: 'predicted' };
  if (typeof target === 'object' && TASKS.includes(target.task as (typeof TASKS)[number])) return target;
  const task = typeof target === 'object' ? (target as { task?: string }).task : undefined;
  const guess = typeof task === 'string' ? didYouMean(task, TASKS) : undefined;
  throw gcError(
    'GRADCAM_BAD_TARGET',
    'target must be { task: "binary" | "multiclass" | "regression", … }, a class index, "positive", "negative" or "predicted"',
    target,
    guess ? `did you mean task: "${guess}"?` : 'e.g. { task: "binary", class: "positive" }',
  );
}
