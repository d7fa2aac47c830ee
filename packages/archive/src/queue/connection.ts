// Where the queue lives: a redis:// (or rediss://) URL → the connection options BullMQ and ioredis take,
// and the names of this package's keys beside BullMQ's.
import { archiveFail } from '../errors.js';

/** Connection options for BullMQ and ioredis. */
export interface RedisConnection {
  host: string;
  port: number;
  db?: number;
  username?: string;
  password?: string;
  tls?: Record<string, never>;
  /** BullMQ workers need blocking commands to wait forever. */
  maxRetriesPerRequest: null;
}

/**
 * Parses `redis://[user:password@]host[:port][/db]` (or `rediss://` for TLS).
 * @throws CxrkitError `ARCHIVE_BAD_OPTION` for anything else.
 */
export function parseRedisUrl(url: string): RedisConnection {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return archiveFail('ARCHIVE_BAD_OPTION', 'not a Redis URL', url, 'pass e.g. redis://127.0.0.1:6379/0');
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    archiveFail(
      'ARCHIVE_BAD_OPTION',
      'a Redis URL starts with redis:// or rediss://',
      url,
      'pass e.g. redis://host:6379',
    );
  }
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : undefined;
  return {
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 6379,
    ...(db !== undefined && Number.isInteger(db) ? { db } : {}),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
  };
}

/** The Redis keys of a queue's result store (BullMQ's own keys are `bull:<queue>:*`). */
export function storeKeys(queue: string): { results: string; paths: string; errors: string } {
  const p = `cxrkit:${queue}`;
  return { results: `${p}:results`, paths: `${p}:paths`, errors: `${p}:errors` };
}
