// A small `cxrkit-experiments` program with this package's commands (train, experiment, report), for
// tests and for use before @cxrkit/cli mounts them. Resolves to the exit code; never calls process.exit.
import { isCxrkitError } from '@cxrkit/core/tfjs-free';
import { Command, CommanderError } from 'commander';
import type { CommandContext } from './command-context.js';
import { experimentCommand } from './experiment-command.js';
import { reportCommand } from './report-command.js';
import { trainCommand } from './train-command.js';

/** Usage errors (exit 2) among this package's error codes. */
const USAGE = new Set([
  'EXPERIMENT_UNKNOWN_KEY',
  'EXPERIMENT_INVALID',
  'EXPERIMENT_UNKNOWN_RUN',
  'EXPERIMENT_UNKNOWN_TASK',
  'EXPERIMENT_PARSE',
  'EXPERIMENT_NOT_FOUND',
  'EXPERIMENT_DUPLICATE_RUN',
  'EXPERIMENT_CYCLE',
]);

/**
 * Runs `argv` (the words after the program name) with this package's commands. `programName` is the name
 * usage lines show (`cxrkit` when @cxrkit/cli mounts these commands).
 */
export async function runExperimentsCli(
  argv: readonly string[],
  ctx: CommandContext,
  programName = 'cxrkit-experiments',
): Promise<number> {
  const program = new Command(programName).description('cxrkit train / experiment / report');
  for (const make of [trainCommand, experimentCommand, reportCommand]) program.addCommand(make(ctx));
  const configure = (c: Command) => {
    c.exitOverride()
      .showSuggestionAfterError(true)
      .configureOutput({ writeOut: ctx.io.stdout, writeErr: ctx.io.stderr });
    c.commands.forEach(configure);
  };
  configure(program);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return ctx.exitCode;
  } catch (e) {
    if (e instanceof CommanderError)
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' ? 0 : 2;
    ctx.io.stderr(`${e instanceof Error ? e.message : String(e)}\n`);
    if (isCxrkitError(e)) return USAGE.has(e.code) ? 2 : e.code === 'EXPERIMENT_OUT_MISMATCH' ? 3 : 1;
    return 1;
  }
}
