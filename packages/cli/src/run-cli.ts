// `cxrkit` in-process: parses argv with the program, runs the command, and resolves to the exit code
// (see EXIT in context.ts). Errors print once, as text or (with --json) as one JSON object on stderr.
import { createProgram } from './program.js';
import { type CliContext, type CliIo, type CommandFactory, EXIT, processIo } from './context.js';
import { exitCodeFor, formatError } from './io/cli-error.js';

/**
 * Runs `cxrkit` with `argv` (the words after `cxrkit`), writing to `io` (default: the process's streams).
 * Resolves to the exit code; never calls process.exit.
 */
export async function runCli(
  argv: readonly string[],
  io: CliIo = processIo(),
  commands?: readonly CommandFactory[],
): Promise<number> {
  const ctx: CliContext = { io, env: process.env, exitCode: EXIT.OK };
  const program = createProgram(ctx, commands);
  if (argv.length === 0) {
    io.stderr(program.helpInformation());
    return EXIT.USAGE;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return ctx.exitCode;
  } catch (e) {
    const code = exitCodeFor(e);
    // commander has already printed its own usage errors and help
    if (!(e instanceof Error && e.name === 'CommanderError')) io.stderr(formatError(e, argv.includes('--json')));
    return code;
  }
}
