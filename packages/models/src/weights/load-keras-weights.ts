// Keras .h5 weights → a cxrkit model, by layer name (Keras's `load_weights(by_name=True)`), with the
// checks Keras makes (weight count, shapes) turned into typed errors, and the report transferWeights gives.
// Every check runs before the first weight is written: a load that throws leaves the model untouched.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { assertKnownKeys, didYouMean } from '@cxrkit/core';
import { fail, modelsError } from '../errors.js';
import { SCREENING_HEAD_LAYERS } from '../screening.js';
import type { TransferReport, TransferSkip } from '../transfer.js';
import { readKerasH5, type KerasH5Layer, type KerasH5Weight, type KerasH5Weights } from './read-keras-h5.js';

/** Options of {@link loadKerasWeights}. */
export interface KerasWeightsOptions {
  /**
   * Report instead of throwing: model layers the file lacks ('not-in-source'), layers whose weight
   * count differs ('weight-count-mismatch') or whose shapes differ ('shape-mismatch') are left as they
   * are and listed in `skipped` (Keras's `skip_mismatch`). Default false: such a layer throws.
   */
  skipMismatch?: boolean;
  /**
   * The file's name for a model layer, where they differ: a record `{ modelName: fileName }` or a
   * function (return undefined to keep the model's name). Default: the same name.
   */
  layerNameMap?: Readonly<Record<string, string>> | ((modelLayer: string) => string | undefined);
  /** Only load model layers for which this returns true; the others are reported 'filtered-out'. Default: all. */
  layers?: (modelLayer: string) => boolean;
  /**
   * A 3-channel file kernel [kh, kw, 3, f] for a 1-channel model kernel [kh, kw, 1, f] (the first
   * convolution of a gray model from ImageNet weights): 'sum' sums over the input channels — then
   * model(gray) equals the RGB network on the gray image stacked into 3 channels — and lists the layer
   * in `summedToGray`; 'skip' (default) treats it as a shape mismatch.
   */
  rgbToGray?: 'sum' | 'skip';
  /**
   * How model layers find their file layer. 'name' (default): by layer name (Keras's
   * `load_weights(by_name=True)`). 'order': the i-th model layer with weights takes the i-th file layer
   * with weights, whatever the names (Keras's default `load_weights`, which is how Keras Applications
   * load their own files); extra layers at the end of either side are reported, not paired. The
   * registered builders keep Keras's layer order, so 'order' suits a file whose names differ (renamed,
   * renumbered auto names). Not with `layerNameMap`.
   */
  match?: 'name' | 'order';
}

/** What `loadKerasWeights` did: `transferWeights`'s report (the file is the source) plus what the file was. */
export interface KerasWeightsReport extends TransferReport {
  file: {
    layout: KerasH5Weights['layout'];
    kerasVersion: string | undefined;
    backend: string | undefined;
    /** File layers with weights. */
    layers: number;
    /** Parameters in the file. */
    params: number;
  };
}

/** A Keras .h5 file: its bytes, a path (Node only), or `readKerasH5` output (to load one file into many models). */
export type KerasWeightsSource = Uint8Array | ArrayBuffer | string | KerasH5Weights;

const OPTION_KEYS = ['skipMismatch', 'layerNameMap', 'layers', 'rgbToGray', 'match'];
const RGB_TO_GRAY_FIX =
  "the model takes 1 channel and the file has 3-channel weights: pass rgbToGray: 'sum' " +
  '(exact for a gray image stacked into RGB)';
const SHAPE_FIX =
  'build the model with the architecture, width and input channels the file was saved with, or pass skipMismatch: true';
/** A layerNameMap from cxrkit's 1-based auto names to tf.keras's 0-based ones (shown in an error's fix). */
const SHIFT_AUTO_NAMES =
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the text of a function, shown to the user as a fix
  "(n) => n.replace(/^(conv2d|batch_normalization)_(\\d+)$/, (_, b, k) => (k === '1' ? b : `${b}_${k - 1}`))";

/**
 * Loads the weights of a Keras `.h5` file — whole-model (`model.save('x.h5')`) or weights-only
 * (`model.save_weights('x.h5')`, the Keras Applications `*_notop.h5` downloads) — into `model` by layer
 * name: every registered backbone (`createModel('inception_v3' | 'densenet169' | 'resnet50' | …)`),
 * with or without top, and the backbone inside `buildScreeningModel` (head layers absent from the file
 * are reported, not errors). Weights pair by name within a layer (`kernel`, `bias`, `gamma`, `beta`,
 * `moving_mean`, `moving_variance`; Keras 2 `…/kernel:0` and Keras 3 `…/kernel` alike), else in
 * Keras's order. Node and browser; a path string needs Node. Needs the optional peer `h5wasm`.
 *
 * Throws (CxrkitError, pkg models), before writing anything: `KERAS_H5_LAYER_MISSING` (a model layer
 * with weights that the file lacks), `KERAS_H5_WEIGHT_COUNT_MISMATCH`, `KERAS_H5_SHAPE_MISMATCH`
 * (naming layer, weight, expected and received shape) — these three become `skipped` entries with
 * `skipMismatch` — and `readKerasH5`'s `KERAS_H5_NOT_HDF5`, `KERAS_H5_NOT_KERAS`, `KERAS_H5_UNREADABLE`,
 * `KERAS_H5_DTYPE_UNSUPPORTED`, `KERAS_H5_READER_MISSING`; `KERAS_H5_READ_FAILED` for a path that
 * cannot be read; `KERAS_WEIGHTS_OPTION_INVALID` for bad options.
 *
 * @example
 * const backbone = createModel('inception_v3', { includeTop: false });
 * await loadKerasWeights(backbone, 'inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5');
 * @example
 * const screening = buildScreeningModel({ backbone: 'densenet169', inputShape: [512, 512, 1] });
 * const report = await loadKerasWeights(screening, bytes, { rgbToGray: 'sum' }); // report.summedToGray: ['conv1/conv']
 */
export async function loadKerasWeights(
  model: tfl.LayersModel,
  source: KerasWeightsSource,
  options: KerasWeightsOptions = {},
): Promise<KerasWeightsReport> {
  checkOptions(options);
  const file = await resolveSource(source);
  const plan = planLoad(model, file, options);
  for (const { layer, values } of plan.writes) {
    const tensors = tf.tidy(() =>
      values.map(({ weight, sum }) => {
        const t = tf.tensor(weight.values, weight.shape, 'float32');
        return sum ? tf.sum(t, 2, true) : t;
      }),
    );
    layer.setWeights(tensors);
    tf.dispose(tensors);
  }
  return plan.report;
}

async function resolveSource(source: KerasWeightsSource): Promise<KerasH5Weights> {
  if (source instanceof Uint8Array || source instanceof ArrayBuffer) return readKerasH5(source);
  if (typeof source === 'string') {
    let bytes: Uint8Array;
    try {
      const { readFile } = await import('node:fs/promises');
      bytes = await readFile(source);
    } catch (cause) {
      throw modelsError(
        'KERAS_H5_READ_FAILED',
        `cannot read '${source}'${(cause as { code?: string }).code ? ` (${(cause as { code: string }).code})` : ''}`,
        source,
        'check the path; in a browser pass the bytes instead: new Uint8Array(await (await fetch(url)).arrayBuffer())',
        cause,
      );
    }
    return readKerasH5(bytes, { label: `'${source}'` });
  }
  if (source != null && typeof source === 'object' && Array.isArray((source as KerasH5Weights).layers)) return source;
  fail(
    'KERAS_WEIGHTS_OPTION_INVALID',
    'the weights source must be the bytes of a .h5 file, a path or readKerasH5 output',
    source,
    'pass a Uint8Array, an ArrayBuffer, a file path (Node) or the result of readKerasH5',
  );
}

function checkOptions(options: KerasWeightsOptions): void {
  if (options == null || typeof options !== 'object') {
    fail('KERAS_WEIGHTS_OPTION_INVALID', 'options must be an object', options, "pass e.g. { rgbToGray: 'sum' }");
  }
  const fix = `use ${OPTION_KEYS.join(', ')}`;
  assertKnownKeys(options, OPTION_KEYS, { code: 'KERAS_WEIGHTS_OPTION_INVALID', pkg: 'models', fix });
  if (options.rgbToGray !== undefined && options.rgbToGray !== 'sum' && options.rgbToGray !== 'skip') {
    fail(
      'KERAS_WEIGHTS_OPTION_INVALID',
      "rgbToGray must be 'sum' or 'skip'",
      options.rgbToGray,
      "pass rgbToGray: 'sum' to load 3-channel weights into a 1-channel model",
    );
  }
  if (options.match !== undefined && options.match !== 'name' && options.match !== 'order') {
    fail('KERAS_WEIGHTS_OPTION_INVALID', "match must be 'name' or 'order'", options.match, "pass match: 'order'");
  }
  const map = options.layerNameMap;
  if (map !== undefined && options.match === 'order') {
    fail(
      'KERAS_WEIGHTS_OPTION_INVALID',
      "layerNameMap has no effect with match: 'order' (layers pair by position)",
      options.layerNameMap,
      "drop layerNameMap, or use match: 'name'",
    );
  }
  if (map !== undefined && typeof map !== 'function' && (map === null || typeof map !== 'object')) {
    fail(
      'KERAS_WEIGHTS_OPTION_INVALID',
      'layerNameMap must be a record { modelName: fileName } or a function',
      map,
      "pass e.g. { conv1: 'conv1_conv' }",
    );
  }
}

interface PlannedWeight {
  weight: KerasH5Weight;
  /** Sum the file's 3 input channels into the model's 1. */
  sum: boolean;
}

interface Plan {
  writes: Array<{ layer: tfl.layers.Layer; values: PlannedWeight[] }>;
  report: KerasWeightsReport;
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const sameShape = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((d, i) => d === b[i]);
/** `conv2d_1/kernel:0`, `conv2d_1/kernel`, `kernel` → `kernel`. */
const shortName = (name: string) => name.slice(name.lastIndexOf('/') + 1).replace(/:\d+$/, '');

function planLoad(model: tfl.LayersModel, file: KerasH5Weights, options: KerasWeightsOptions): Plan {
  const withWeights = file.layers.filter((l) => l.weights.length > 0);
  const byName = new Map(withWeights.map((l) => [l.name, l]));
  const fileName = (name: string): string => {
    const map = options.layerNameMap;
    const mapped = typeof map === 'function' ? map(name) : map && Object.hasOwn(map, name) ? map[name] : undefined;
    return mapped ?? name;
  };
  const report: KerasWeightsReport = {
    copied: [],
    summedToGray: [],
    skipped: [],
    unusedSource: [],
    copiedParams: 0,
    file: {
      layout: file.layout,
      kerasVersion: file.kerasVersion,
      backend: file.backend,
      layers: withWeights.length,
      params: withWeights.reduce((a, l) => a + l.weights.reduce((b, w) => b + size(w.shape), 0), 0),
    },
  };
  const writes: Plan['writes'] = [];
  const missing: string[] = [];
  const used = new Set<string>();
  // Without skipMismatch the first mismatch is thrown after the loop (a missing layer first: it says
  // more, e.g. that the file numbers its layers differently).
  let firstError: (() => never) | undefined;
  const skip = (s: TransferSkip, error: () => never) => {
    if (!options.skipMismatch) firstError ??= error;
    report.skipped.push(s);
  };

  const byOrder = options.match === 'order';
  const modelLayers = flatLayers(model).filter((l) => l.weights.length > 0);
  let matched = 0;
  for (const [index, layer] of modelLayers.entries()) {
    const name = layer.name;
    if (options.layers && !options.layers(name)) {
      report.skipped.push({ layer: name, reason: 'filtered-out', detail: 'excluded by options.layers' });
      continue;
    }
    const src = byOrder ? withWeights[index] : byName.get(fileName(name));
    if (!src) {
      const detail = byOrder
        ? `layer ${index + 1} with weights; the file has ${withWeights.length}`
        : `the file has no layer '${fileName(name)}' with weights`;
      // An ImageNet file never has the screening head; its absence is expected, not an error.
      if (options.skipMismatch || (SCREENING_HEAD_LAYERS as readonly string[]).includes(name)) {
        report.skipped.push({ layer: name, reason: 'not-in-source', detail });
      } else missing.push(name);
      continue;
    }
    matched++;
    const pairs = pairWeights(layer, src);
    if (!pairs) {
      const names = (ws: readonly string[]) => `${ws.length} (${ws.map(shortName).join(', ')})`;
      const modelNames = names(layer.weights.map(variableName));
      const detail = `the model has ${modelNames} weights, the file ${names(src.weights.map((w) => w.name))}`;
      skip({ layer: name, reason: 'weight-count-mismatch', detail }, () =>
        fail(
          'KERAS_H5_WEIGHT_COUNT_MISMATCH',
          `layer '${name}'${src.name === name ? '' : ` (file layer '${src.name}')`}: ${detail}`,
          { layer: name, fileLayer: src.name, expected: layer.weights.length, received: src.weights.length },
          countFix(layer, src),
        ),
      );
      continue;
    }
    const values: PlannedWeight[] = [];
    let mismatch: TransferSkip | undefined;
    let summed = false;
    for (const [variable, weight] of pairs) {
      const expected = variable.shape as number[];
      const received = weight.shape;
      if (sameShape(expected, received)) {
        values.push({ weight, sum: false });
        continue;
      }
      if (options.rgbToGray === 'sum' && isRgbToGray(received, expected)) {
        values.push({ weight, sum: true });
        summed = true;
        continue;
      }
      const detail =
        `weight '${shortName(variableName(variable))}': the model expects ${JSON.stringify(expected)}, ` +
        `the file has ${JSON.stringify(received)} ('${weight.name}'${src.name === name ? '' : ` of '${src.name}'`})`;
      mismatch = { layer: name, reason: 'shape-mismatch', detail };
      skip(mismatch, () =>
        fail(
          'KERAS_H5_SHAPE_MISMATCH',
          `layer '${name}', ${detail}`,
          { layer: name, fileLayer: src.name, weight: weight.name, expected, received },
          isRgbToGray(received, expected) ? RGB_TO_GRAY_FIX : SHAPE_FIX,
        ),
      );
      break;
    }
    if (mismatch) continue;
    writes.push({ layer, values });
    used.add(src.name);
    report.copied.push(name);
    if (summed) report.summedToGray.push(name);
    report.copiedParams += layer.weights.reduce((a, w) => a + size(w.shape as number[]), 0);
  }

  if (missing.length > 0) {
    const listed = `${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`;
    const received = { missing: missing.slice(0, 10), fileLayers: [...byName.keys()].slice(0, 10) };
    if (byOrder) {
      fail(
        'KERAS_H5_LAYER_MISSING',
        `the model has ${modelLayers.length} layers with weights, the file ${withWeights.length}: ` +
          `nothing for ${listed}`,
        received,
        'build the architecture the file was saved with, or pass skipMismatch: true to load the first layers',
      );
    }
    const guess = didYouMean(fileName(missing[0]!), [...byName.keys()]);
    fail(
      'KERAS_H5_LAYER_MISSING',
      `${missing.length} model layer(s) with weights are not in the file: ${listed} ` +
        `(${matched} of ${matched + missing.length} found)${guess ? ` — did you mean '${guess}'?` : ''}`,
      received,
      missingFix(missing, byName),
    );
  }
  firstError?.();
  report.unusedSource = withWeights.map((l) => l.name).filter((n) => !used.has(n));
  return { writes, report };
}

/** The tfjs variable's Keras name (`conv2d_1/kernel`; tfjs may suffix `name` to keep it unique). */
function variableName(v: tfl.LayerVariable): string {
  return (v as { originalName?: string }).originalName ?? v.name;
}

/** The model's layers, with those of nested models in their place (their weights are saved per inner layer). */
function flatLayers(model: tfl.LayersModel): tfl.layers.Layer[] {
  return model.layers.flatMap((l) =>
    'layers' in l && Array.isArray(l.layers) ? flatLayers(l as tfl.LayersModel) : [l],
  );
}

/**
 * Pairs the layer's variables with the file's weights: by short name when both sides have the same
 * set of names, else in order (Keras's own rule) when the counts agree; undefined when they do not.
 */
function pairWeights(
  layer: tfl.layers.Layer,
  src: KerasH5Layer,
): Array<[tfl.LayerVariable, KerasH5Weight]> | undefined {
  const vars = layer.weights;
  if (vars.length !== src.weights.length) return undefined;
  const fileByShort = new Map(src.weights.map((w) => [shortName(w.name), w]));
  const byName = vars.map((v) => fileByShort.get(shortName(variableName(v))));
  if (fileByShort.size === vars.length && byName.every((w) => w !== undefined)) {
    return vars.map((v, i) => [v, byName[i]!]);
  }
  return vars.map((v, i) => [v, src.weights[i]!]);
}

function isRgbToGray(file: readonly number[], model: readonly number[]): boolean {
  return (
    file.length === 4 &&
    model.length === 4 &&
    file[2] === 3 &&
    model[2] === 1 &&
    file[0] === model[0] &&
    file[1] === model[1] &&
    file[3] === model[3]
  );
}

function countFix(layer: tfl.layers.Layer, src: KerasH5Layer): string {
  const fileHasGamma = src.weights.some((w) => shortName(w.name) === 'gamma');
  const modelHasGamma = layer.weights.some((w) => shortName(variableName(w)) === 'gamma');
  if (fileHasGamma !== modelHasGamma) {
    return (
      `the file's BatchNormalization ${fileHasGamma ? 'has' : 'has no'} gamma (scale: ${fileHasGamma}): ` +
      'build the model with the same architecture, or pass skipMismatch: true'
    );
  }
  return 'build the model with the architecture the file was saved with, or pass skipMismatch: true';
}

// tf.keras (TensorFlow 2) numbers auto-named layers from 0 (conv2d, conv2d_1, …); standalone Keras ≤ 2.3,
// the Keras Applications files and cxrkit's InceptionV3 from 1 (conv2d_1, …).
function missingFix(missing: string[], byName: Map<string, KerasH5Layer>): string {
  const zeroBased =
    ['conv2d', 'batch_normalization'].some((n) => byName.has(n)) &&
    missing.some((n) => /^(conv2d|batch_normalization)_\d+$/.test(n));
  if (zeroBased) {
    return (
      "the file numbers Keras's auto-named layers from 0 (tf.keras: conv2d, conv2d_1, …) and the model from 1: " +
      `pass layerNameMap: ${SHIFT_AUTO_NAMES}`
    );
  }
  return (
    'build the architecture the file was saved with (the registry key of a Keras Applications file); if only ' +
    "the names differ, pair layers in Keras's order with match: 'order' or map names with layerNameMap; " +
    'or pass skipMismatch: true to load what matches'
  );
}
