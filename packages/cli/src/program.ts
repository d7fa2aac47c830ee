// The `cxrkit` program: commander's root command with every command of ./commands/index.ts mounted,
// output routed to the context's io, and commander's exits turned into exceptions (run-cli.ts maps
// them to exit codes), so the program runs in-process in tests exactly as from the shell.
import { Command } from 'commander';
import { CXRKIT_VERSION } from '@cxrkit/models/card';
import { COMMANDS } from './commands/index.js';
import type { CliContext, CommandFactory } from './context.js';

function configure(cmd: Command, ctx: CliContext): void {
  cmd
    .exitOverride()
    .showSuggestionAfterError(true)
    .allowExcessArguments(false)
    .configureOutput({ writeOut: ctx.io.stdout, writeErr: ctx.io.stderr })
    .configureHelp({ helpWidth: Math.max(120, process.stdout.columns ?? 0) });
  for (const sub of cmd.commands) configure(sub, ctx);
}

/** The root command with `commands` (default: all of ./commands/index.ts) mounted. */
export function createProgram(ctx: CliContext, commands: readonly CommandFactory[] = COMMANDS): Command {
  const program = new Command('cxrkit')
    .description('cxrkit: opportunistic screening on chest radiographs — from a DICOM folder to a validated model')
    .version(CXRKIT_VERSION, '-V, --version')
    .addHelpText(
      'after',
      [
        '',
        'Exit codes: 0 ok, 1 failure (typed error on stderr), 2 usage error, 3 output exists (add --force).',
        'Run `cxrkit <command> --help` for a command’s options and examples.',
      ].join('\n'),
    );
  for (const make of commands) program.addCommand(make(ctx));
  configure(program, ctx);
  return program;
}
