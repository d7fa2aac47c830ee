// The queue run on a real Redis (Debian's redis-server, started here on a free loopback port): the producer
// enqueues a few hundred synthetic and real DICOMs, three worker PROCESSES screen them, one is SIGKILLed while
// it holds jobs; BullMQ's stalled-job check hands its jobs to the others. Afterwards every instance has
// exactly one result (or its error), equal to a single-process run of the same inputs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import * as ort from 'onnxruntime-node';
import { createOnnxPredictor } from '@cxrkit/onnx';
import { repoRoot } from '../../../../test/helpers.js';
import type { ScreeningPredictor } from '../pipeline/predictor.js';
import { screenArchive } from '../screen-archive.js';
import { writeSyntheticDicoms, writeTestModel } from '../test-fixtures.js';
import type { ErrorRecord, ScreenRecord } from '../types.js';
import { parseRedisUrl } from './connection.js';
import { RedisResultStore } from './redis-store.js';

const redisServer = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) => existsSync(p));
const skip = redisServer ? false : 'redis-server is not installed (Debian: apt-get install redis-server)';
const bin = join(repoRoot, 'packages', 'archive', 'bin', 'cxrkit-archive.ts');
const dataRoot = process.env.CXRKIT_DATA ?? join(repoRoot, '..', 'shared', 'data');
const realFolders = ['nhsx-nccid-testdata', 'torchxrayvision-tests', 'dwv-tests-data']
  .map((f) => join(dataRoot, 'dicom', f))
  .filter((f) => existsSync(f));
const SYNTHETIC = 240;
const QUEUE = 'archive-test';

const root = await mkdtemp(join(tmpdir(), 'cxrkit-queue-'));
let redis: ChildProcess | undefined;
let url = '';
const children: ChildProcess[] = [];

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

function spawnBin(args: string[]) {
  const child = spawn(process.execPath, ['--conditions=cxrkit-source', '--import', 'tsx', bin, ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  let err = '';
  const events: Record<string, unknown>[] = [];
  child.stdout!.on('data', (d: Buffer) => {
    out += d;
    const parts = out.split('\n');
    out = parts.pop()!;
    for (const line of parts) if (line.trim()) events.push(JSON.parse(line) as Record<string, unknown>);
  });
  child.stderr!.on('data', (d) => (err += d));
  const done = new Promise<number>((r) => child.on('close', (code, signal) => r(code ?? (signal ? 128 : 1))));
  return { child, events, err: () => err, done };
}

async function until(what: string, ok: () => boolean | Promise<boolean>, timeoutMs = 60_000) {
  const end = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const lines = async <T>(file: string): Promise<T[]> =>
  (await readFile(file, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as T);

before(async () => {
  if (skip) return;
  const port = await freePort();
  redis = spawn(
    redisServer!,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', root],
    {
      stdio: 'ignore',
    },
  );
  url = `redis://127.0.0.1:${port}`;
  await until('redis-server', () => {
    try {
      return (
        execFileSync('redis-cli', ['-p', String(port), 'ping'], { stdio: 'pipe' })
          .toString()
          .trim() === 'PONG'
      );
    } catch {
      return false;
    }
  });
  await writeTestModel(join(root, 'model'), { size: 128, tfjs: false });
  await writeSyntheticDicoms(join(root, 'dicoms'), SYNTHETIC, { size: 128, perFolder: 60 });
});

after(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  redis?.kill('SIGKILL');
  await rm(root, { recursive: true, force: true });
});

test('three worker processes, one SIGKILLed mid-job: one result per instance, equal to a single-process run', {
  skip,
}, async (t) => {
  if (!realFolders.length) t.diagnostic(`no real DICOMs under ${dataRoot}/dicom: synthetic only (set CXRKIT_DATA)`);
  const model = join(root, 'model');
  const inputs = [join(root, 'dicoms'), ...realFolders];
  const connection = parseRedisUrl(url);

  // the reference: the same inputs through screenArchive in one process
  const single = join(root, 'single');
  const reference = await screenArchive({
    inputs,
    out: single,
    modelDir: model,
    workers: 1,
    createPredictor: async ({ modelDir, batchSize }) =>
      (await createOnnxPredictor(join(modelDir, 'model.onnx'), {
        load: () => ort,
        batchSize,
        threads: 1,
      })) as ScreeningPredictor,
  });
  const total = reference.progress.screened + reference.progress.failed;
  assert.ok(total >= SYNTHETIC);

  const store = new RedisResultStore(connection, QUEUE);
  const memoryBefore = Number(/used_memory:(\d+)/.exec(await store.redis.info('memory'))![1]);
  const enqueue = spawnBin([
    'screen-enqueue',
    ...inputs,
    '--redis',
    url,
    '--queue',
    QUEUE,
    '--json',
    '--attempts',
    '3',
  ]);
  assert.equal(await enqueue.done, 0, enqueue.err());
  const queue = new Queue(QUEUE, { connection });
  assert.equal((await queue.getJobCounts('waiting')).waiting, total);
  const memoryQueued = Number(/used_memory:(\d+)/.exec(await store.redis.info('memory'))![1]);
  t.diagnostic(`Redis: ${((memoryQueued - memoryBefore) / total).toFixed(0)} bytes per waiting job`);

  const workerArgs = ['screen-worker', model, '--redis', url, '--queue', QUEUE, '--json', '--workers', '1'];
  const fast = ['--batch-size', '4', '--threads', '1', '--lock-ms', '3000', '--stalled-ms', '1000'];
  const workers = [0, 1, 2].map(() => spawnBin([...workerArgs, ...fast]));
  await until('workers ready', () => workers.every((w) => w.events.some((e) => e.type === 'ready')));

  // kill worker 0 while it holds jobs beyond the batch it has just stored (they are mid-job)
  const victim = workers[0]!;
  await until('the victim to hold jobs', () =>
    victim.events.some((e) => e.type === 'batch' && (e.active as number) > (e.size as number)),
  );
  victim.child.kill('SIGKILL');
  await victim.done;
  const heldAtKill = victim.events.filter((e) => e.type === 'batch').at(-1)!;
  t.diagnostic(`killed worker 0 holding ${heldAtKill.active} jobs after ${victim.events.length} events`);

  await until(
    'every instance stored',
    async () => {
      const c = await store.counts();
      const q = await queue.getJobCounts('waiting', 'active', 'delayed');
      return c.results + c.errors >= total && q.waiting + q.active + q.delayed === 0;
    },
    75_000,
  );
  const stalled = workers.slice(1).flatMap((w) => w.events.filter((e) => e.type === 'stalled'));
  assert.ok(stalled.length > 0, "another worker took over the killed worker's stalled jobs");
  for (const w of workers.slice(1)) w.child.kill('SIGTERM');
  for (const w of workers.slice(1)) assert.equal(await w.done, 0, w.err());

  const { results: resultCount } = await store.counts();
  const usage = async (key: string) => Number(await store.redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'));
  const perResult = (await usage(store.keys.results)) / resultCount;
  const perPath = (await usage(store.keys.paths)) / (await store.redis.hlen(store.keys.paths));
  t.diagnostic(`Redis: ${perResult.toFixed(0)} bytes per stored result, ${perPath.toFixed(0)} per done path`);

  const exported = join(root, 'exported');
  const exp = spawnBin(['screen-export', '--redis', url, '--queue', QUEUE, '--out', exported, '--json']);
  assert.equal(await exp.done, 0, exp.err());

  const want = await lines<ScreenRecord>(join(single, 'results.jsonl'));
  const got = await lines<ScreenRecord>(join(exported, 'results.jsonl'));
  assert.equal(got.length, want.length, 'one result per instance');
  assert.equal(new Set(got.map((r) => r.sopInstanceUID)).size, got.length, 'no SOP Instance UID twice');
  const byUid = new Map(want.map((r) => [r.sopInstanceUID, r]));
  const wantErrors = await lines<ErrorRecord>(join(single, 'errors.jsonl'));
  const gotErrors = await lines<ErrorRecord>(join(exported, 'errors.jsonl'));
  const duplicatePaths = new Set(wantErrors.filter((e) => e.code === 'ARCHIVE_DUPLICATE_INSTANCE').map((e) => e.path));
  for (const r of got) {
    const ref = byUid.get(r.sopInstanceUID);
    assert.ok(ref, `${r.sopInstanceUID} is in the single-process run`);
    // which of two files holding one instance is screened first can differ; the instance and score cannot
    if (!duplicatePaths.has(r.path)) assert.equal(r.path, ref!.path);
    assert.ok(Math.abs(r.score - ref!.score) <= 1e-5, `${r.path}: ${r.score} vs ${ref!.score}`);
    assert.deepEqual([r.positive, r.warnings, r.cardId], [ref!.positive, ref!.warnings, ref!.cardId]);
  }
  const key = (e: ErrorRecord) => `${e.code === 'ARCHIVE_DUPLICATE_INSTANCE' ? e.sopInstanceUID : e.path} ${e.code}`;
  assert.deepEqual(gotErrors.map(key).sort(), wantErrors.map(key).sort(), 'the same failures with the same codes');
  assert.equal(got.length + gotErrors.length, total);
  await queue.close();
  await store.close();
});
