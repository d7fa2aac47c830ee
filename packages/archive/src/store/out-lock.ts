// One writer per output folder: a lock file created exclusively (O_EXCL) holding the writer's pid and host.
// A lock left by a process that is gone (killed, crashed) on this host is taken over; a live one, or one
// from another host (a shared volume), is refused — two runs appending to the same results would race.
import { hostname } from 'node:os';
import { join } from 'node:path';
import { open, readFile, rm } from 'node:fs/promises';
import { archiveFail } from '../errors.js';

/** Name of the lock file inside an output folder. */
export const OUT_LOCK_FILE = '.cxrkit-screen.lock';

interface LockBody {
  pid: number;
  host: string;
  startedAt: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the lock of `dir` (which must exist); resolves to the function that releases it.
 * @throws CxrkitError `ARCHIVE_OUT_LOCKED` when a live process (or one on another host) holds it.
 */
export async function lockOutDir(dir: string): Promise<() => Promise<void>> {
  const path = join(dir, OUT_LOCK_FILE);
  const body: LockBody = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await open(path, 'wx');
      await fh.writeFile(`${JSON.stringify(body)}\n`);
      await fh.close();
      return async () => {
        await rm(path, { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let holder: Partial<LockBody> = {};
    try {
      holder = JSON.parse(await readFile(path, 'utf8')) as LockBody;
    } catch {
      // an empty or torn lock file: its writer died while creating it
    }
    const sameHost = holder.host === undefined || holder.host === body.host;
    if (sameHost && (holder.pid === undefined || !alive(holder.pid))) {
      await rm(path, { force: true });
      continue;
    }
    archiveFail(
      'ARCHIVE_OUT_LOCKED',
      `${dir} is being written by process ${holder.pid} on ${holder.host} (since ${holder.startedAt})`,
      dir,
      sameHost
        ? 'wait for that run to finish, or give this one another --out'
        : `if that process is gone, delete ${path}; to screen from several machines use --shard i/n with one ` +
            '--out per shard, or the BullMQ queue',
    );
  }
  return archiveFail('ARCHIVE_OUT_LOCKED', `could not take ${path}`, dir, 'run again');
}
