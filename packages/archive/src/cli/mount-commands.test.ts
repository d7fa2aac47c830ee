// The archive commands mounted into a commander program of someone else's (as the `cxrkit` executable does):
// arguments reach each command's own parser untouched, exit codes come back through the context.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { addArchiveCommands, type MountContext } from './mount-commands.js';

function mounted() {
  const out: string[] = [];
  const err: string[] = [];
  const ctx: MountContext = {
    io: { stdout: (t) => void out.push(t), stderr: (t) => void err.push(t), isTTY: false },
    exitCode: 0,
  };
  const program = new Command('cxrkit').version('9.9.9', '-V, --version').exitOverride();
  addArchiveCommands(program, { engines: {}, ctx });
  return { program, ctx, out: () => out.join(''), err: () => err.join('') };
}

test('mounted: every archive command is a subcommand; --help reaches the command, usage errors exit 2', async () => {
  const m = mounted();
  assert.deepEqual(
    m.program.commands.map((c) => c.name()),
    ['screen', 'screen-merge', 'screen-enqueue', 'screen-worker', 'screen-export'],
  );
  await m.program.parseAsync(['screen', '--help'], { from: 'user' });
  assert.equal(m.ctx.exitCode, 0);
  assert.match(m.out(), /Usage: screen \[options\] <model-dir> <inputs\.\.\.>/);
  assert.match(m.out(), /--shard <i\/n>/);

  const bad = mounted();
  await bad.program.parseAsync(['screen-merge', '--no-such-option', 'x', '--out', 'y'], { from: 'user' });
  assert.equal(bad.ctx.exitCode, 2);
  assert.match(bad.err(), /unknown option '--no-such-option'/);
});

test('mounted: screen-merge runs with its options in any order and writes the merged folder', async () => {
  const root = await mkdtemp(join(tmpdir(), 'cxrkit-mount-'));
  try {
    const [a, b, out] = ['a', 'b', 'merged'].map((d) => join(root, d));
    await mkdir(a!);
    await mkdir(b!);
    const m = mounted();
    await m.program.parseAsync(['screen-merge', '--json', a!, '--out', out!, b!], { from: 'user' });
    assert.equal(m.ctx.exitCode, 0, m.err());
    assert.deepEqual(JSON.parse(m.out()), { results: 0, errors: 0, duplicates: 0 });
    assert.equal(await readFile(join(out!, 'results.jsonl'), 'utf8'), '');
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
