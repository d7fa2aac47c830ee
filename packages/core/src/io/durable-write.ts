/**
 * Durable, atomic writes on Node: data is fsync'ed before a rename makes it visible, and the folder is
 * fsync'ed after, so a crash at any instant (even kill -9 or a power cut) leaves the old file (or
 * folder) or the new one, never a torn one. The one copy cxrkit uses for saved models, training
 * checkpoints, their manifests and the serving card.
 *
 * Node only, but safe to import anywhere: `node:fs` / `node:path` are imported lazily inside each
 * function, so the tfjs-free barrel that re-exports this module still loads where they do not exist
 * (calling these functions there fails).
 */
import { CxrkitError } from '../errors.js';

const fsp = () => import('node:fs/promises');
const pathMod = () => import('node:path');

/** Per-process counter: with the pid and a random tail it keeps two temp names from colliding. */
let tempCounter = 0;

/**
 * A fresh name for a temporary sibling of `path`: `<path>.tmp-<pid>-<counter>-<random>`. Unique within
 * a process (the counter) and across processes (the pid, and the random tail for other machines
 * sharing a folder).
 */
export function tempSiblingPath(path: string): string {
  tempCounter = (tempCounter + 1) % Number.MAX_SAFE_INTEGER;
  const random = Math.floor(Math.random() * 36 ** 6)
    .toString(36)
    .padStart(6, '0');
  const pid = typeof process === 'object' && process ? process.pid : 0;
  return `${path}.tmp-${pid}-${tempCounter.toString(36)}-${random}`;
}

/** Writes `data` to `file` (created or replaced) and fsyncs it before returning. Not atomic by itself. */
export async function writeFileSynced(file: string, data: Uint8Array | string): Promise<void> {
  const { open } = await fsp();
  const fh = await open(file, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** fsyncs the folder `dir` (so a rename inside it is durable); a no-op where the file system refuses. */
export async function syncDir(dir: string): Promise<void> {
  const { open } = await fsp();
  try {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // Some file systems (and Windows) do not allow fsync on a folder; the rename is still atomic.
  }
}

/**
 * Writes `data` to `file` atomically and durably: a temporary sibling is written and fsync'ed, renamed
 * over `file`, and the folder fsync'ed. Readers see the old content or the new, never a part. The
 * folder must exist. On failure the temporary file is removed and the error rethrown.
 */
export async function writeFileAtomic(file: string, data: Uint8Array | string): Promise<void> {
  const { rename, rm } = await fsp();
  const { dirname } = await pathMod();
  const tmp = tempSiblingPath(file);
  try {
    await writeFileSynced(tmp, data);
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
  await syncDir(dirname(file));
}

/**
 * Writes a whole folder atomically: `fill(tmp)` writes the files into a fresh temporary sibling folder
 * (use {@link writeFileSynced} for each), which is then fsync'ed and renamed to `dir`. An existing
 * folder at `dir` is moved aside first and removed only once the new one is in place, so `dir` always
 * holds a complete old or new folder (between the two renames it is briefly absent). Parent folders are
 * created. On failure the temporary folder is removed and the error rethrown.
 * @throws CxrkitError `FILE_TARGET_NOT_DIR` when `dir` exists and is not a folder.
 */
export async function writeDirAtomic(dir: string, fill: (tmpDir: string) => Promise<void>): Promise<void> {
  const { mkdir, rename, rm, stat } = await fsp();
  const { dirname, resolve } = await pathMod();
  const target = resolve(dir);
  const parent = dirname(target);
  const existing = await stat(target).catch(() => undefined);
  if (existing && !existing.isDirectory()) {
    throw new CxrkitError('FILE_TARGET_NOT_DIR', `${target} exists and is not a folder`, {
      received: target,
      fix: 'choose a folder path, or remove the file',
    });
  }
  await mkdir(parent, { recursive: true });
  const tmp = tempSiblingPath(target);
  let old: string | undefined;
  try {
    await mkdir(tmp);
    await fill(tmp);
    await syncDir(tmp);
    try {
      await rename(tmp, target);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'EISDIR' && code !== 'EPERM') throw e;
      // `dir` exists (created meanwhile, or a folder rename cannot replace): move it aside, then swap.
      old = tempSiblingPath(`${target}.old`);
      await rename(target, old);
      await rename(tmp, target);
    }
  } catch (e) {
    await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    throw e;
  }
  await syncDir(parent);
  if (old) await rm(old, { recursive: true, force: true });
}
