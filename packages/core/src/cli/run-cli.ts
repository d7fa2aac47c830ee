// `cxrkit` argument dispatch: `cxrkit <command> [args]`, `cxrkit --help`, `cxrkit <command> --help`.
import { didYouMean } from '../errors.js';
import type { CliCommand, CliIo } from './command.js';
import { COMMANDS } from './commands.js';

const defaultIo: CliIo = {
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
};

function usage(commands: readonly CliCommand[]): string {
  const w = Math.max(...commands.map((c) => c.name.length));
  return [
    'usage: cxrkit <command> [options]',
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`),
    '',
    'Run `cxrkit <command> --help` for a command’s options.',
    '',
  ].join('\n');
}

/**
 * Runs the CLI on `argv` (the arguments after the program name) and resolves to the exit code.
 * Never throws for bad input: unknown commands and typed errors are printed on stderr.
 */
export async function runCli(argv: string[], io: CliIo = defaultIo, commands: readonly CliCommand[] = COMMANDS): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    if (name === 'help' && rest[0]) return runCli([rest[0], '--help'], io, commands);
    (name === undefined ? io.stderr : io.stdout)(usage(commands));
    return name === undefined ? 2 : 0;
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    const hint = didYouMean(name, commands.map((c) => c.name));
    io.stderr(`cxrkit: unknown command ${JSON.stringify(name)}${hint ? ` (did you mean ${hint}?)` : ''}\n\n${usage(commands)}`);
    return 2;
  }
  try {
    return await cmd.run(rest, io);
  } catch (e) {
    io.stderr(`cxrkit ${name}: unexpected error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 70;
  }
}
