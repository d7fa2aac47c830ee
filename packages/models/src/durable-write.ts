// Durable file writes on Node: data fsync'ed before a rename makes it visible, so a crash (even kill -9
// or a power cut) leaves the old file or the new one, never a torn one. Node modules are imported
// lazily so the package barrel stays loadable in browsers.
const fsp = () => import('node:fs/promises');

/** Writes `data` to `file` (created or replaced) and fsyncs it before returning. */
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
    // Some file systems do not allow fsync on a directory; the rename is still atomic.
  }
}

/** Writes `text` to `file` atomically (temp file in the same folder, fsync, rename). */
export async function writeFileAtomic(file: string, text: string | Uint8Array): Promise<void> {
  const { rename } = await fsp();
  const { dirname } = await import('node:path');
  const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  await writeFileSynced(tmp, text);
  await rename(tmp, file);
  await syncDir(dirname(file));
}
