// The JSON-lines log of a run: one line per finished epoch, rewritten from the checkpoint's history
// when a run resumes, so that it always matches the weights.
import { writeFileAtomic } from '@cxrkit/core';
import type { EpochRecord } from './types.js';

/** Creates (or, on resume, rewrites) the log at `path` with the epochs in `history`. */
export async function startTrainLog(path: string, history: readonly EpochRecord[]): Promise<void> {
  const { mkdir } = await import('node:fs/promises');
  const { dirname } = await import('node:path');
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, history.map((r) => `${JSON.stringify(r)}\n`).join(''));
}

/** Appends one epoch's record. */
export async function appendTrainLog(path: string, record: EpochRecord): Promise<void> {
  const { appendFile } = await import('node:fs/promises');
  await appendFile(path, `${JSON.stringify(record)}\n`);
}
