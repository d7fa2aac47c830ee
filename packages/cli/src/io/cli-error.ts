// Errors the CLI raises itself (bad option values): core's CxrkitError with the `[cxrkit/cli]` prefix,
// and how any error maps to an exit code and a message.
import { CxrkitError, type CxrkitErrorOptions, isCxrkitError } from '@cxrkit/core/tfjs-free';
import { CommanderError } from 'commander';
import { EXIT } from '../context.js';

/** A CxrkitError raised by the CLI (`[cxrkit/cli] CODE: …`). */
export function cliError(code: string, message: string, options: Omit<CxrkitErrorOptions, 'pkg'> = {}): CxrkitError {
  return new CxrkitError(code, message, { ...options, pkg: 'cli' });
}

/** Error codes that mean the user typed a bad option value: exit 2, like commander's own usage errors. */
export const USAGE_ERROR_CODES: ReadonlySet<string> = new Set([
  'CLI_BAD_OPTION',
  'SCAN_BAD_KEY',
  'SCAN_BAD_OPTION',
  'LABELS_UNKNOWN_COLUMN',
  'CACHE_BAD_OPTION',
  'MANIFEST_UNKNOWN_SPLIT',
  'BACKEND_UNKNOWN',
]);

/** Error codes that mean "the output exists and --force was not given": exit 3. */
export const OUTPUT_EXISTS_CODES: ReadonlySet<string> = new Set(['OUTPUT_NOT_EMPTY', 'CLI_OUTPUT_EXISTS']);

/** The exit code for an error thrown by a command. */
export function exitCodeFor(e: unknown): number {
  if (e instanceof CommanderError) {
    return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' ? EXIT.OK : EXIT.USAGE;
  }
  if (isCxrkitError(e)) {
    if (USAGE_ERROR_CODES.has(e.code)) return EXIT.USAGE;
    if (OUTPUT_EXISTS_CODES.has(e.code)) return EXIT.OUTPUT_EXISTS;
  }
  return EXIT.FAILURE;
}

/** The error as one JSON object (for --json runs), or as text. */
export function formatError(e: unknown, json: boolean): string {
  if (isCxrkitError(e)) {
    return json
      ? `${JSON.stringify({ error: { code: e.code, message: e.message, fix: e.fix ?? null } })}\n`
      : `${e.message}\n`;
  }
  const message = e instanceof Error ? e.message : String(e);
  return json
    ? `${JSON.stringify({ error: { code: 'UNEXPECTED', message } })}\n`
    : `[cxrkit/cli] unexpected error: ${message}\n${e instanceof Error && process.env.CXRKIT_DEBUG ? `${e.stack}\n` : ''}`;
}
