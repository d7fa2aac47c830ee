// Every regular file under a folder (recursively, symlinked files included, hidden names skipped), sorted,
// so a scan's order — and which of two duplicates is kept — does not depend on the file system.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { datasetError } from '../errors.js';

/**
 * Lists the files under `dir`, sorted by path.
 * @throws CxrkitError `SCAN_NOT_A_FOLDER` when `dir` is missing or not a folder.
 */
export async function listFiles(dir: string): Promise<string[]> {
  const s = await stat(dir).catch(() => undefined);
  if (!s?.isDirectory()) {
    throw datasetError(
      'SCAN_NOT_A_FOLDER',
      s ? 'the path to scan is a file, not a folder' : 'the folder to scan does not exist',
      {
        received: dir,
        fix: 'pass the folder that holds the DICOM files (subfolders are scanned too)',
      },
    );
  }
  const out: string[] = [];
  const walk = async (d: string, depth: number): Promise<void> => {
    const entries = await readdir(d, { withFileTypes: true });
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p, depth + 1);
      else if (e.isFile()) out.push(p);
      else if (e.isSymbolicLink()) {
        const t = await stat(p).catch(() => undefined);
        if (t?.isFile()) out.push(p);
        else if (t?.isDirectory() && depth < 32) await walk(p, depth + 1);
      }
    }
  };
  await walk(dir, 0);
  return out.sort();
}
