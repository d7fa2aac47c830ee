// Options shared by the commands that run a model: engine, backend, batch size, split, progress.
// (TensorFlow.js loads only when a command runs a model: --help and usage errors stay fast.)
import type { BackendKind } from '@cxrkit/core';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { choiceOption, integerOption } from './option-parsers.js';

/** The engines a model can run on. */
export const ENGINES = ['tfjs', 'onnx'] as const;
/** One of {@link ENGINES}. */
export type Engine = (typeof ENGINES)[number];

/** The TensorFlow.js backend a command uses by default: $CXRKIT_BACKEND, else `fallback`. */
export function defaultBackend(ctx: CliContext, fallback: BackendKind): BackendKind {
  return (ctx.env.CXRKIT_BACKEND as BackendKind | undefined) || fallback;
}

/** The values of the shared options. */
export interface ModelRunFlags {
  engine: Engine;
  backend: BackendKind;
  batchSize: number;
  split: string;
  progress?: boolean;
  quiet?: boolean;
}

/** Adds --engine, --backend, --batch-size, --split, --progress, --quiet to `cmd`. */
export function addModelRunOptions(cmd: Command, ctx: CliContext, engines: readonly Engine[] = ENGINES): Command {
  return cmd
    .option('--engine <engine>', `run the model on ${engines.join(' or ')}`, choiceOption('--engine', engines), 'tfjs')
    .option(
      '--backend <kind>',
      'TensorFlow.js backend for --engine tfjs: cpu, wasm, node, node-gpu (default $CXRKIT_BACKEND, else wasm)',
      defaultBackend(ctx, 'wasm'),
    )
    .option('--batch-size <n>', 'images per inference call', integerOption('--batch-size', 1, 1024), 8)
    .option('--split <name>', "which split of the manifest ('all' for every row)", 'test')
    .option('--progress', 'draw a progress bar even when stderr is not a terminal')
    .option('--quiet', 'no progress output');
}
