// The engines a command can run a model on, from loaders the application injects (the `cxrkit` bin passes
// `() => import('onnxruntime-node')`, a tfjs backend, …): this package never imports an engine itself.
//   onnx: model.onnx on onnxruntime (the card embedded in it, else model-card.json)
//   tfjs: model.json on TensorFlow.js with the injected backend (the card from model-card.json)
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readModelCard, type ModelCard } from '@cxrkit/models/card';
import { archiveError } from '../errors.js';
import type { PredictorFactory, ScreeningPredictor } from '../pipeline/predictor.js';

/** Engine names a command accepts. */
export const ENGINES = ['onnx', 'tfjs'] as const;
/** One of {@link ENGINES}. */
export type EngineName = (typeof ENGINES)[number];

/** What the application injects: how to load each engine. */
export interface EngineLoaders {
  /** onnxruntime for the onnx engine, e.g. `() => import('onnxruntime-node')`. */
  onnxruntime?: () => Promise<unknown> | unknown;
  /**
   * A TensorFlow.js backend for the tfjs engine, e.g.
   * `{ kind: 'wasm', load: () => import('@tensorflow/tfjs-backend-wasm') }` (without `load`: imported by name).
   */
  tfjs?: { kind: string; load?: () => Promise<unknown> | unknown };
}

/** Engine settings from the command line. */
export interface EngineSettings {
  /** onnxruntime intra-op threads (default: onnxruntime's, all cores). */
  threads?: number;
}

/** A model ready to screen with: its card and the factory of its predictor. */
export interface Engine {
  card: ModelCard;
  createPredictor: PredictorFactory;
}

const unavailable = (engine: string, why: string, fix: string, cause?: unknown) =>
  archiveError('ARCHIVE_ENGINE_UNAVAILABLE', `the ${engine} engine cannot run: ${why}`, engine, fix, cause);

/**
 * The card and predictor factory of the model in `modelDir` on `engine`.
 * @throws CxrkitError `ARCHIVE_ENGINE_UNAVAILABLE` (no loader for it, or the folder lacks the engine's model
 *   file), the card's errors.
 */
export async function openEngine(
  engine: EngineName,
  modelDir: string,
  loaders: EngineLoaders,
  settings: EngineSettings = {},
): Promise<Engine> {
  if (engine === 'onnx') {
    const load = loaders.onnxruntime;
    if (!load) throw unavailable('onnx', 'no onnxruntime was given', 'install onnxruntime-node, or use --engine tfjs');
    const file = join(modelDir, 'model.onnx');
    const bytes = await readFile(file).catch((e: unknown) => {
      throw unavailable(
        'onnx',
        `${file} cannot be read`,
        'export the model: exportOnnx(model, { card }) (@cxrkit/onnx)',
        e,
      );
    });
    const { createOnnxPredictor, readOnnxCard } = await import('@cxrkit/onnx');
    const card = readOnnxCard(bytes) ?? (await readModelCard(modelDir));
    return {
      card,
      createPredictor: async ({ batchSize }) =>
        (await createOnnxPredictor(bytes, {
          load,
          batchSize,
          ...(settings.threads ? { threads: settings.threads } : {}),
          allowSpinning: false,
        })) as ScreeningPredictor,
    };
  }
  const backend = loaders.tfjs;
  if (!backend) throw unavailable('tfjs', 'no TensorFlow.js backend was given', 'use --engine onnx');
  const { initBackend } = await import('@cxrkit/core');
  const { loadModelWithCard, createTfjsPredictor } = await import('@cxrkit/models');
  await initBackend({ kind: backend.kind as Parameters<typeof initBackend>[0]['kind'], load: backend.load });
  const loaded = await loadModelWithCard(modelDir).catch((e: unknown) => {
    throw unavailable('tfjs', `no layers model in ${modelDir}`, 'save it with saveModel(model, dir, { card })', e);
  });
  return {
    card: loaded.card,
    createPredictor: async ({ batchSize }) => {
      const p = createTfjsPredictor(loaded.model, { batchSize });
      return {
        inputNames: p.inputNames,
        outputNames: p.outputNames,
        engine: p.engine,
        predict: (inputs) => p.predict(inputs),
        dispose: async () => {
          await p.dispose();
          loaded.model.dispose();
        },
      };
    },
  };
}
