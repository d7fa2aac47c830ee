// Every file under a folder tree, streamed (opendir: a folder of a million files is never listed into memory
// at once, so its files come in the file system's order), depth first, sub-folders in name order. Hidden
// entries (".name"), DICOMDIR index files and excluded folders (the run's own output folder) are passed
// over; symbolic links to files are followed, links to folders are not (no cycles).
import { opendir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/** Options of {@link walkFolder}. */
export interface WalkOptions {
  /** Absolute folders not to enter (e.g. the output folder when it lies inside the input). */
  exclude?: readonly string[];
  /** A folder that cannot be listed (EACCES, …): reported here and passed over. Default: the walk throws. */
  onError?: (dir: string, error: unknown) => void;
}

/** Yields the absolute path of every regular file under `root`. */
export async function* walkFolder(root: string, options: WalkOptions = {}): AsyncGenerator<string> {
  const exclude = new Set((options.exclude ?? []).map((d) => resolve(d)));
  const stack = [resolve(root)];
  while (stack.length) {
    const dir = stack.pop()!;
    if (exclude.has(dir)) continue;
    const subdirs: string[] = [];
    let handle: Awaited<ReturnType<typeof opendir>>;
    try {
      handle = await opendir(dir);
    } catch (e) {
      if (!options.onError) throw e;
      options.onError(dir, e);
      continue;
    }
    for await (const entry of handle) {
      if (entry.name.startsWith('.') || entry.name === 'DICOMDIR') continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) subdirs.push(path);
      else if (entry.isFile()) yield path;
      else if (entry.isSymbolicLink()) {
        const target = await stat(path).catch(() => undefined);
        if (target?.isFile()) yield path;
      }
    }
    // visit sub-folders in name order (reversed onto the stack), so a run's order is reproducible
    stack.push(...subdirs.sort().reverse());
  }
}
