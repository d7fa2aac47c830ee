// The whole workspace (sources, tests, examples, benchmarks) type-checks: tsup builds each package's
// .d.ts from these sources, and the tests themselves run through tsx, which does not check types.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

test('tsc --noEmit over the workspace reports no errors', () => {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json', '--noEmit'], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 16 * 2 ** 20,
  });
  assert.equal(r.status, 0, `tsc reported errors:\n${(r.stdout + r.stderr).split('\n').slice(0, 40).join('\n')}`);
});
