// A model's outputs for manifest rows: each row's image → the model card's inputs (from the pixel cache
// when one matches the card, else readDicom + modelInputs) → batched predictor.predict → one output
// vector per row. The predictor is injected (tfjs or onnxruntime); nothing here loads TensorFlow.js.
// A row that cannot be read or lacks a fused fact fails alone (its code kept), never the whole run.
import { grayToChannels, isCxrkitError, readDicom } from '@cxrkit/core/tfjs-free';
import type { Predictor } from '@cxrkit/models';
import { type ModelCard, cardInputNames, fusionValue, modelInputsFromDicom, resolvePatient } from '@cxrkit/models/card';
import { type PixelCacheSpec, openPixelCache, readCachedPixels } from '../cache/pixel-cache.js';
import type { ScanManifestRow } from '../read-scan-manifest.js';

/** Options of {@link predictRows}. */
export interface PredictRowsOptions {
  predictor: Predictor;
  card: ModelCard;
  /** A scan's cache folder (`<scan>/cache`): used when it holds the card's size and preprocessing. */
  cacheRoot?: string;
  /** Images per predict call. Default 8. */
  batchSize?: number;
  /** Called after each batch with the rows done. */
  onProgress?: (done: number, total: number) => void;
}

/** What {@link predictRows} returns: outputs per row (undefined where the row failed). */
export interface RowPredictions {
  /** The first model output's values for each row (length = units, e.g. 1 for a sigmoid score). */
  outputs: (Float32Array | undefined)[];
  /** Rows that failed, with the reader's or the card's error code. */
  failures: { index: number; code: string; message: string }[];
  /** Rows whose image came from the pixel cache. */
  fromCache: number;
}

/** True when a cache spec holds exactly the card's image preprocessing at its size. */
export function cacheMatchesCard(spec: PixelCacheSpec, card: ModelCard): boolean {
  return (
    spec.shape[0] === card.architecture.inputSize &&
    spec.preprocessing.normalize === card.preprocessing.normalize &&
    spec.preprocessing.clipPercent === card.preprocessing.clipPercent &&
    spec.dtype === 'float32'
  );
}

/** The spec of the cache under `root` that holds the card's preprocessing, if there is one. */
export async function findCardCache(root: string | undefined, card: ModelCard): Promise<PixelCacheSpec | undefined> {
  if (!root) return undefined;
  const { inputSize: size } = card.architecture;
  const { normalize, clipPercent } = card.preprocessing;
  try {
    const spec = await openPixelCache(root, { size, normalize, clipPercent, dtype: 'float32' });
    return cacheMatchesCard(spec, card) ? spec : undefined;
  } catch {
    return undefined;
  }
}

/** One image's model inputs: a flat float32 array per input name (batch of 1). */
export type RowInputs = Record<string, Float32Array>;

/**
 * One row's model inputs (one flat array per input name, batch of 1): from the cache when `spec` (see
 * {@link findCardCache}) holds the image, else read from the DICOM. Fusion facts come from the manifest
 * (cache) or the header (DICOM) — the same values, since the scan took them from the header.
 */
export async function manifestRowInputs(
  row: ScanManifestRow,
  card: ModelCard,
  root?: string,
  spec?: PixelCacheSpec,
): Promise<{ inputs: RowInputs; cached: boolean }> {
  const { inputName, inputSize: size, channels } = card.architecture;
  const cached = spec && root ? await readCachedPixels(root, spec, row.sopInstanceUid) : undefined;
  if (cached) {
    const patient = resolvePatient({ age: row.age, sex: row.sex });
    const inputs: RowInputs = { [inputName]: grayToChannels({ data: cached, width: size, height: size }, channels) };
    for (const f of card.fusion) inputs[f.input] = Float32Array.of(fusionValue(f, patient));
    return { inputs, cached: true };
  }
  const dicom = await readDicom(row.path);
  const batch = modelInputsFromDicom(dicom, card);
  return { inputs: Object.fromEntries(Object.entries(batch).map(([k, v]) => [k, v.data])), cached: false };
}

/**
 * Runs the model over `rows` in batches.
 * @throws only for a predictor failure (a row's own failure is recorded in `failures`).
 */
export async function predictRows(
  rows: readonly ScanManifestRow[],
  options: PredictRowsOptions,
): Promise<RowPredictions> {
  const { predictor, card } = options;
  const batchSize = options.batchSize ?? 8;
  const spec = await findCardCache(options.cacheRoot, card);
  const names = cardInputNames(card);
  const { inputSize: size, channels } = card.architecture;
  const outputs: (Float32Array | undefined)[] = new Array(rows.length).fill(undefined);
  const failures: RowPredictions['failures'] = [];
  let fromCache = 0;
  for (let start = 0; start < rows.length; start += batchSize) {
    const idx: number[] = [];
    const items: RowInputs[] = [];
    for (let i = start; i < Math.min(rows.length, start + batchSize); i++) {
      try {
        const r = await manifestRowInputs(rows[i]!, card, options.cacheRoot, spec);
        if (r.cached) fromCache++;
        idx.push(i);
        items.push(r.inputs);
      } catch (e) {
        if (!isCxrkitError(e)) throw e;
        failures.push({ index: i, code: e.code, message: e.message });
      }
    }
    if (items.length) {
      const batch: Record<string, { data: Float32Array; shape: number[] }> = {};
      for (const name of names) {
        const per = items[0]![name]!.length;
        const data = new Float32Array(per * items.length);
        items.forEach((it, k) => data.set(it[name]!, k * per));
        batch[name] = {
          data,
          shape: name === card.architecture.inputName ? [items.length, size, size, channels] : [items.length, per],
        };
      }
      const out = await predictor.predict(names.length === 1 ? batch[names[0]!]! : batch);
      const first = out[predictor.outputNames[0]!]!;
      const units = first.data.length / items.length;
      idx.forEach((i, k) => {
        outputs[i] = first.data.slice(k * units, (k + 1) * units);
      });
    }
    options.onProgress?.(Math.min(rows.length, start + batchSize), rows.length);
  }
  return { outputs, failures, fromCache };
}
