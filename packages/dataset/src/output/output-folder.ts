// The output folder of a scan: created when missing; refused when it already holds files, unless the
// caller forces, and then only the files a scan writes are replaced (nothing else in it is touched).
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { datasetError } from '../errors.js';

/** The files and folders a scan writes into its output folder. */
export const SCAN_OUTPUT_FILES = [
  'manifest.csv',
  'exclusions.csv',
  'summary.json',
  'baseline.csv',
  'baseline.md',
  'baseline.html',
  'cache',
] as const;

/**
 * Checks that `out` can take a command's files without touching anything: missing, or an empty folder,
 * or `force`.
 * @throws CxrkitError `OUTPUT_NOT_A_FOLDER`, `OUTPUT_NOT_EMPTY` (it holds files and `force` is false).
 */
export async function checkOutputFolder(out: string, force = false): Promise<boolean> {
  const s = await stat(out).catch(() => undefined);
  if (s && !s.isDirectory()) {
    throw datasetError('OUTPUT_NOT_A_FOLDER', 'the output path is a file', {
      received: out,
      fix: 'pass a folder path for --out',
    });
  }
  if (!s) return false;
  const names = (await readdir(out)).filter((n) => !n.startsWith('.'));
  if (names.length && !force) {
    throw datasetError(
      'OUTPUT_NOT_EMPTY',
      `the output folder already holds ${names.length} file(s) (${names.slice(0, 3).join(', ')}${names.length > 3 ? ', …' : ''})`,
      {
        received: out,
        fix: 'pass an empty or new folder, or add --force to replace the files this command writes there',
      },
    );
  }
  return true;
}

/**
 * Makes `out` ready for a command that writes `names` into it (default: a scan's files). With `force`, only
 * those names are removed first.
 * @throws CxrkitError `OUTPUT_NOT_A_FOLDER`, `OUTPUT_NOT_EMPTY` (it holds files and `force` is false).
 */
export async function prepareOutputFolder(
  out: string,
  force = false,
  names: readonly string[] = SCAN_OUTPUT_FILES,
): Promise<void> {
  if (await checkOutputFolder(out, force)) {
    for (const n of names) await rm(join(out, n), { recursive: true, force: true });
  }
  await mkdir(out, { recursive: true });
}
