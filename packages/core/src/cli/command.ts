// The shape of a `cxrkit` subcommand. Add one by writing a module that exports a `CliCommand` and
// listing it in ./commands.ts.

/** Where a command writes (injectable so tests can capture output). */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** One `cxrkit <name>` subcommand. */
export interface CliCommand {
  /** The word after `cxrkit`, e.g. `inspect`. */
  name: string;
  /** One line for `cxrkit --help`. */
  summary: string;
  /** Full help text for `cxrkit <name> --help` (usage line first). */
  help: string;
  /** Runs with the arguments after the subcommand name; resolves to the process exit code. */
  run(args: string[], io: CliIo): Promise<number>;
}

/** Parsed `--flag`, `--key value` / `--key=value` options and positional arguments. */
export interface ParsedArgs {
  positional: string[];
  flags: Set<string>;
  values: Map<string, string>;
}

/**
 * Splits arguments into positionals, boolean flags (`booleanFlags`) and `--key value` options.
 * Anything after `--` is positional.
 */
export function parseArgs(args: string[], booleanFlags: readonly string[] = []): ParsedArgs {
  const out: ParsedArgs = { positional: [], flags: new Set(), values: new Map() };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      out.positional.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('--') || (a.startsWith('-') && a.length === 2)) {
      const eq = a.indexOf('=');
      const key = eq > 0 ? a.slice(0, eq) : a;
      if (eq > 0) out.values.set(key, a.slice(eq + 1));
      else if (booleanFlags.includes(key) || i + 1 >= args.length || args[i + 1]!.startsWith('-')) out.flags.add(key);
      else out.values.set(key, args[++i]!);
    } else {
      out.positional.push(a);
    }
  }
  return out;
}
