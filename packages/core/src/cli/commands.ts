// The subcommands of `cxrkit`, in the order `--help` lists them. Register new core commands here.
// A command that needs another package (e.g. `screen`, which needs @cxrkit/models) cannot live in core
// (dependencies point one way): that package exports its CliCommand and its own bin calls
// `runCli(process.argv.slice(2), undefined, [...COMMANDS, screenCommand])`.
import type { CliCommand } from './command.js';
import { inspectCommand } from './inspect.js';

/** Every `cxrkit` subcommand. */
export const COMMANDS: CliCommand[] = [inspectCommand];
