// The producer of a queue run: lists the instances (folders, manifests, WADO-RS URLs), passes over those the
// result store already has (a result or an error), and adds one BullMQ job per instance. The job id is derived
// from the path, so an instance already waiting or running is not added twice; failed jobs retry with
// exponential backoff. Enqueueing pauses while more than `maxWaiting` jobs wait, so that Redis holds a
// window of the archive, not all of it.
import { createHash } from 'node:crypto';
import { Queue } from 'bullmq';
import { listInstances } from '../sources/instances.js';
import { shardOf, type Shard } from '../sources/shard.js';
import type { RedisConnection } from './connection.js';
import { RedisResultStore } from './redis-store.js';

/** The data of one job. */
export interface ScreenJobData {
  /** File path (as the workers see it) or WADO-RS URL. */
  path: string;
}

/** Options of {@link enqueueArchive}. */
export interface EnqueueOptions {
  connection: RedisConnection;
  /** Queue name. */
  queue: string;
  /** Folders, manifests, DICOM files, WADO-RS URLs (paths must be the same on the workers). */
  inputs: readonly string[];
  /** Only this shard of the inputs. */
  shard?: Shard;
  /** Attempts per job (transient failures: unreachable WADO-RS, a crashed worker). Default 3. */
  attempts?: number;
  /** First retry delay, ms (doubling). Default 2,000. */
  backoffMs?: number;
  /** Jobs added per round trip. Default 500. */
  chunk?: number;
  /** Wait while more than this many jobs are waiting. Default 100,000. */
  maxWaiting?: number;
  /** After each chunk: counts so far. */
  onProgress?: (p: EnqueueSummary) => void;
}

/** What the producer did. */
export interface EnqueueSummary {
  /** Jobs added (an id already in the queue is not added again). */
  enqueued: number;
  /** Instances the store already has a result or an error for. */
  done: number;
  /** Instances of other shards. */
  otherShards: number;
}

/** The BullMQ job id of a path: `i` + 32 hex digits of its SHA-1. */
export function jobIdOf(path: string): string {
  return `i${createHash('sha1').update(path, 'utf8').digest('hex').slice(0, 32)}`;
}

/** Adds a job for every instance the inputs name that the store does not have yet. */
export async function enqueueArchive(options: EnqueueOptions): Promise<EnqueueSummary> {
  const queue = new Queue<ScreenJobData>(options.queue, { connection: options.connection });
  const store = new RedisResultStore(options.connection, options.queue);
  const chunk = options.chunk ?? 500;
  const maxWaiting = options.maxWaiting ?? 100_000;
  const jobOptions = {
    attempts: options.attempts ?? 3,
    backoff: { type: 'exponential', delay: options.backoffMs ?? 2000 },
    removeOnComplete: true,
    removeOnFail: { age: 7 * 24 * 3600 },
  };
  const summary: EnqueueSummary = { enqueued: 0, done: 0, otherShards: 0 };
  let pending: string[] = [];
  const flush = async () => {
    const list = pending;
    pending = [];
    if (list.length === 0) return;
    const done = await store.doneMask(list);
    const todo = list.filter((_, i) => !done[i]);
    summary.done += list.length - todo.length;
    while ((await queue.getWaitingCount()) > maxWaiting) await new Promise((r) => setTimeout(r, 1000));
    if (todo.length) {
      await queue.addBulk(
        todo.map((path) => ({ name: 'screen', data: { path }, opts: { ...jobOptions, jobId: jobIdOf(path) } })),
      );
    }
    summary.enqueued += todo.length;
    options.onProgress?.({ ...summary });
  };
  try {
    for await (const path of listInstances(options.inputs)) {
      if (options.shard && shardOf(path, options.shard.count) !== options.shard.index) {
        summary.otherShards++;
        continue;
      }
      pending.push(path);
      if (pending.length >= chunk) await flush();
    }
    await flush();
    return summary;
  } finally {
    await queue.close();
    await store.close();
  }
}
