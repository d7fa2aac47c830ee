// `screen` through the real `cxrkit-archive` executable in a child process (from the TypeScript sources):
// --help and usage errors with their exit codes, a full run, a SIGKILL mid-run plus a torn last line, then
// a rerun that finishes without duplicating a record and equals an uninterrupted run; SIGTERM stops cleanly.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFile, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../../../test/helpers.js';
import { writeSyntheticDicoms, writeTestModel } from '../test-fixtures.js';
import type { ErrorRecord, ScreenRecord } from '../types.js';

const bin = join(repoRoot, 'packages', 'archive', 'bin', 'cxrkit-archive.ts');
const root = await mkdtemp(join(tmpdir(), 'cxrkit-screen-cli-'));
const modelDir = join(root, 'model');
const dicoms = join(root, 'dicoms');
const N = 60;

function start(args: string[]): ChildProcess & { out: () => string; err: () => string; done: Promise<number> } {
  const child = spawn(process.execPath, ['--conditions=cxrkit-source', '--import', 'tsx', bin, ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const done = new Promise<number>((r) =>
    child.on('close', (code, signal) => r(code ?? (signal === 'SIGKILL' ? 137 : 1))),
  );
  return Object.assign(child, { out: () => out, err: () => err, done });
}

async function run(args: string[]) {
  const c = start(args);
  const code = await c.done;
  return { code, stdout: c.out(), stderr: c.err() };
}

const lines = async <T>(file: string): Promise<T[]> =>
  (await readFile(file, 'utf8').catch(() => ''))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as T);

before(async () => {
  await writeTestModel(modelDir, { size: 128, tfjs: false });
  await writeSyntheticDicoms(dicoms, N, { size: 160, perFolder: 20 });
});
after(() => rm(root, { recursive: true, force: true }));

test('--help shows usage, examples and exit codes; usage errors exit 2', async () => {
  const help = await run(['screen', '--help']);
  assert.equal(help.code, 0);
  for (const s of [
    'Usage: screen [options] <model-dir> <inputs...>',
    '--out <dir>',
    '--shard <i/n>',
    '--engine <name>',
  ]) {
    assert.ok(help.stdout.includes(s), s);
  }
  assert.match(help.stdout, /Examples:[\s\S]*Exit codes:[\s\S]*130/);
  const top = await run(['--help']);
  assert.equal(top.code, 0);
  assert.match(top.stdout, /screen-enqueue[\s\S]*screen-worker[\s\S]*screen-export/);
  for (const args of [
    ['screen', modelDir, dicoms],
    ['screen', modelDir, dicoms, '--out', join(root, 'x'), '--workers', 'two'],
    ['screen', modelDir, dicoms, '--out', join(root, 'x'), '--engine', 'tensorrt'],
    ['screen', modelDir, dicoms, '--out', join(root, 'x'), '--shard', '4/4'],
    ['screen', modelDir, join(root, 'missing'), '--out', join(root, 'x')],
    ['screen', modelDir, dicoms, '--out', join(root, 'x'), '--frobnicate'],
    ['no-such-command'],
  ]) {
    const r = await run(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.ok(r.stderr.length > 0, 'says why on stderr');
  }
});

test('a run killed with SIGKILL (plus a torn last line) and run again equals an uninterrupted run', async () => {
  const clean = join(root, 'clean');
  const full = await run(['screen', modelDir, dicoms, '--out', clean, '--workers', '1', '--batch-size', '4', '--json']);
  assert.equal(full.code, 0, full.stderr);
  const summary = JSON.parse(full.stdout) as { progress: { screened: number; failed: number } };
  assert.deepEqual([summary.progress.screened, summary.progress.failed], [N, 0]);
  const reference = await lines<ScreenRecord>(join(clean, 'results.jsonl'));
  assert.equal(reference.length, N);
  for (const r of reference) {
    assert.equal(typeof r.sopInstanceUID, 'string');
    assert.equal(typeof r.score, 'number');
    assert.ok(r.path.startsWith(dicoms));
  }

  const out = join(root, 'killed');
  const child = start(['screen', modelDir, dicoms, '--out', out, '--workers', '1', '--batch-size', '4']);
  const results = join(out, 'results.jsonl');
  // kill once some batches are stored and others are in flight
  for (;;) {
    const size = await stat(results).then(
      (s) => s.size,
      () => 0,
    );
    if (size > 0 && (await lines(results)).length >= 8) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  assert.equal(await child.done, 137);
  const before = await lines<ScreenRecord>(results);
  assert.ok(before.length < N, `killed before the end (${before.length} of ${N})`);
  // a kill in the middle of an append leaves half a line: the rerun must cut it, not keep or duplicate it
  const torn = JSON.stringify(reference.find((r) => !before.some((b) => b.sopInstanceUID === r.sopInstanceUID)));
  await appendFile(results, torn.slice(0, torn.length - 20));

  const again = await run(['screen', modelDir, dicoms, '--out', out, '--workers', '1', '--batch-size', '4', '--json']);
  assert.equal(again.code, 0, again.stderr);
  const s = JSON.parse(again.stdout) as {
    recovery: { truncatedBytes: number; results: number };
    progress: { skipped: number };
  };
  assert.equal(s.recovery.truncatedBytes, torn.length - 20);
  assert.equal(s.recovery.results, before.length);
  assert.equal(s.progress.skipped, before.length);
  const after = await lines<ScreenRecord>(results);
  assert.equal(after.length, N);
  assert.equal(new Set(after.map((r) => r.sopInstanceUID)).size, N, 'no duplicate');
  const byUid = new Map(reference.map((r) => [r.sopInstanceUID, r]));
  for (const r of after) {
    const ref = byUid.get(r.sopInstanceUID)!;
    assert.equal(r.path, ref.path);
    assert.ok(Math.abs(r.score - ref.score) <= 1e-5);
    assert.equal(r.positive, ref.positive);
  }
  const csv = (await readFile(join(out, 'results.csv'), 'utf8')).trim().split('\n');
  assert.equal(csv.length, N + 1, 'results.csv agrees with results.jsonl');
  assert.deepEqual(await lines<ErrorRecord>(join(out, 'errors.jsonl')), []);
});

test('SIGTERM stops after the in-flight batches (exit 130); the rerun finishes the rest', async () => {
  const out = join(root, 'term');
  const child = start(['screen', modelDir, dicoms, '--out', out, '--workers', '1', '--batch-size', '2']);
  for (;;) {
    if ((await lines(join(out, 'results.jsonl'))).length >= 2) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGTERM');
  assert.equal(await child.done, 130, child.err());
  assert.match(child.out(), /interrupted: run the same command again/);
  const stored = await lines<ScreenRecord>(join(out, 'results.jsonl'));
  assert.ok(stored.length < N);
  const again = await run(['screen', modelDir, dicoms, '--out', out, '--workers', '1']);
  assert.equal(again.code, 0, again.stderr);
  const all = await lines<ScreenRecord>(join(out, 'results.jsonl'));
  assert.equal(new Set(all.map((r) => r.sopInstanceUID)).size, N);
  assert.equal(all.length, N);
});
