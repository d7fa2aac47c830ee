// The archive commands inside another commander program (the `cxrkit` executable of @cxrkit/cli): each one
// becomes a subcommand that hands its arguments, untouched, to the command's own parser, so `cxrkit screen …`
// and `cxrkit-archive screen …` parse, print help and exit alike. The factories have the shape of
// @cxrkit/cli's command factories (`(ctx) => Command`, the exit code left in `ctx.exitCode`).
import { Command } from 'commander';
import type { CliCommand, CliIo } from './command.js';
import type { EngineLoaders } from './engines.js';
import { archiveCommands } from './run-archive-cli.js';

/** Where a mounted command writes, and where it leaves its exit code (the shape of @cxrkit/cli's context). */
export interface MountContext {
  io: CliIo;
  exitCode: number;
}

/**
 * One archive command as a commander subcommand: every argument after its name (options, `--help` included)
 * goes to the command's own parser. Options the parent program defines itself (e.g. its `-V`) stay the parent's.
 */
export function commanderCommand(command: CliCommand, ctx: MountContext): Command {
  return new Command(command.name)
    .description(command.summary)
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .argument('[args...]', `see \`${command.name} --help\``)
    .action(async (args: string[]) => {
      ctx.exitCode = await command.run(args, ctx.io);
    });
}

/** A factory `(ctx) => Command` per archive command (`screen`, `screen-merge`, `screen-enqueue`, …). */
export function archiveCommandFactories(engines: EngineLoaders): ((ctx: MountContext) => Command)[] {
  return archiveCommands(engines).map((command) => (ctx: MountContext) => commanderCommand(command, ctx));
}

/** Adds every archive command to `program` (run with `ctx`); returns `program`. */
export function addArchiveCommands(program: Command, options: { engines: EngineLoaders; ctx: MountContext }): Command {
  for (const make of archiveCommandFactories(options.engines)) program.addCommand(make(options.ctx));
  return program;
}
