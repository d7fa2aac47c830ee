// Training checkpoints on the file system, written so that a crash at any instant (even kill -9) leaves
// either the previous complete checkpoint or the new complete one — never a half-written one that loads.
//
// Layout of a checkpoint folder:
//   manifest.json                  { latest, best } — names of the complete checkpoints; written last
//   latest-s000120-<id>/state.json trainer state + a table of tensors + size and SHA-256 of weights.bin
//   latest-s000120-<id>/weights.bin raw little-endian tensor data (model weights, then optimizer state)
//   best-e0003-<id>/…               the same, for the best epoch so far
//   train-log.jsonl                 one JSON line per finished epoch
// A checkpoint is written into a temporary folder, fsync'ed, renamed into place (core's writeDirAtomic),
// and only then named in a new manifest (itself written to a temp file and renamed: writeFileAtomic).
// Loading verifies the manifest, the state, the byte length and the SHA-256 of the weights, and raises a
// typed error on any mismatch.
import { modelsError } from '../errors.js';
import { writeDirAtomic, writeFileAtomic, writeFileSynced } from '@cxrkit/core';

/** Identifies the files; bump VERSION on an incompatible change. */
export const CHECKPOINT_FORMAT = 'cxrkit-train-checkpoint';
export const CHECKPOINT_VERSION = 1;
const MANIFEST = 'manifest.json';
const STATE = 'state.json';
const WEIGHTS = 'weights.bin';

/** A tensor stored in a checkpoint. */
export interface StoredTensor {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  data: Float32Array | Int32Array;
}

interface TensorEntry {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  offset: number;
  byteLength: number;
}

/** The JSON part of a checkpoint as stored (the trainer's own state lives in `trainer`). */
export interface CheckpointFile<T> {
  format: typeof CHECKPOINT_FORMAT;
  version: number;
  createdAt: string;
  trainer: T;
  tensors: TensorEntry[];
  weightsFile: { name: string; bytes: number; sha256: string };
}

/** A loaded, verified checkpoint. */
export interface LoadedCheckpoint<T> {
  /** Folder of this checkpoint. */
  path: string;
  trainer: T;
  tensors: StoredTensor[];
}

interface Manifest {
  format: typeof CHECKPOINT_FORMAT;
  version: number;
  latest?: string;
  best?: string;
  updatedAt: string;
}

const fsp = () => import('node:fs/promises');
const pathMod = () => import('node:path');

async function sha256(bytes: Uint8Array): Promise<string> {
  const { createHash } = await import('node:crypto');
  return createHash('sha256').update(bytes).digest('hex');
}

async function readManifest(dir: string): Promise<Manifest | undefined> {
  const { readFile } = await fsp();
  const { join } = await pathMod();
  let text: string;
  try {
    text = await readFile(join(dir, MANIFEST), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  let m: Manifest;
  try {
    m = JSON.parse(text) as Manifest;
  } catch (cause) {
    throw modelsError(
      'CHECKPOINT_CORRUPT',
      `${join(dir, MANIFEST)} is not valid JSON`,
      text.slice(0, 80),
      'restore the folder from a backup, or start without resumeFrom',
      cause,
    );
  }
  if (m?.format !== CHECKPOINT_FORMAT)
    throw modelsError(
      'CHECKPOINT_CORRUPT',
      `${join(dir, MANIFEST)} is not a cxrkit checkpoint manifest`,
      m?.format,
      'point resumeFrom at a folder written by train({ checkpointDir })',
    );
  if (m.version !== CHECKPOINT_VERSION)
    throw modelsError(
      'CHECKPOINT_INCOMPATIBLE',
      `checkpoint manifest version ${m.version} is not supported (this cxrkit reads ${CHECKPOINT_VERSION})`,
      m.version,
      'resume with the cxrkit version that wrote it',
    );
  return m;
}

/**
 * Writes one checkpoint (`kind` 'latest' or 'best') into `dir` atomically and names it in the manifest;
 * older checkpoints of the same kind and stale temp folders are removed afterwards. Returns its folder.
 * `tag` becomes part of the folder name (e.g. `s000120` or `e0003`).
 */
export async function writeCheckpoint<T>(
  dir: string,
  kind: 'latest' | 'best',
  tag: string,
  trainer: T,
  tensors: readonly StoredTensor[],
): Promise<string> {
  const { mkdir, readdir, rm } = await fsp();
  const { join } = await pathMod();
  await mkdir(dir, { recursive: true });
  const name = `${kind}-${tag}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

  let bytes = 0;
  const entries: TensorEntry[] = tensors.map((t) => {
    const e = { name: t.name, shape: t.shape, dtype: t.dtype, offset: bytes, byteLength: t.data.byteLength };
    bytes += t.data.byteLength;
    return e;
  });
  const blob = new Uint8Array(bytes);
  for (let i = 0; i < tensors.length; i++) {
    const d = tensors[i]!.data;
    blob.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), entries[i]!.offset);
  }
  const file: CheckpointFile<T> = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    createdAt: new Date().toISOString(),
    trainer,
    tensors: entries,
    weightsFile: { name: WEIGHTS, bytes, sha256: await sha256(blob) },
  };
  const final = join(dir, name);
  await writeDirAtomic(final, async (tmp) => {
    await writeFileSynced(join(tmp, WEIGHTS), blob);
    await writeFileSynced(join(tmp, STATE), JSON.stringify(file));
  });

  const old = (await readManifest(dir).catch(() => undefined)) ?? {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    updatedAt: '',
  };
  const manifest: Manifest = {
    ...old,
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    [kind]: name,
    updatedAt: new Date().toISOString(),
  };
  await writeFileAtomic(join(dir, MANIFEST), JSON.stringify(manifest, null, 2));

  // Only now is the previous checkpoint of this kind unreferenced: prune it, and any crash leftovers
  // (temporary folders are named `<kind>-….tmp-…`; `.tmp-…` ones come from cxrkit 0.1's writer).
  const keep = new Set([manifest.latest, manifest.best]);
  for (const entry of await readdir(dir)) {
    const stale = (entry.startsWith('latest-') || entry.startsWith('best-')) && !keep.has(entry);
    if (stale || entry.startsWith('.tmp-')) await rm(join(dir, entry), { recursive: true, force: true });
  }
  return final;
}

/**
 * Reads and verifies a checkpoint: `path` is a checkpoint folder written by the trainer (its manifest's
 * `which` checkpoint is used, default 'latest') or one checkpoint folder inside it.
 * @throws CxrkitError CHECKPOINT_NOT_FOUND, CHECKPOINT_CORRUPT (bad JSON, wrong size, SHA-256 mismatch,
 *   missing files), CHECKPOINT_INCOMPATIBLE (another format version).
 */
export async function readCheckpoint<T>(
  path: string,
  which: 'latest' | 'best' = 'latest',
): Promise<LoadedCheckpoint<T>> {
  const { readFile, stat } = await fsp();
  const { join, resolve } = await pathMod();
  let folder = resolve(path);
  const st = await stat(folder).catch(() => undefined);
  if (!st?.isDirectory())
    throw modelsError(
      'CHECKPOINT_NOT_FOUND',
      `no checkpoint folder at ${folder}`,
      path,
      'pass the checkpointDir of an earlier train() run',
    );
  const manifest = await readManifest(folder);
  if (manifest) {
    const name = manifest[which];
    if (!name)
      throw modelsError(
        'CHECKPOINT_NOT_FOUND',
        `the manifest in ${folder} names no '${which}' checkpoint`,
        manifest,
        which === 'best' ? "use 'latest'" : 'the run wrote no checkpoint yet; start without resumeFrom',
      );
    folder = join(folder, name);
  } else if (!(await stat(join(folder, STATE)).catch(() => undefined))) {
    throw modelsError(
      'CHECKPOINT_NOT_FOUND',
      `${folder} holds neither ${MANIFEST} nor ${STATE}`,
      path,
      'pass the checkpointDir of an earlier train() run (a half-written checkpoint has no manifest entry and is never loaded)',
    );
  }

  let text: string;
  try {
    text = await readFile(join(folder, STATE), 'utf8');
  } catch (cause) {
    throw modelsError(
      'CHECKPOINT_CORRUPT',
      `${join(folder, STATE)} is missing or unreadable`,
      folder,
      'the checkpoint is damaged: resume from an older copy or start again',
      cause,
    );
  }
  let file: CheckpointFile<T>;
  try {
    file = JSON.parse(text) as CheckpointFile<T>;
  } catch (cause) {
    throw modelsError(
      'CHECKPOINT_CORRUPT',
      `${join(folder, STATE)} is not valid JSON (truncated?)`,
      `${text.length} characters`,
      'the checkpoint is damaged: resume from an older copy or start again',
      cause,
    );
  }
  if (file?.format !== CHECKPOINT_FORMAT || !Array.isArray(file.tensors) || !file.weightsFile) {
    throw modelsError(
      'CHECKPOINT_CORRUPT',
      `${join(folder, STATE)} is not a cxrkit training checkpoint`,
      file?.format,
      'point resumeFrom at a folder written by train({ checkpointDir })',
    );
  }
  if (file.version !== CHECKPOINT_VERSION)
    throw modelsError(
      'CHECKPOINT_INCOMPATIBLE',
      `checkpoint version ${file.version} is not supported (this cxrkit reads ${CHECKPOINT_VERSION})`,
      file.version,
      'resume with the cxrkit version that wrote it',
    );

  let blob: Uint8Array;
  try {
    blob = new Uint8Array(await readFile(join(folder, file.weightsFile.name)));
  } catch (cause) {
    throw modelsError(
      'CHECKPOINT_CORRUPT',
      `${join(folder, file.weightsFile.name)} is missing or unreadable`,
      folder,
      'the checkpoint is damaged: resume from an older copy or start again',
      cause,
    );
  }
  if (blob.byteLength !== file.weightsFile.bytes) {
    throw modelsError(
      'CHECKPOINT_CORRUPT',
      `${join(folder, file.weightsFile.name)} has ${blob.byteLength} bytes but the checkpoint declares ${file.weightsFile.bytes} (half-written or truncated)`,
      blob.byteLength,
      'the checkpoint is damaged: resume from an older copy or start again',
    );
  }
  const digest = await sha256(blob);
  if (digest !== file.weightsFile.sha256) {
    throw modelsError(
      'CHECKPOINT_CORRUPT',
      `${join(folder, file.weightsFile.name)} fails its SHA-256 check (the bytes changed after it was written)`,
      digest.slice(0, 16),
      'the checkpoint is damaged: resume from an older copy or start again',
    );
  }
  const tensors = file.tensors.map((e) => {
    if (e.offset + e.byteLength > blob.byteLength || (e.dtype !== 'float32' && e.dtype !== 'int32')) {
      throw modelsError(
        'CHECKPOINT_CORRUPT',
        `tensor '${e.name}' lies outside ${file.weightsFile.name} or has an unknown dtype`,
        e,
        'the checkpoint is damaged: resume from an older copy or start again',
      );
    }
    const copy = blob.slice(e.offset, e.offset + e.byteLength);
    const data = e.dtype === 'int32' ? new Int32Array(copy.buffer) : new Float32Array(copy.buffer);
    return { name: e.name, shape: e.shape, dtype: e.dtype, data };
  });
  return { path: folder, trainer: file.trainer, tensors };
}
