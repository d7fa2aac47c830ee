// The feature cache on disk: one folder per frozen prefix and storage type, holding shard files (see
// shard-file.ts) and `index.json`, the index that maps each entry key to its shard and row.
//
// Crash safety: a shard is written whole with core's writeFileAtomic and only then named in a new
// index.json (written the same way), so a crash leaves the old index or the new one, and at worst a
// shard the index does not name. Opening the store (under a lock file, one writer at a time) checks
// every shard the index names — present, the size its header promises, the CRC-32 of every row — drops
// and deletes what fails (its entries are computed again), and deletes shards no index names and
// temporary files: a half-written cache is found and rebuilt, never used.
import { writeFileAtomic } from '@cxrkit/core';
import { fail } from '../errors.js';
import { fromFloat16, toFloat16 } from './float16.js';
import {
  bytesPerElement,
  decodeShardHeader,
  encodeShard,
  rowChecksum,
  type FeatureDtype,
  type ShardHeader,
} from './shard-file.js';
import type { CutTensor } from './split-model.js';

/** What a store holds rows of: a prefix digest, a storage type, the cut. */
export interface StoreIdentity {
  prefix: string;
  dtype: FeatureDtype;
  cut: CutTensor[];
}

interface IndexFile {
  format: 'cxrkit-feature-cache';
  version: 1;
  prefix: string;
  dtype: FeatureDtype;
  rowBytes: number;
  cut: CutTensor[];
  shards: Array<{ file: string; rows: number; bytes: number }>;
  /** entry key → [shard number, row]. */
  entries: Record<string, [number, number]>;
  updatedAt: string;
}

/** Options of {@link FeatureStore.open}. */
export interface StoreOptions {
  /** Keep shard rows in memory up to this many bytes (the rest is read from disk per row). */
  memoryBudgetBytes: number;
  /** How long to wait for another process's lock, in ms. */
  lockTimeoutMs: number;
  /** Rows per shard at most (and about 64 MiB). */
  shardRows?: number;
  note(message: string): void | Promise<void>;
}

const INDEX = 'index.json';
const LOCK = 'lock';
const SHARD_BYTES = 64 * 2 ** 20;
const fsp = () => import('node:fs/promises');
const pathMod = () => import('node:path');

/** The folder name of a store: the prefix digest's first 16 hex digits and the storage type. */
export const storeFolderName = (id: StoreIdentity): string =>
  `${id.prefix.slice(0, 16)}-${id.dtype === 'float16' ? 'f16' : 'f32'}`;

/** Rows of cached features by entry key; one per train() call (see the file comment). */
export class FeatureStore {
  private readonly rowElements: number;
  private readonly rowBytes: number;
  private readonly memory = new Map<number, Uint8Array>();
  private readonly handles = new Map<number, import('node:fs/promises').FileHandle>();
  private memoryBytes = 0;
  private pendingKeys: string[] = [];
  private pendingRows: Uint8Array[] = [];
  private unlockFn: (() => Promise<void>) | undefined;

  private constructor(
    /** The store's folder. */
    readonly folder: string,
    readonly id: StoreIdentity,
    private index: IndexFile,
    private readonly options: StoreOptions,
  ) {
    this.rowElements = id.cut.reduce((s, c) => s + c.size, 0);
    this.rowBytes = this.rowElements * bytesPerElement(id.dtype);
  }

  /**
   * Opens (creating) the store for `id` under `dir`, takes its lock, and checks it (see the file
   * comment). The lock is held until {@link unlock}: add rows, {@link commit}, unlock, then read.
   * @throws CxrkitError FEATURE_CACHE_LOCKED when another live process holds the lock past the timeout.
   */
  static async open(dir: string, id: StoreIdentity, options: StoreOptions): Promise<FeatureStore> {
    const { mkdir } = await fsp();
    const { join } = await pathMod();
    const folder = join(dir, storeFolderName(id));
    await mkdir(folder, { recursive: true });
    const unlock = await acquireLock(folder, options);
    try {
      const rowBytes = id.cut.reduce((s, c) => s + c.size, 0) * bytesPerElement(id.dtype);
      const fresh: IndexFile = {
        format: 'cxrkit-feature-cache',
        version: 1,
        prefix: id.prefix,
        dtype: id.dtype,
        rowBytes,
        cut: id.cut,
        shards: [],
        entries: {},
        updatedAt: new Date().toISOString(),
      };
      const index = (await readIndex(folder, id, rowBytes, options)) ?? fresh;
      const store = new FeatureStore(folder, id, index, options);
      store.unlockFn = unlock;
      await store.check();
      return store;
    } catch (e) {
      await unlock();
      throw e;
    }
  }

  /** Entries the store holds. */
  get size(): number {
    return Object.keys(this.index.entries).length;
  }

  /** Bytes on disk of one row. */
  get bytesPerRow(): number {
    return this.rowBytes;
  }

  has(key: string): boolean {
    return key in this.index.entries || this.pendingKeys.includes(key);
  }

  /** Adds a row (float32 values of the cut tensors, in order); written with the next full shard or commit. */
  async add(key: string, row: Float32Array): Promise<void> {
    if (row.length !== this.rowElements)
      throw new Error(`[cxrkit/models] internal: a row of ${row.length} values, the cut has ${this.rowElements}`);
    const bytes =
      this.id.dtype === 'float16'
        ? new Uint8Array(toFloat16(row).buffer)
        : new Uint8Array(row.buffer.slice(row.byteOffset, row.byteOffset + row.byteLength));
    this.pendingKeys.push(key);
    this.pendingRows.push(bytes);
    const maxRows = this.options.shardRows ?? Math.max(1, Math.min(4096, Math.floor(SHARD_BYTES / this.rowBytes)));
    if (this.pendingRows.length >= maxRows) await this.commit();
  }

  /** Writes the pending rows as one shard, then the index naming it (both atomically). */
  async commit(): Promise<void> {
    if (this.pendingRows.length === 0) return;
    const { join } = await pathMod();
    const { open } = await fsp();
    const shard = this.index.shards.length;
    const file = `shard-${String(shard).padStart(5, '0')}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}.fcs`;
    const bytes = await encodeShard(
      { dtype: this.id.dtype, rowBytes: this.rowBytes, prefix: this.id.prefix, cut: this.id.cut },
      this.pendingKeys,
      this.pendingRows,
    );
    await writeFileAtomic(join(this.folder, file), bytes);
    const header = decodeShardHeader(bytes, bytes.byteLength) as ShardHeader;
    this.headers.set(shard, header.dataOffset);
    this.keep(shard, bytes.subarray(header.dataOffset));
    if (!this.memory.has(shard)) this.handles.set(shard, await open(join(this.folder, file), 'r'));
    this.index.shards.push({ file, rows: this.pendingRows.length, bytes: bytes.byteLength });
    this.pendingKeys.forEach((k, row) => (this.index.entries[k] = [shard, row]));
    this.pendingKeys = [];
    this.pendingRows = [];
    await this.writeIndex();
  }

  /** Releases the lock (after the last commit). */
  async unlock(): Promise<void> {
    const u = this.unlockFn;
    this.unlockFn = undefined;
    await u?.();
  }

  /** The float32 values of entry `key`. */
  async read(key: string): Promise<Float32Array> {
    const at = this.index.entries[key];
    if (!at) throw new Error(`[cxrkit/models] internal: no feature-cache entry ${key.slice(0, 12)}`);
    const [shard, row] = at;
    let bytes: Uint8Array;
    const mem = this.memory.get(shard);
    if (mem) bytes = mem.subarray(row * this.rowBytes, (row + 1) * this.rowBytes);
    else {
      const fh = this.handles.get(shard)!;
      const header = this.headers.get(shard)!;
      bytes = new Uint8Array(this.rowBytes);
      const { bytesRead } = await fh.read(bytes, 0, this.rowBytes, header + row * this.rowBytes);
      if (bytesRead !== this.rowBytes)
        fail(
          'FEATURE_CACHE_CORRUPT',
          `${this.index.shards[shard]!.file} ended while reading row ${row}`,
          bytesRead,
          'delete the feature-cache folder; the next run rebuilds it',
        );
    }
    if (this.id.dtype === 'float16') {
      const half = new Uint16Array(this.rowElements);
      new Uint8Array(half.buffer).set(bytes);
      return fromFloat16(half);
    }
    const out = new Float32Array(this.rowElements);
    new Uint8Array(out.buffer).set(bytes);
    return out;
  }

  /** Closes the shard files and releases the lock if still held. */
  async close(): Promise<void> {
    await this.unlock();
    for (const fh of this.handles.values()) await fh.close().catch(() => undefined);
    this.handles.clear();
    this.memory.clear();
  }

  /** Data offset of each shard read from disk. */
  private readonly headers = new Map<number, number>();

  private keep(shard: number, data: Uint8Array): void {
    if (this.memoryBytes + data.byteLength > this.options.memoryBudgetBytes) return;
    this.memory.set(shard, data);
    this.memoryBytes += data.byteLength;
  }

  private async writeIndex(): Promise<void> {
    const { join } = await pathMod();
    this.index.updatedAt = new Date().toISOString();
    await writeFileAtomic(join(this.folder, INDEX), JSON.stringify(this.index));
  }

  /** Verifies every shard the index names, drops the bad ones, deletes leftovers (see the file comment). */
  private async check(): Promise<void> {
    const { readdir, readFile, rm, open } = await fsp();
    const { join } = await pathMod();
    const crc = await rowChecksum();
    const entriesOf = new Map<number, string[]>();
    for (const [k, [s]] of Object.entries(this.index.entries)) {
      if (!entriesOf.has(s)) entriesOf.set(s, []);
      entriesOf.get(s)!.push(k);
    }
    const kept: IndexFile['shards'] = [];
    const renumber = new Map<number, number>();
    let dropped = 0;
    for (const [s, shard] of this.index.shards.entries()) {
      const path = join(this.folder, shard.file);
      let bytes: Uint8Array | undefined;
      let why: string | undefined;
      try {
        bytes = new Uint8Array(await readFile(path));
      } catch (e) {
        why = `missing (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
      }
      let header: ShardHeader | string = why ?? decodeShardHeader(bytes!, bytes!.byteLength);
      if (typeof header !== 'string') {
        const h = header;
        if (h.prefix !== this.id.prefix || h.dtype !== this.id.dtype || h.rowBytes !== this.rowBytes)
          header = 'written for another prefix or storage type';
        else if ((entriesOf.get(s) ?? []).some((k) => h.keys[this.index.entries[k]![1]] !== k))
          header = 'its rows do not hold the keys the index names';
        else {
          for (let r = 0; r < h.rows; r++) {
            const row = bytes!.subarray(h.dataOffset + r * h.rowBytes, h.dataOffset + (r + 1) * h.rowBytes);
            if (crc(row) !== h.crc32[r]) {
              header = `row ${r} fails its CRC-32 check (the bytes changed after they were written)`;
              break;
            }
          }
        }
      }
      if (typeof header === 'string') {
        const n = entriesOf.get(s)?.length ?? 0;
        dropped += n;
        await this.options.note(
          `feature cache: shard ${shard.file} is damaged — ${header}; its ${n} entries are rebuilt`,
        );
        await rm(path, { force: true });
        for (const k of entriesOf.get(s) ?? []) delete this.index.entries[k];
        continue;
      }
      const at = kept.length;
      renumber.set(s, at);
      kept.push(shard);
      this.headers.set(at, header.dataOffset);
      this.keep(at, bytes!.subarray(header.dataOffset));
      if (!this.memory.has(at)) this.handles.set(at, await open(path, 'r'));
    }
    const changed = kept.length !== this.index.shards.length;
    if (changed) {
      for (const k of Object.keys(this.index.entries)) {
        const [s, r] = this.index.entries[k]!;
        this.index.entries[k] = [renumber.get(s)!, r];
      }
      this.index.shards = kept;
      await this.writeIndex();
    }
    // Leftovers of an interrupted build: shards no index names, temporary files.
    const named = new Set([INDEX, LOCK, ...kept.map((s) => s.file)]);
    let removed = 0;
    for (const f of await readdir(this.folder)) {
      if (named.has(f) || !(f.endsWith('.fcs') || f.includes('.tmp-'))) continue;
      await rm(join(this.folder, f), { force: true });
      removed++;
    }
    if (removed > 0)
      await this.options.note(
        `feature cache: removed ${removed} file(s) of an interrupted build in ${this.folder} (their rows are computed again)`,
      );
    if (dropped > 0 && !changed) await this.writeIndex();
  }
}

/** The index of `folder`, or undefined (fresh) when absent, unreadable or written for another prefix. */
async function readIndex(
  folder: string,
  id: StoreIdentity,
  rowBytes: number,
  options: StoreOptions,
): Promise<IndexFile | undefined> {
  const { readFile } = await fsp();
  const { join } = await pathMod();
  let text: string;
  try {
    text = await readFile(join(folder, INDEX), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  let index: IndexFile;
  try {
    index = JSON.parse(text) as IndexFile;
  } catch {
    await options.note(`feature cache: ${join(folder, INDEX)} is not valid JSON; the cache is rebuilt`);
    return undefined;
  }
  const fits =
    index?.format === 'cxrkit-feature-cache' &&
    index.version === 1 &&
    index.prefix === id.prefix &&
    index.dtype === id.dtype &&
    index.rowBytes === rowBytes &&
    Array.isArray(index.shards) &&
    index.entries !== null &&
    typeof index.entries === 'object';
  if (!fits) {
    await options.note(
      `feature cache: ${join(folder, INDEX)} belongs to another prefix or format; the cache is rebuilt`,
    );
    return undefined;
  }
  return index;
}

/**
 * Takes `<folder>/lock` (created exclusively; holds pid and host). A lock left by a process that no
 * longer runs on this host is taken over; a live one is waited for up to `lockTimeoutMs`.
 */
async function acquireLock(folder: string, options: StoreOptions): Promise<() => Promise<void>> {
  const { writeFile, readFile, rm, stat } = await fsp();
  const { join } = await pathMod();
  const { hostname } = await import('node:os');
  const path = join(folder, LOCK);
  const me = { pid: process.pid, host: hostname(), at: new Date().toISOString() };
  const started = Date.now();
  let told = false;
  for (;;) {
    try {
      await writeFile(path, JSON.stringify(me), { flag: 'wx' });
      return async () => {
        await rm(path, { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let holder: { pid?: number; host?: string } | undefined;
    try {
      holder = JSON.parse(await readFile(path, 'utf8')) as { pid?: number; host?: string };
    } catch {
      holder = undefined;
    }
    const age = Date.now() - ((await stat(path).catch(() => undefined))?.mtimeMs ?? 0);
    const stale = holder ? holder.host === me.host && !isAlive(holder.pid) : age > 10_000;
    if (stale) {
      await rm(path, { force: true });
      continue;
    }
    if (Date.now() - started > options.lockTimeoutMs)
      fail(
        'FEATURE_CACHE_LOCKED',
        `another process (pid ${holder?.pid} on ${holder?.host}) is writing the feature cache in ${folder}`,
        holder,
        'wait for it to finish, give this run another featureCache.dir, or delete the lock file if that process is gone',
      );
    if (!told) {
      told = true;
      await options.note(`feature cache: waiting for pid ${holder?.pid} to finish writing ${folder}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

function isAlive(pid: number | undefined): boolean {
  if (!Number.isInteger(pid)) return false;
  try {
    process.kill(pid!, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
