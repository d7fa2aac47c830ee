// Options shared by the commands that run a model: engine, backend, batch size, split, progress.
import { BACKEND_KINDS, type BackendKind, backendKindFromEnv } from '@cxrkit/core';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { ENGINES, type Engine } from './load-model.js';
import { choiceOption, integerOption } from './option-parsers.js';

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
      'TensorFlow.js backend for --engine tfjs (default $CXRKIT_BACKEND, else wasm)',
      choiceOption('--backend', BACKEND_KINDS),
      backendKindFromEnv(ctx.env, 'wasm'),
    )
    .option('--batch-size <n>', 'images per inference call', integerOption('--batch-size', 1, 1024), 8)
    .option('--split <name>', "which split of the manifest ('all' for every row)", 'test')
    .option('--progress', 'draw a progress bar even when stderr is not a terminal')
    .option('--quiet', 'no progress output');
}
