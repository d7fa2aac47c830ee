// `--shard i/n` for batch schedulers (Kubernetes Indexed Jobs, Slurm/SGE array jobs): instance k of the
// input belongs to shard sha1(path)[0..4] mod n. The partition is by the *path* (or URL), not by the SOP
// Instance UID: a path is known before the file is read, so each shard reads only its own files — keyed by
// UID, every shard would have to read every file's header (n times the I/O). The hash is SHA-1 of the UTF-8
// path, first 4 bytes big-endian, so any tool (a Python splitter, a SQL query) can reproduce the partition.
// The same file listed under two paths, or two files with one UID, can land in two shards: the merge of the
// shards' results keeps one record per UID (see the README).
import { createHash } from 'node:crypto';
import { archiveFail } from '../errors.js';

/** One shard of n: `index` from 0 to `count` − 1. */
export interface Shard {
  index: number;
  count: number;
}

/**
 * Parses `i/n` (0 ≤ i < n), e.g. `--shard 3/16` or `--shard $JOB_COMPLETION_INDEX/16`.
 * @throws CxrkitError `ARCHIVE_BAD_OPTION` for anything else.
 */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index >= count) {
    return archiveFail(
      'ARCHIVE_BAD_OPTION',
      'a shard is i/n with 0 ≤ i < n',
      text,
      'pass e.g. --shard 0/4 … --shard 3/4 (Kubernetes: --shard $JOB_COMPLETION_INDEX/<completions>)',
    );
  }
  return { index, count };
}

/** The shard (0 … count − 1) a path or URL belongs to. */
export function shardOf(path: string, count: number): number {
  return createHash('sha1').update(path, 'utf8').digest().readUInt32BE(0) % count;
}
