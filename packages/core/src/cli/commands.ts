// The subcommands of `cxrkit`, in the order `--help` lists them. Register new ones here.
import type { CliCommand } from './command.js';
import { inspectCommand } from './inspect.js';

/** Every `cxrkit` subcommand. */
export const COMMANDS: CliCommand[] = [inspectCommand];
