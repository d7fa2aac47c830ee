// Worker thread of a parallel scan: reads the files the pool sends, one at a time, and answers with
// each file's facts. Started by worker-pool.ts; never run directly.
import { parentPort, workerData } from 'node:worker_threads';
import { type CacheRequest, readImageFacts } from './read-image-facts.js';

const cache = (workerData as { cache?: CacheRequest } | undefined)?.cache;
parentPort!.on('message', async (msg: { id: number; path: string }) => {
  const result = await readImageFacts(msg.path, cache);
  parentPort!.postMessage({ id: msg.id, result });
});
