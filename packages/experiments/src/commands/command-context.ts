// What a command factory of this package takes: the same shape as @cxrkit/cli's CliContext (where to
// write, the environment, the exit code), so `cxrkit` mounts these commands as they are.
import { type BackendKind, backendKindFromEnv, initBackend } from '@cxrkit/core';
import { registerWasmTrainingKernels } from '@cxrkit/models';
import type { ExperimentProgress } from '../run/train-run.js';

/** Where a command writes, the environment, and the exit code it settles on. */
export interface CommandContext {
  io: { stdout: (text: string) => void; stderr: (text: string) => void; isTTY: boolean };
  env: Record<string, string | undefined>;
  exitCode: number;
}

/** Starts the backend a command trains on: wasm (default, with cxrkit's training kernels) or cpu. */
export async function startBackend(kind: string | undefined, env: Record<string, string | undefined>): Promise<string> {
  const k = (kind ?? backendKindFromEnv(env, 'wasm')) as BackendKind;
  const name = await initBackend({ kind: k });
  if (k === 'wasm') registerWasmTrainingKernels();
  return name;
}

/** Progress as plain lines on stderr (one per run start/end and per epoch), unless --quiet. */
export function progressLines(ctx: CommandContext, quiet: boolean): ((p: ExperimentProgress) => void) | undefined {
  if (quiet) return undefined;
  return (p) => ctx.io.stderr(`${p.index ? `[${p.index}/${p.total}] ` : ''}${p.message}\n`);
}
