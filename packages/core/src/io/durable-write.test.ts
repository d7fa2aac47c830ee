// The one durable write: atomic replacement of files and folders, unique temp names within a process
// (concurrent writers of one file never share a temp file), clean-up on failure, and — watched with
// strace, the kernel's own record — fsync of the data before the rename and of the folder after it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isCxrkitError } from '../errors.js';
import { tempSiblingPath, writeDirAtomic, writeFileAtomic, writeFileSynced } from './durable-write.js';
import { repoRoot } from '../../../../test/helpers.js';

const scratch = () => mkdtempSync(join(tmpdir(), 'cxrkit-durable-'));

test('writeFileAtomic creates and replaces a file; 64 concurrent writers leave one whole version', async () => {
  const dir = scratch();
  try {
    const file = join(dir, 'card.json');
    await writeFileAtomic(file, 'first');
    assert.equal(readFileSync(file, 'utf8'), 'first');
    await writeFileAtomic(file, new TextEncoder().encode('second'));
    assert.equal(readFileSync(file, 'utf8'), 'second');
    // serve's old writer used `<file>.tmp-<pid>`: two writes in one process shared (and tore) one temp file
    const versions = Array.from({ length: 64 }, (_, i) => `version ${i} `.repeat(2000));
    await Promise.all(versions.map((v) => writeFileAtomic(file, v)));
    assert.ok(versions.includes(readFileSync(file, 'utf8')), 'the file holds one complete version');
    assert.deepEqual(readdirSync(dir), ['card.json'], 'no temporary file left');
    // a failed write leaves the old file and no temp file
    const enoent = (e: unknown) => (e as NodeJS.ErrnoException).code === 'ENOENT';
    await assert.rejects(writeFileAtomic(join(dir, 'missing-folder', 'x.json'), 'x'), enoent);
    assert.deepEqual(readdirSync(dir), ['card.json']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('temporary names are unique within one process', () => {
  const names = new Set(Array.from({ length: 10_000 }, () => tempSiblingPath('/x/model')));
  assert.equal(names.size, 10_000);
  for (const n of names) assert.match(n, new RegExp(`^/x/model\\.tmp-${process.pid}-[0-9a-z]+-[0-9a-z]{6}$`));
});

test('writeDirAtomic creates, replaces whole folders, cleans up after failing, refuses a file target', async () => {
  const root = scratch();
  try {
    const dir = join(root, 'nested', 'model');
    await writeDirAtomic(dir, async (tmp) => {
      await writeFileSynced(join(tmp, 'a.bin'), new Uint8Array([1, 2, 3]));
      await writeFileSynced(join(tmp, 'b.json'), '{}');
    });
    assert.deepEqual(readdirSync(dir).sort(), ['a.bin', 'b.json']);
    await writeDirAtomic(dir, async (tmp) => writeFileSynced(join(tmp, 'c.json'), 'new'));
    assert.deepEqual(readdirSync(dir), ['c.json'], 'the old folder is replaced, not merged');
    await assert.rejects(
      writeDirAtomic(dir, async (tmp) => {
        await writeFileSynced(join(tmp, 'half.bin'), 'x');
        throw new Error('disk full');
      }),
      /disk full/,
    );
    assert.deepEqual(readdirSync(dir), ['c.json'], 'a failed write keeps the old folder');
    assert.deepEqual(readdirSync(join(root, 'nested')), ['model'], 'no temporary or old folder left');
    const file = join(root, 'a-file');
    writeFileSync(file, 'x');
    const notDir = (e: unknown) => isCxrkitError(e, 'FILE_TARGET_NOT_DIR');
    await assert.rejects(
      writeDirAtomic(file, async () => undefined),
      notDir,
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('strace: the data is fsynced before the rename, and the folder after it', (t) => {
  const probe = spawnSync('strace', ['-V'], { encoding: 'utf8' });
  if (probe.status !== 0) return t.skip('strace (Debian package strace) is not installed');
  const dir = scratch();
  try {
    mkdirSync(join(dir, 'sub'));
    const file = join(dir, 'sub', 'manifest.json');
    const log = join(dir, 'strace.log');
    const module = JSON.stringify(join(repoRoot, 'packages/core/src/io/durable-write.ts'));
    const script = `const m = await import(${module});\nawait m.writeFileAtomic(${JSON.stringify(file)}, 'x');`;
    const r = spawnSync(
      'strace',
      [
        ...['-f', '-qq', '-o', log, '-e', 'trace=openat,fsync,fdatasync,rename,renameat,renameat2,close'],
        ...[process.execPath, '--import', 'tsx', '--input-type=module', '-e', script],
      ],
      { cwd: repoRoot, encoding: 'utf8' },
    );
    if (r.status !== 0 && /ptrace|Operation not permitted/.test(r.stderr)) {
      return t.skip(`strace cannot trace here: ${r.stderr.trim().split('\n')[0]}`);
    }
    assert.equal(r.status, 0, r.stderr);
    assert.ok(existsSync(file));
    // Follow file descriptors through the calls (strace -f prefixes each line with the thread id).
    const lines = readFileSync(log, 'utf8')
      .split('\n')
      .map((l) => l.replace(/^\d+\s+/, ''));
    const fdPath = new Map<number, string>();
    const events: string[] = [];
    for (const l of lines) {
      let m = /^openat\(AT_FDCWD, "([^"]+)", [^)]*\) = (\d+)/.exec(l);
      if (m) {
        fdPath.set(Number(m[2]), m[1]!);
        continue;
      }
      m = /^f(?:data)?sync\((\d+)\)\s+= 0/.exec(l);
      if (m) {
        events.push(`fsync ${fdPath.get(Number(m[1])) ?? '?'}`);
        continue;
      }
      m = /^rename(?:at2?)?\((?:AT_FDCWD, )?"([^"]+)", (?:AT_FDCWD, )?"([^"]+)"/.exec(l);
      if (m) events.push(`rename ${m[1]} -> ${m[2]}`);
    }
    const renameAt = events.findIndex((e) => e.startsWith('rename ') && e.endsWith(` -> ${file}`));
    assert.ok(renameAt > 0, `a rename onto the file: ${events.join('; ')}`);
    const tmp = events[renameAt]!.slice('rename '.length, events[renameAt]!.indexOf(' -> '));
    assert.match(tmp, /manifest\.json\.tmp-/);
    const seen = events.join('; ');
    assert.ok(events.slice(0, renameAt).includes(`fsync ${tmp}`), `temp file fsynced before the rename: ${seen}`);
    const folderSynced = events.slice(renameAt + 1).includes(`fsync ${join(dir, 'sub')}`);
    assert.ok(folderSynced, `folder fsynced after the rename: ${seen}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
