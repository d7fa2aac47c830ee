// The cxrkit CLI as a library: run it in-process, or add subcommands.
export { runCli } from './run-cli.js';
export { COMMANDS } from './commands.js';
export { parseArgs } from './command.js';
export type { CliCommand, CliIo, ParsedArgs } from './command.js';
export { inspectCommand, describeDicom, pixelStats } from './inspect.js';
