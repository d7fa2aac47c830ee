import { CxrkitError, assertKnownKeys, describeValue } from '@cxrkit/core/tfjs-free';
import type { ArrayBatch, PredictInputs, PredictOutputs } from './types.js';

/** True when `v` looks like an {@link ArrayBatch}. */
export function isArrayBatch(v: unknown): v is ArrayBatch {
  return (
    typeof v === 'object' &&
    v !== null &&
    (v as ArrayBatch).data instanceof Float32Array &&
    Array.isArray((v as ArrayBatch).shape)
  );
}

/**
 * Checks `inputs` against the model's input names and returns them in input order with their common
 * batch size. Used by every predictor so they reject the same mistakes with the same errors.
 * @throws CxrkitError `PREDICT_BAD_INPUT` for a missing, extra or malformed input, or a batch-size mismatch.
 */
export function orderInputs(
  inputs: PredictInputs,
  inputNames: readonly string[],
  pkg = 'models',
): { batches: ArrayBatch[]; batch: number } {
  let named: Record<string, ArrayBatch>;
  if (isArrayBatch(inputs)) {
    if (inputNames.length !== 1) {
      throw new CxrkitError(
        'PREDICT_BAD_INPUT',
        `the model has ${inputNames.length} inputs but one unnamed batch was given`,
        {
          received: 'one ArrayBatch',
          fix: `pass an object keyed by input name: { ${inputNames.map((n) => `${n}: …`).join(', ')} }`,
          pkg,
        },
      );
    }
    named = { [inputNames[0]!]: inputs };
  } else if (typeof inputs === 'object' && inputs !== null) {
    named = inputs as Record<string, ArrayBatch>;
  } else {
    throw new CxrkitError(
      'PREDICT_BAD_INPUT',
      'inputs must be a { data: Float32Array, shape } batch or an object of them',
      { received: inputs, pkg, fix: 'see ArrayBatch' },
    );
  }
  const fix = `use the model's input names: ${inputNames.join(', ')}`;
  assertKnownKeys(named, inputNames, { code: 'PREDICT_BAD_INPUT', pkg, what: 'model input', fix });
  const batches = inputNames.map((name) => {
    const b = named[name];
    if (b === undefined) {
      throw new CxrkitError('PREDICT_BAD_INPUT', `input '${name}' is missing`, {
        received: Object.keys(named),
        fix: `pass all of: ${inputNames.join(', ')}`,
        pkg,
      });
    }
    if (!isArrayBatch(b) || b.shape.length < 1) {
      throw new CxrkitError(
        'PREDICT_BAD_INPUT',
        `input '${name}' is not a { data: Float32Array, shape: number[] } batch`,
        { received: describeValue(b), fix: 'convert it with Float32Array.from(...) and give its shape', pkg },
      );
    }
    const size = b.shape.reduce((a, d) => a * d, 1);
    if (size !== b.data.length || b.shape.some((d) => !Number.isInteger(d) || d < 0)) {
      throw new CxrkitError(
        'PREDICT_BAD_INPUT',
        `input '${name}' has ${b.data.length} values but its shape [${b.shape.join(', ')}] needs ${size}`,
        { received: b.shape, fix: 'fix the shape or the data', pkg },
      );
    }
    return b;
  });
  const batch = batches[0]!.shape[0]!;
  if (batch === 0)
    throw new CxrkitError('PREDICT_BAD_INPUT', 'the batch is empty (0 rows)', {
      received: batches[0]!.shape,
      fix: 'pass at least one image',
      pkg,
    });
  batches.forEach((b, i) => {
    if (b.shape[0] !== batch) {
      throw new CxrkitError(
        'PREDICT_BAD_INPUT',
        `input '${inputNames[i]}' has batch ${b.shape[0]} but '${inputNames[0]}' has ${batch}`,
        { received: b.shape, fix: 'give every input the same number of rows', pkg },
      );
    }
  });
  return { batches, batch };
}

/** Rows `[start, end)` of a batch (a view when possible; no copy of the underlying buffer). */
export function sliceRows(b: ArrayBatch, start: number, end: number): ArrayBatch {
  const row = b.shape.slice(1).reduce((a, d) => a * d, 1);
  return { data: b.data.subarray(start * row, end * row), shape: [end - start, ...b.shape.slice(1)] };
}

/** Concatenates per-chunk outputs along the batch axis. */
export function concatChunks(chunks: PredictOutputs[], outputNames: readonly string[]): PredictOutputs {
  const out: PredictOutputs = {};
  for (const name of outputNames) {
    const parts = chunks.map((c) => c[name]!);
    if (parts.length === 1) {
      out[name] = parts[0]!;
      continue;
    }
    const total = parts.reduce((a, p) => a + p.data.length, 0);
    const data = new Float32Array(total);
    let o = 0;
    for (const p of parts) {
      data.set(p.data, o);
      o += p.data.length;
    }
    out[name] = { data, shape: [parts.reduce((a, p) => a + p.shape[0]!, 0), ...parts[0]!.shape.slice(1)] };
  }
  return out;
}

/** Validates a `batchSize` option (positive integer) and returns it or the default. */
export function resolveBatchSize(batchSize: number | undefined, pkg = 'models', fallback = 8): number {
  if (batchSize === undefined) return fallback;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new CxrkitError('PREDICT_BAD_OPTION', 'batchSize must be a positive integer', {
      received: batchSize,
      fix: 'pass e.g. batchSize: 8',
      pkg,
    });
  }
  return batchSize;
}
