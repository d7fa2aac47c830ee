// The result store of a queue run, in Redis next to the queue, written by any number of workers on any
// number of machines: three hashes per queue —
//   cxrkit:<queue>:results  SOP Instance UID → result record (JSON)
//   cxrkit:<queue>:paths    path → SOP Instance UID, or '!' + error code (what is done, for the producer)
//   cxrkit:<queue>:errors   path → error record (JSON)
// Each write is one Lua script, atomic on the server: the first result for a UID wins, a retry of the same
// path (a stalled job run again) is a no-op, the same UID under another path becomes an
// ARCHIVE_DUPLICATE_INSTANCE error. So results are idempotent by SOP Instance UID whatever the workers do.
import { Redis } from 'ioredis';
import { duplicateInstance } from '../errors.js';
import type { ErrorRecord, ScreenRecord } from '../types.js';
import { storeKeys, type RedisConnection } from './connection.js';

// KEYS: results, paths, errors. ARGV: uid, path, record JSON, duplicate-error JSON.
// Returns 1 stored, 0 already stored from this path, 2 a duplicate from another path.
const PUT_RESULT = `
local existing = redis.call('HGET', KEYS[1], ARGV[1])
if not existing then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
  redis.call('HSET', KEYS[2], ARGV[2], ARGV[1])
  redis.call('HDEL', KEYS[3], ARGV[2])
  return 1
end
if cjson.decode(existing)['path'] == ARGV[2] then
  redis.call('HSET', KEYS[2], ARGV[2], ARGV[1])
  return 0
end
redis.call('HSET', KEYS[3], ARGV[2], ARGV[4])
redis.call('HSET', KEYS[2], ARGV[2], '!ARCHIVE_DUPLICATE_INSTANCE')
return 2
`;

// KEYS: paths, errors. ARGV: path, error JSON, code. Returns 1 stored, 0 the path has a result already.
const PUT_ERROR = `
local done = redis.call('HGET', KEYS[1], ARGV[1])
if done and string.sub(done, 1, 1) ~= '!' then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[1], ARGV[1], '!' .. ARGV[3])
return 1
`;

/** Outcome of storing one result. */
export type PutOutcome = 'stored' | 'again' | 'duplicate';

interface StoreCommands {
  cxrkitPutResult(...args: string[]): Promise<number>;
  cxrkitPutError(...args: string[]): Promise<number>;
}

/** A queue's result store in Redis. */
export class RedisResultStore {
  readonly redis: Redis & StoreCommands;
  readonly keys: ReturnType<typeof storeKeys>;

  /** Opens a client on `connection` for the store of `queue`. */
  constructor(connection: RedisConnection, queue: string) {
    this.redis = new Redis({ ...connection, maxRetriesPerRequest: 20 }) as Redis & StoreCommands;
    this.redis.defineCommand('cxrkitPutResult', { numberOfKeys: 3, lua: PUT_RESULT });
    this.redis.defineCommand('cxrkitPutError', { numberOfKeys: 2, lua: PUT_ERROR });
    this.keys = storeKeys(queue);
  }

  /** Stores results (one round trip for the batch); the outcome of each, in order. */
  async putResults(records: readonly ScreenRecord[]): Promise<PutOutcome[]> {
    const { results, paths, errors } = this.keys;
    const pipe = this.redis.pipeline() as unknown as StoreCommands & { exec(): Promise<[Error | null, unknown][]> };
    for (const r of records) {
      const duplicate = duplicateInstance(r.path, r.sopInstanceUID, r.screenedAt);
      void pipe.cxrkitPutResult(
        results,
        paths,
        errors,
        r.sopInstanceUID,
        r.path,
        JSON.stringify(r),
        JSON.stringify(duplicate),
      );
    }
    const replies = await pipe.exec();
    return replies.map(([err, v]) => {
      if (err) throw err;
      return v === 1 ? 'stored' : v === 0 ? 'again' : 'duplicate';
    });
  }

  /** Stores an error for a path that has no result; false when it has one. */
  async putError(record: ErrorRecord): Promise<boolean> {
    const { paths, errors } = this.keys;
    return (await this.redis.cxrkitPutError(paths, errors, record.path, JSON.stringify(record), record.code)) === 1;
  }

  /** Which of `paths` are done (a result or an error), in one round trip. */
  async doneMask(list: readonly string[]): Promise<boolean[]> {
    if (list.length === 0) return [];
    const values = await this.redis.hmget(this.keys.paths, ...list);
    return values.map((v) => v !== null);
  }

  /** Numbers of results and errors stored. */
  async counts(): Promise<{ results: number; errors: number }> {
    const [results, errors] = await Promise.all([
      this.redis.hlen(this.keys.results),
      this.redis.hlen(this.keys.errors),
    ]);
    return { results, errors };
  }

  /** Streams every value of one of the store's hashes (HSCAN, 500 at a time). */
  async *scan(which: 'results' | 'errors'): AsyncGenerator<string> {
    let cursor = '0';
    do {
      const [next, flat] = await this.redis.hscan(this.keys[which], cursor, 'COUNT', 500);
      for (let i = 1; i < flat.length; i += 2) yield flat[i]!;
      cursor = next;
    } while (cursor !== '0');
  }

  /** Closes the client. */
  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
