// Nothing lost: a training child process is killed with SIGKILL in the middle of an epoch, then resumed
// from its checkpoint folder; its final weights must be bit-identical to those of a run that was never
// interrupted (same seed, same backend).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, testOutputDir } from '../helpers.js';

const child = join(repoRoot, 'test', 'learning', 'kill-resume-child.ts');

/** Runs the child; `killAt(line)` returning true SIGKILLs it right after that stdout line. */
function runChild(
  args: string[],
  killAt?: (line: string) => boolean,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; lines: string[] }> {
  return new Promise((resolve, reject) => {
    const p = spawn(
      process.execPath,
      ['--conditions=cxrkit-source', '--import', 'tsx', '--import', join(repoRoot, 'test', 'setup.ts'), child, ...args],
      {
        cwd: repoRoot,
        env: process.env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const lines: string[] = [];
    let buf = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        lines.push(line);
        if (killAt?.(line)) p.kill('SIGKILL');
      }
    });
    p.stderr.on('data', (d: Buffer) => void (stderr += d.toString()));
    p.on('error', reject);
    p.on('close', (code, signal) => {
      if (code !== 0 && signal !== 'SIGKILL') reject(new Error(`child exited with ${code}: ${stderr.slice(-2000)}`));
      else resolve({ code, signal, lines });
    });
  });
}

test('kill -9 mid-epoch, resume → bit-identical final weights to an uninterrupted run', async () => {
  const dir = testOutputDir('kill-resume');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });

  const full = await runChild([join(dir, 'ckpt-full'), join(dir, 'full.bin')]);
  assert.ok(
    full.lines.some((l) => l.startsWith('DONE 30 -')),
    full.lines.join('\n'),
  );

  // 10 steps per epoch; kill right after the checkpoint of epoch 2, step 3 (global step 13) is reported,
  // i.e. while the child is computing step 4 of epoch 2 (and may be writing the next checkpoint).
  const killed = await runChild([join(dir, 'ckpt-b'), join(dir, 'never.bin')], (l) => l === 'CKPT 13 1 3');
  assert.equal(killed.signal, 'SIGKILL', `the child was not killed: ${killed.lines.join(' | ')}`);
  assert.ok(!existsSync(join(dir, 'never.bin')));

  const resumed = await runChild([join(dir, 'ckpt-b'), join(dir, 'resumed.bin'), 'resume']);
  const done = resumed.lines.find((l) => l.startsWith('DONE'));
  assert.ok(done, resumed.lines.join('\n'));
  const [, steps, from] = done.split(' ');
  assert.equal(steps, '30');
  // it resumed mid-epoch 2 (global step ≥ 13, not an epoch boundary), not from scratch
  const resumedAt = Number(/latest-s(\d+)/.exec(from!)?.[1]);
  assert.ok(resumedAt >= 13 && resumedAt % 10 !== 0, `resumed from ${from}`);

  const a = readFileSync(join(dir, 'full.bin'));
  const b = readFileSync(join(dir, 'resumed.bin'));
  assert.equal(a.length, b.length);
  assert.ok(a.equals(b), 'final weights differ between the uninterrupted and the killed-and-resumed run');
});
