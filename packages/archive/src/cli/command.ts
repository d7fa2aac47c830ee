// The shape of an archive command: a name, a summary, its help, and `run(args, io)` resolving to the exit code.
// The package's own bin dispatches them (run-archive-cli.ts); another commander program, such as the `cxrkit`
// executable of @cxrkit/cli, mounts them with mount-commands.ts.

/** Where a command writes (injectable so tests can capture output). */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** True when stderr is a terminal (the progress bar is drawn only then). Default false. */
  isTTY?: boolean;
}

/** One `cxrkit <name>` subcommand. */
export interface CliCommand {
  /** The word after `cxrkit`, e.g. `screen`. */
  name: string;
  /** One line for `cxrkit --help`. */
  summary: string;
  /** Full help text for `cxrkit <name> --help` (usage line first). */
  help: string;
  /** Runs with the arguments after the subcommand name; resolves to the process exit code. */
  run(args: string[], io: CliIo): Promise<number>;
}

/** The process's own stdout/stderr. */
export const processIo: CliIo = {
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
  isTTY: process.stderr.isTTY === true,
};

/** Exit codes of the archive commands (documented in `--help` and the README). */
export const EXIT = {
  /** Finished: every instance has a result or an error line. */
  ok: 0,
  /** Stopped by an error of the run itself (model, output folder, Redis): what was stored stays. */
  failed: 1,
  /** Bad usage: unknown option, missing argument, an input that does not exist. */
  usage: 2,
  /** Finished, but some files failed and `--strict` was given. */
  someFailed: 3,
  /** Interrupted (SIGINT/SIGTERM): in-flight batches were stored; run again to continue. */
  interrupted: 130,
} as const;
