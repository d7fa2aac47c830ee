// What every `cxrkit` command gets: where to write (injectable, so tests capture output), the
// environment, and the exit code the command settles on. Commands are commander `Command`s made by a
// factory (one file per command, listed in ./commands/index.ts).
import type { Command } from 'commander';

/** Where the CLI writes. `isTTY` says whether stderr is a terminal (progress bars only there, or when asked). */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  isTTY: boolean;
}

/** Passed to each command factory. */
export interface CliContext {
  io: CliIo;
  env: Record<string, string | undefined>;
  /** The exit code the run ends with; a command's action sets it (default 0). */
  exitCode: number;
}

/** Makes one top-level `cxrkit` command (with its subcommands) for a context. */
export type CommandFactory = (ctx: CliContext) => Command;

/** The exit codes of `cxrkit`, as documented in the package README. */
export const EXIT = {
  /** Done. */
  OK: 0,
  /** It failed: a typed error (an unreadable model or labels file, no DICOM in the folder, …) on stderr. */
  FAILURE: 1,
  /** Usage: unknown command or option (with "did you mean"), a missing argument, a bad option value. */
  USAGE: 2,
  /** The output exists and holds files; nothing was overwritten (add --force). */
  OUTPUT_EXISTS: 3,
  /** Interrupted (Ctrl-C). */
  INTERRUPTED: 130,
} as const;

/** The process's own streams. */
export function processIo(): CliIo {
  return {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    isTTY: process.stderr.isTTY === true,
  };
}
