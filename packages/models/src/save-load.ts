// Node file-system save/load in the TensorFlow.js layers format (model.json + binary weight shards),
// for the pure-JS backends that have no `file://` handler. Writes are atomic (core's writeDirAtomic):
// everything goes to a temporary sibling folder that is renamed into place, so a crash never leaves a
// half-written model.
// Node modules are imported lazily so the package barrel stays loadable in browsers.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { CxrkitError, isCxrkitError, writeDirAtomic, writeFileSynced } from '@cxrkit/core';
import { modelsError } from './errors.js';
import { registerKerasBatchNormalization } from './layers/batch-norm.js';
import { checkCardMatchesModel } from './card/model-match.js';
import { MODEL_CARD_FILE, readModelCard, serializeModelCard } from './card/model-card-files.js';
import type { ModelCard, ModelCardInput } from './card/refine-card.js';

/** Bytes per weight shard (as tfjs's converter writes them). */
export const SHARD_BYTES = 4 * 1024 * 1024;

export interface SaveModelOptions {
  /** Save the optimizer's state too (tfjs `includeOptimizer`). Default false. */
  includeOptimizer?: boolean;
  /** Free-form JSON metadata stored in model.json as `userDefinedMetadata` (e.g. preprocessing, task). */
  metadata?: Record<string, unknown>;
  /**
   * The model card, written beside the weights as `model-card.json` (validated, id computed, and checked
   * against the model's inputs and output first: nothing is written for a card that does not fit).
   */
  card?: ModelCard | ModelCardInput;
}

/** What was written. */
export interface SaveModelResult {
  /** Absolute path of the model folder. */
  dir: string;
  /** File names written in it (model.json first). */
  files: string[];
  /** Bytes of weights. */
  weightBytes: number;
  /** The card as written (defaults filled, id computed), when one was given. */
  card?: ModelCard;
}

/** What a tfjs model exposes of its signature, for checking a card against it. */
function signature(model: tfl.LayersModel) {
  return {
    inputNames: model.inputNames,
    inputShapes: model.inputs.map((t) => t.shape),
    outputShapes: model.outputs.map((t) => t.shape),
  };
}

/**
 * Saves `model` to the folder `dir` as `model.json` + `group1-shard{i}of{n}.bin` (4 MiB shards), the
 * format `tf.loadLayersModel` reads (e.g. `tf.loadLayersModel('file://dir/model.json')` with tfjs-node,
 * or over http in a browser). Atomic: written to `<dir>.tmp-…` and renamed into place; an existing
 * model at `dir` is replaced only once the new one is complete. With `options.card`, the folder also holds
 * `model-card.json` (see `@cxrkit/models/card`).
 * @throws CxrkitError the card's errors (`CARD_*`, `CARD_MODEL_MISMATCH`) before anything is written,
 *   `MODEL_SAVE_FAILED`, `MODEL_SAVE_TARGET_NOT_DIR`.
 */
export async function saveModel(
  model: tfl.LayersModel,
  dir: string,
  options: SaveModelOptions = {},
): Promise<SaveModelResult> {
  const card = options.card === undefined ? undefined : serializeModelCard(options.card);
  if (card) checkCardMatchesModel(card.card, signature(model));
  const path = await import('node:path');
  const target = path.resolve(dir);
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    {
      save: async (a: tf.io.ModelArtifacts) => {
        artifacts = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      },
    },
    { includeOptimizer: options.includeOptimizer ?? false },
  );
  if (!artifacts)
    throw modelsError(
      'MODEL_SAVE_FAILED',
      'tfjs produced no model artifacts',
      model.name,
      'check that the model is a built tf.LayersModel',
    );
  const weightData = artifacts.weightData
    ? new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData))
    : new Uint8Array(0);
  const nShards = Math.max(1, Math.ceil(weightData.byteLength / SHARD_BYTES));
  const shardNames = Array.from({ length: nShards }, (_, i) => `group1-shard${i + 1}of${nShards}.bin`);
  const modelJson: Record<string, unknown> = {
    format: 'layers-model',
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy ?? null,
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: shardNames, weights: artifacts.weightSpecs ?? [] }],
  };
  if (artifacts.trainingConfig) modelJson['trainingConfig'] = artifacts.trainingConfig;
  const metadata = { ...(artifacts.userDefinedMetadata ?? {}), ...(options.metadata ?? {}) };
  if (Object.keys(metadata).length > 0) modelJson['userDefinedMetadata'] = metadata;

  try {
    await writeDirAtomic(target, async (tmp) => {
      for (let i = 0; i < nShards; i++) {
        const shard = weightData.subarray(i * SHARD_BYTES, (i + 1) * SHARD_BYTES);
        await writeFileSynced(path.join(tmp, shardNames[i]!), shard);
      }
      await writeFileSynced(path.join(tmp, 'model.json'), new TextEncoder().encode(JSON.stringify(modelJson)));
      if (card) await writeFileSynced(path.join(tmp, MODEL_CARD_FILE), card.text);
    });
  } catch (e) {
    if (isCxrkitError(e, 'FILE_TARGET_NOT_DIR')) {
      const message = `${target} exists and is not a folder`;
      throw modelsError('MODEL_SAVE_TARGET_NOT_DIR', message, target, 'choose a folder path for the model', e);
    }
    if (e instanceof CxrkitError) throw e;
    throw modelsError(
      'MODEL_SAVE_FAILED',
      `could not write the model to ${target}: ${(e as Error).message}`,
      target,
      'check that the folder is writable and the disk not full',
      e,
    );
  }
  const files = ['model.json', ...shardNames, ...(card ? [MODEL_CARD_FILE] : [])];
  return { dir: target, files, weightBytes: weightData.byteLength, ...(card ? { card: card.card } : {}) };
}

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, float16: 2 };

/**
 * Loads a layers-format model from the folder `dir` (a `model.json` path also works) — one saved by
 * {@link saveModel}, by tfjs-node, or converted from Keras by tensorflowjs_converter. BatchNormalization
 * layers get cxrkit's Keras semantics (trainable with `scale: false`, frozen = inference mode).
 * Typed errors: MODEL_FILE_MISSING, MODEL_FILE_CORRUPT (unreadable/half-written model.json),
 * MODEL_WEIGHTS_MISSING (a shard file absent), MODEL_WEIGHTS_TRUNCATED (shards shorter or longer than the
 * manifest says), MODEL_LOAD_FAILED (tfjs rejected the topology).
 */
export async function loadModel(dir: string): Promise<tfl.LayersModel> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  const resolved = path.resolve(dir);
  const jsonPath = resolved.endsWith('.json') ? resolved : path.join(resolved, 'model.json');
  const base = path.dirname(jsonPath);
  let text: string;
  try {
    text = await fs.readFile(jsonPath, 'utf8');
  } catch (e) {
    throw modelsError(
      'MODEL_FILE_MISSING',
      `no model.json at ${jsonPath}`,
      jsonPath,
      'pass the folder that saveModel wrote (it holds model.json and group1-shard*.bin)',
      e,
    );
  }
  let json: {
    modelTopology?: unknown;
    weightsManifest?: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }>;
    trainingConfig?: tf.io.TrainingConfig;
    userDefinedMetadata?: Record<string, unknown>;
    format?: string;
    generatedBy?: string;
    convertedBy?: string | null;
  };
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw modelsError(
      'MODEL_FILE_CORRUPT',
      `model.json at ${jsonPath} is not valid JSON (${text.length} bytes; half-written?)`,
      text.slice(0, 80),
      're-save the model; saveModel writes atomically so only an interrupted foreign copy leaves this',
      e,
    );
  }
  if (!json || typeof json !== 'object' || !json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw modelsError(
      'MODEL_FILE_CORRUPT',
      `model.json at ${jsonPath} lacks modelTopology or weightsManifest`,
      Object.keys(json ?? {}),
      'pass a TensorFlow.js layers-model (not a graph-model or a Keras .h5)',
    );
  }
  const weightSpecs: tf.io.WeightsManifestEntry[] = [];
  const buffers: Uint8Array[] = [];
  let expected = 0;
  let actual = 0;
  for (const group of json.weightsManifest) {
    weightSpecs.push(...group.weights);
    for (const w of group.weights) {
      const bytesPer = w.quantization ? (DTYPE_BYTES[w.quantization.dtype] ?? 4) : (DTYPE_BYTES[w.dtype] ?? 4);
      expected += w.shape.reduce((a, b) => a * b, 1) * bytesPer;
    }
    for (const p of group.paths) {
      const file = path.resolve(base, p);
      if (path.relative(base, file).startsWith('..') || path.isAbsolute(p)) {
        throw modelsError(
          'MODEL_FILE_CORRUPT',
          `weight path ${p} in ${jsonPath} points outside the model folder`,
          p,
          'weight shards must sit beside model.json',
        );
      }
      let buf: Buffer;
      try {
        buf = await fs.readFile(file);
      } catch (e) {
        throw modelsError(
          'MODEL_WEIGHTS_MISSING',
          `weight shard ${p} listed in ${jsonPath} is missing`,
          file,
          'copy the whole model folder (model.json and every group1-shard*.bin)',
          e,
        );
      }
      buffers.push(buf);
      actual += buf.byteLength;
    }
  }
  if (actual !== expected) {
    throw modelsError(
      'MODEL_WEIGHTS_TRUNCATED',
      `weight shards hold ${actual} bytes but model.json describes ${expected}`,
      { actual, expected },
      'the shards are truncated or from another model: re-copy or re-save the model folder',
    );
  }
  const weightData = new Uint8Array(actual);
  let offset = 0;
  for (const b of buffers) {
    weightData.set(b, offset);
    offset += b.byteLength;
  }
  registerKerasBatchNormalization();
  try {
    return await tfl.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology as tf.io.ModelJSON['modelTopology'],
        weightSpecs,
        weightData: weightData.buffer,
        trainingConfig: json.trainingConfig,
        userDefinedMetadata: json.userDefinedMetadata,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy ?? undefined,
      }),
    );
  } catch (e) {
    throw modelsError(
      'MODEL_LOAD_FAILED',
      `tfjs could not build the model in ${jsonPath}: ${(e as Error).message}`,
      jsonPath,
      'check that the model uses layers this tfjs-layers version knows (custom layers must be registered first)',
      e,
    );
  }
}

/**
 * Loads the model saved in `dir` (see {@link loadModel}) with its card (`model-card.json`, or a pre-card
 * `screening.json` migrated with the model's input names), checked against the model.
 * @throws CxrkitError loadModel's errors, `CARD_MISSING` when the folder has no card, the card's errors,
 *   `CARD_MODEL_MISMATCH` when the card does not describe this model.
 */
export async function loadModelWithCard(dir: string): Promise<{ model: tfl.LayersModel; card: ModelCard }> {
  const path = await import('node:path');
  const resolved = path.resolve(dir);
  const folder = resolved.endsWith('.json') ? path.dirname(resolved) : resolved;
  const model = await loadModel(dir);
  try {
    const card = await readModelCard(folder, { inputNames: model.inputNames });
    checkCardMatchesModel(card, signature(model));
    return { model, card };
  } catch (e) {
    model.dispose();
    throw e;
  }
}
