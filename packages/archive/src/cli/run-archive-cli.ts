// The commands of this package behind one dispatcher, for its own `cxrkit-archive` bin: `screen`,
// `screen-merge`, `screen-enqueue`, `screen-worker`, `screen-export` (the `cxrkit` executable of @cxrkit/cli
// mounts the same commands as delegated commands; another commander program can use mount-commands.ts).
import { EXIT, processIo, type CliCommand, type CliIo } from './command.js';
import type { EngineLoaders } from './engines.js';
import { mergeCommand } from './merge-command.js';
import { createWorkerCommand, enqueueCommand, exportCommand } from './queue-commands.js';
import { createScreenCommand } from './screen-command.js';

/** Every archive command, with the engines the application provides. */
export function archiveCommands(engines: EngineLoaders): CliCommand[] {
  return [
    createScreenCommand({ engines }),
    mergeCommand,
    enqueueCommand,
    createWorkerCommand({ engines }),
    exportCommand,
  ];
}

function usage(commands: readonly CliCommand[], program: string): string {
  const w = Math.max(...commands.map((c) => c.name.length));
  return [
    `usage: ${program} <command> [options]`,
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`),
    '',
    `Run \`${program} <command> --help\` for a command's options.`,
    '',
  ].join('\n');
}

/** Options of {@link runArchiveCli}. */
export interface ArchiveCliOptions {
  engines: EngineLoaders;
  io?: CliIo;
  /** Name shown in the usage line. Default 'cxrkit-archive'. */
  program?: string;
}

/** Runs `argv` (the arguments after the program name); resolves to the exit code. */
export async function runArchiveCli(argv: string[], options: ArchiveCliOptions): Promise<number> {
  const io = options.io ?? processIo;
  const program = options.program ?? 'cxrkit-archive';
  const commands = archiveCommands(options.engines);
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    (name === undefined ? io.stderr : io.stdout)(usage(commands, program));
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    io.stderr(`${program}: unknown command ${JSON.stringify(name)}\n\n${usage(commands, program)}`);
    return EXIT.usage;
  }
  return cmd.run(rest, io);
}
