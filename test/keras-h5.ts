// Test support for the Keras .h5 loader: writes a tfjs model's weights (or an edited list of layers)
// as a Keras .h5 file through h5py, by test/fixtures/models/write-keras-h5.py, into a temp folder.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as tfl from '@tensorflow/tfjs-layers';
import { repoRoot } from './helpers.js';

const PY = '/usr/bin/python3';
const SCRIPT = join(repoRoot, 'test', 'fixtures', 'models', 'write-keras-h5.py');

/** False when h5py is there, else the reason to skip (Debian: apt-get install -y python3-h5py). */
export const h5pySkip: string | false =
  existsSync(PY) && spawnSync(PY, ['-c', 'import h5py, numpy'], { encoding: 'utf8' }).status === 0
    ? false
    : 'needs /usr/bin/python3 with h5py and numpy (apt-get install -y python3-h5py)';

/** One weight for the manifest: its short Keras name (`kernel`), shape and values. */
export interface FixtureWeight {
  name: string;
  shape: number[];
  values: Float32Array;
  /** Stored dtype. Default 'float32'. */
  dtype?: 'float32' | 'float64' | 'float16';
}

/** One layer for the manifest, in the model's order; `weights` empty for layers without weights. */
export interface FixtureLayer {
  name: string;
  weights: FixtureWeight[];
}

/** How to write the file (see write-keras-h5.py). */
export interface FixtureOptions {
  layout?: 'weights' | 'model';
  naming?: 'keras2' | 'keras3' | 'bare';
  kerasVersion?: string;
  modelConfig?: unknown;
  /** Keras's attribute header limit (64512); smaller forces `layer_names0`, `layer_names1`, …. */
  attributeLimit?: number;
  /** Whole-model layout: write an `optimizer_weights` group. Default true. */
  optimizer?: boolean;
  kind?: 'keras' | 'plain-hdf5' | 'keras3-native';
}

/** The layers of a tfjs model with their current weight values, in the model's order. */
export function layersOf(model: tfl.LayersModel): FixtureLayer[] {
  return model.layers.map((l) => ({
    name: l.name,
    weights: l.weights.map((w) => {
      const full = (w as { originalName?: string }).originalName ?? w.name;
      return {
        name: full.slice(full.lastIndexOf('/') + 1),
        shape: [...(w.shape as number[])],
        values: w.read().dataSync() as Float32Array,
      };
    }),
  }));
}

/** A temp folder, removed by the returned `cleanup`. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'cxrkit-keras-h5-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes `layers` as a Keras .h5 file at `out` with h5py; returns `out`. Throws with h5py's stderr on failure. */
export function writeKerasH5(layers: FixtureLayer[], out: string, options: FixtureOptions = {}): string {
  const { kind = 'keras', ...rest } = options;
  let offset = 0;
  const manifestLayers = layers.map((l) => ({
    name: l.name,
    weights: l.weights.map((w) => {
      const entry = { name: w.name, shape: w.shape, offset, dtype: w.dtype ?? 'float32' };
      offset += w.values.length;
      return entry;
    }),
  }));
  const bin = new Float32Array(offset);
  let at = 0;
  for (const l of layers) for (const w of l.weights) bin.set(w.values, (at += w.values.length) - w.values.length);
  const manifest = join(`${out}.manifest.json`);
  const weights = `${out}.weights.bin`;
  writeFileSync(manifest, JSON.stringify({ ...rest, layers: manifestLayers }));
  writeFileSync(weights, new Uint8Array(bin.buffer, bin.byteOffset, bin.byteLength));
  const r = spawnSync(PY, [SCRIPT, manifest, weights, out, '--kind', kind], { encoding: 'utf8' });
  rmSync(manifest, { force: true });
  rmSync(weights, { force: true });
  if (r.status !== 0) throw new Error(`write-keras-h5.py failed (${r.status}): ${r.stderr}`);
  return out;
}
