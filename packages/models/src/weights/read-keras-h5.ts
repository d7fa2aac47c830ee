// Reads the weights out of a Keras .h5 file (bytes in, no file system, no tfjs), in both layouts Keras
// writes (keras/src/legacy/saving/legacy_h5_format.py; Keras 2.x `hdf5_format.py` is the same):
//   whole model, `model.save('x.h5')`:  /model_weights with attrs layer_names, keras_version, backend
//   weights only, `model.save_weights('x.h5')` and the Keras Applications `*_notop.h5` downloads:
//                                       the same attrs on the root
// Under it, one group per layer (a name with '/' such as DenseNet's `conv1/conv` is a nested group path)
// whose attr `weight_names` lists its datasets in Keras's weight order: `conv2d_1/kernel:0` in Keras 2,
// `conv2d_1/kernel` (the variable's path) in Keras 3. Attributes over 64 KB are split by Keras into
// `layer_names0`, `layer_names1`, … and read back joined.
import type * as H5 from 'h5wasm';
import { fail, modelsError } from '../errors.js';
import { withH5File } from './h5wasm.js';
import { describeFormat, isHdf5 } from './sniff-format.js';

/** One saved weight: its name as Keras wrote it (e.g. `conv2d_1/kernel:0`), its shape and its values. */
export interface KerasH5Weight {
  name: string;
  /** Keras's shape, e.g. [3, 3, 3, 32] for a conv kernel [kh, kw, in, out]. */
  shape: number[];
  /** Float32 values in row-major order (float64 files are rounded to float32). */
  values: Float32Array;
}

/** One saved layer, its weights in Keras's order (kernel, bias; BN gamma, beta, moving mean, moving variance). */
export interface KerasH5Layer {
  name: string;
  /** Empty for layers without weights (inputs, activations, pooling). */
  weights: KerasH5Weight[];
}

/** Everything `readKerasH5` took from a file. */
export interface KerasH5Weights {
  /** 'model': whole-model file (`model.save`); 'weights': weights-only (`save_weights`, Keras Applications). */
  layout: 'model' | 'weights';
  /** The file's `keras_version` attribute, e.g. '2.1.5'; undefined when absent. */
  kerasVersion: string | undefined;
  /** The file's `backend` attribute, e.g. 'tensorflow'; undefined when absent. */
  backend: string | undefined;
  /** Every layer in `layer_names` order (the saving model's layer order). */
  layers: KerasH5Layer[];
}

const KERAS_FILE_FIX =
  "pass a Keras .h5 weight file (model.save('x.h5') or model.save_weights('x.h5'), or a Keras Applications download)";

/** Options of {@link readKerasH5}. */
export interface ReadKerasH5Options {
  /** How to name the file in error messages (e.g. its path). Default 'the file'. */
  label?: string;
}

/**
 * Reads every layer's weights from the bytes of a Keras `.h5` file (whole-model or weights-only
 * layout), in Node or a browser. Needs the optional peer `h5wasm`. Errors (CxrkitError, pkg models):
 * `KERAS_H5_NOT_HDF5` (not an HDF5 file: names what it looks like), `KERAS_H5_UNREADABLE` (damaged
 * HDF5), `KERAS_H5_NOT_KERAS` (HDF5 without Keras's `layer_names`), `KERAS_H5_DTYPE_UNSUPPORTED`
 * (a weight that is not little-endian float32/float64), `KERAS_H5_READER_MISSING` (h5wasm not installed).
 *
 * @example const weights = await readKerasH5(new Uint8Array(await (await fetch(url)).arrayBuffer()));
 */
export async function readKerasH5(
  bytes: Uint8Array | ArrayBuffer,
  options: ReadKerasH5Options = {},
): Promise<KerasH5Weights> {
  const data = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const label = options.label ?? 'the file';
  if (!isHdf5(data)) {
    fail(
      'KERAS_H5_NOT_HDF5',
      `${label} is not an HDF5 file: it looks like ${describeFormat(data)}`,
      { bytes: data.length, looksLike: describeFormat(data) },
      KERAS_FILE_FIX,
    );
  }
  try {
    return await withH5File(data, (file) => readKerasGroup(file, label));
  } catch (e) {
    if (e instanceof Error && e.name === 'CxrkitError') throw e;
    throw modelsError(
      'KERAS_H5_UNREADABLE',
      `${label} has the HDF5 signature but libhdf5 cannot read it`,
      hdf5Reason(e),
      'the file is damaged or cut short: copy or download it again (Keras publishes an md5 per Applications file)',
      e,
    );
  }
}

function readKerasGroup(file: H5.File, label: string): KerasH5Weights {
  const modelWeights = file.get('model_weights');
  let root: H5.Group = file;
  let layout: KerasH5Weights['layout'] = 'weights';
  if (!hasListAttr(file, 'layer_names') && isGroup(modelWeights) && hasListAttr(modelWeights, 'layer_names')) {
    root = modelWeights;
    layout = 'model';
  }
  if (!hasListAttr(root, 'layer_names')) {
    const keys = file.keys();
    const keras3 = keys.includes('layers') || keys.includes('_layer_checkpoint_dependencies');
    fail(
      'KERAS_H5_NOT_KERAS',
      keras3
        ? `${label} is a Keras 3 native weights file (.weights.h5: layers/<name>/vars/0, …), not the legacy layout`
        : `${label} is HDF5 but not a Keras weight file: no 'layer_names' attribute on the root or on /model_weights`,
      { rootGroups: keys.slice(0, 10), rootAttributes: Object.keys(file.attrs).slice(0, 10) },
      keras3 ? "in Keras 3, write the legacy layout with model.save('model.h5') and pass that file" : KERAS_FILE_FIX,
    );
  }
  const layers = readListAttr(root, 'layer_names').map((name): KerasH5Layer => {
    const group = root.get(name);
    if (!isGroup(group)) {
      fail(
        'KERAS_H5_UNREADABLE',
        `${label} lists layer '${name}' in layer_names but has no group for it`,
        name,
        'the file is damaged: save or download it again',
      );
    }
    const weightNames = hasListAttr(group, 'weight_names') ? readListAttr(group, 'weight_names') : [];
    return { name, weights: weightNames.map((w) => readWeight(group, name, w, label)) };
  });
  return {
    layout,
    kerasVersion: readStringAttr(root, 'keras_version'),
    backend: readStringAttr(root, 'backend'),
    layers,
  };
}

function readWeight(group: H5.Group, layer: string, name: string, label: string): KerasH5Weight {
  const ds = group.get(name) as H5.Dataset | null;
  if (!ds || ds.type !== 'Dataset') {
    fail(
      'KERAS_H5_UNREADABLE',
      `${label}: layer '${layer}' lists weight '${name}' but has no dataset of that name`,
      { layer, weight: name },
      'the file is damaged: save or download it again',
    );
  }
  const shape = ds.shape ?? [];
  // Checked on the metadata: h5wasm throws on reading a float16 dataset's value or dtype.
  const { type, size: bytes, littleEndian } = ds.metadata;
  if (type !== H5T_FLOAT || (bytes !== 4 && bytes !== 8) || !littleEndian) {
    const family = type === H5T_FLOAT ? 'float' : type === H5T_INTEGER ? 'int' : `HDF5 class ${type} `;
    const kind = `${littleEndian ? '' : 'big-endian '}${family}${bytes * 8}`;
    fail(
      'KERAS_H5_DTYPE_UNSUPPORTED',
      `${label}: weight '${name}' of layer '${layer}' is stored as ${kind}, not little-endian float32 or float64`,
      { layer, weight: name, dtype: kind },
      'save the model with float32 weights (Keras keeps variables in float32 even under a mixed-precision policy)',
    );
  }
  const value = ds.value;
  const values =
    value instanceof Float32Array
      ? value
      : value instanceof Float64Array
        ? Float32Array.from(value)
        : Float32Array.of(Number(value));
  const size = shape.reduce((a, b) => a * b, 1);
  if (values.length !== size) {
    fail(
      'KERAS_H5_UNREADABLE',
      `${label}: weight '${name}' of layer '${layer}' has ${values.length} values for shape ${JSON.stringify(shape)}`,
      { layer, weight: name, shape },
      'the file is damaged: save or download it again',
    );
  }
  return { name, shape, values };
}

// HDF5 datatype classes (H5Tpublic.h).
const H5T_INTEGER = 0;
const H5T_FLOAT = 1;

function isGroup(e: unknown): e is H5.Group {
  return e != null && (e as { type?: unknown }).type === 'Group';
}

/** Keras's `load_attributes_from_hdf5_group`: `name`, or the chunks `name0`, `name1`, … joined. */
function hasListAttr(group: H5.Group, name: string): boolean {
  const attrs = Object.keys(group.attrs);
  return attrs.includes(name) || attrs.includes(`${name}0`);
}

function readListAttr(group: H5.Group, name: string): string[] {
  const attrs = new Set(Object.keys(group.attrs));
  if (attrs.has(name)) return asStrings(group.get_attribute(name, false));
  const out: string[] = [];
  for (let i = 0; attrs.has(`${name}${i}`); i++) out.push(...asStrings(group.get_attribute(`${name}${i}`, false)));
  return out;
}

function readStringAttr(group: H5.Group, name: string): string | undefined {
  if (!Object.keys(group.attrs).includes(name)) return undefined;
  const v = group.get_attribute(name, false);
  return typeof v === 'string' ? v : undefined;
}

// A list attribute is a fixed-length string array; Keras writes an empty list (a layer without weights)
// as an empty float64 array.
function asStrings(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.map(String);
  if (ArrayBuffer.isView(v) && (v as unknown as ArrayLike<unknown>).length === 0) return [];
  fail('KERAS_H5_NOT_KERAS', 'a Keras name list attribute holds no strings', v, 'pass a file written by Keras');
}

// The innermost libhdf5 message, e.g. "H5F__super_read(): truncated file: eof = 1500, …".
function hdf5Reason(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  const lines = text.split('\n').filter((l) => /#\d+:/.test(l));
  const last = lines[lines.length - 1];
  const m = last?.match(/ in (\S+\(\)): (.*)$/);
  return m ? `${m[1]}: ${m[2]}` : text.split('\n')[0]!.slice(0, 200);
}
