/**
 * @cxrkit/cli — the `cxrkit` executable as a library: `runCli(argv, io)` runs it in-process (tests, other
 * tools), `createProgram` gives the commander program, `COMMANDS` lists the command factories (a package
 * that adds a command exports a `CommandFactory`). Data flow: argv → commander → a command → the cxrkit
 * libraries (dataset, models, metrics, gradcam, onnx) → files and stdout.
 */
export { runCli } from './run-cli.js';
export { createProgram } from './program.js';
export { COMMANDS } from './commands/index.js';
export { EXIT, processIo } from './context.js';
export type { CliContext, CliIo, CommandFactory } from './context.js';
export { cliError, exitCodeFor, formatError, USAGE_ERROR_CODES, OUTPUT_EXISTS_CODES } from './io/cli-error.js';
export { createProgress } from './io/progress.js';
export type { Progress, ProgressFlags } from './io/progress.js';
export { integerOption, numberOption, choiceOption, listOption, splitOption } from './io/option-parsers.js';
export { describeDicom, pixelStats } from './commands/inspect.js';
