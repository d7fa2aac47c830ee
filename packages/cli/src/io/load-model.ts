// A saved model for evaluate / explain / export: a model folder (model.json + weights + model-card.json)
// on TensorFlow.js, or an ONNX file (card embedded by exportOnnx) on onnxruntime-node. The CLI is the
// application, so it picks the engine; the backend packages are loaded by name (optional peers), never
// imported statically.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type BackendKind, initBackend } from '@cxrkit/core';
import {
  type ModelCard,
  createTfjsPredictor,
  loadModelWithCard,
  type Predictor,
  registerWasmTrainingKernels,
} from '@cxrkit/models';
import { createOnnxPredictor, readOnnxInfo } from '@cxrkit/onnx';
import type * as tfl from '@tensorflow/tfjs-layers';
import { cliError } from './cli-error.js';
import type { Engine } from './common-options.js';
import { ONNXRUNTIME_PACKAGE } from './onnxruntime-package.js';

export { ONNXRUNTIME_PACKAGE };

/** A loaded model: its card, a predictor, and (tfjs) the layers model for Grad-CAM and export. */
export interface LoadedModel {
  card: ModelCard;
  predictor: Predictor;
  model?: tfl.LayersModel;
  engine: Engine;
}

/** Activates a TensorFlow.js backend by name (cpu, wasm, node, node-gpu); wasm gets cxrkit's gradient kernels. */
export async function startBackend(kind: BackendKind): Promise<string> {
  const name = await initBackend({ kind });
  if (kind === 'wasm') registerWasmTrainingKernels(); // Grad-CAM needs gradients stock wasm lacks
  return name;
}

async function onnxFile(path: string): Promise<string> {
  const s = await stat(path).catch(() => undefined);
  if (s?.isDirectory()) return join(path, 'model.onnx');
  return path;
}

/**
 * Loads `path` on `engine` ('tfjs': a folder written by saveModel; 'onnx': an .onnx file or a folder
 * holding model.onnx).
 * @throws CxrkitError `CLI_MODEL_NOT_FOUND`, `CLI_NO_CARD` (an ONNX file without an embedded card),
 *   `CLI_ONNXRUNTIME_MISSING`, and the loaders' own errors.
 */
export async function loadModelForCli(
  path: string,
  options: { engine: Engine; backend: BackendKind; batchSize?: number },
): Promise<LoadedModel> {
  if (!(await stat(path).catch(() => undefined))) {
    throw cliError('CLI_MODEL_NOT_FOUND', 'the model path does not exist', {
      received: path,
      fix: 'pass a model folder written by saveModel (model.json + model-card.json) or an .onnx file',
    });
  }
  if (options.engine === 'onnx') {
    const file = await onnxFile(path);
    const bytes = new Uint8Array(
      await readFile(file).catch((cause) => {
        throw cliError('CLI_MODEL_NOT_FOUND', 'cannot read the ONNX file', {
          received: file,
          fix: 'run cxrkit export <model> --onnx first',
          cause,
        });
      }),
    );
    const card = readOnnxInfo(bytes).card;
    if (!card) {
      throw cliError('CLI_NO_CARD', 'the ONNX file has no model card embedded', {
        received: file,
        fix: 'export it with cxrkit export <model folder> --onnx (which embeds the card)',
      });
    }
    let ort: unknown;
    try {
      ort = await import(ONNXRUNTIME_PACKAGE);
    } catch (cause) {
      throw cliError('CLI_ONNXRUNTIME_MISSING', `${ONNXRUNTIME_PACKAGE} is not installed`, {
        received: ONNXRUNTIME_PACKAGE,
        fix: `npm install ${ONNXRUNTIME_PACKAGE}, or run the model folder on --engine tfjs`,
        cause,
      });
    }
    const predictor = await createOnnxPredictor(bytes, {
      load: () => ort,
      batchSize: options.batchSize,
      allowSpinning: false,
    });
    return { card, predictor, engine: 'onnx' };
  }
  await startBackend(options.backend);
  const { model, card } = await loadModelWithCard(path);
  return { card, model, predictor: createTfjsPredictor(model, { batchSize: options.batchSize }), engine: 'tfjs' };
}
