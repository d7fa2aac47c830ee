// The published form of @cxrkit/core: tsup's ESM and CJS builds both export the names other code calls.
// @cxrkit/metrics (a dependency of core: ksTwoSample) is built first, as an install would bring its dist.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './helpers.js';

const core = join(repoRoot, 'packages', 'core');
const metrics = join(repoRoot, 'packages', 'metrics');
const names = [
  'initBackend',
  'readDicom',
  'CxrkitError',
  'percentileClipMinMax',
  'zScore',
  'resizeBicubic',
  'whoCategory',
  'splitByPatient',
  'synthesizeRadiograph',
  'ksTwoSample',
];

test('@cxrkit/core builds to ESM + CJS + d.ts, and both builds export the public names', () => {
  const tsup = join(repoRoot, 'node_modules', 'tsup', 'dist', 'cli-default.js');
  for (const cwd of [metrics, core]) execFileSync(process.execPath, [tsup], { cwd, stdio: 'pipe' });
  for (const f of ['index.js', 'index.cjs', 'index.d.ts', 'index.d.cts'])
    assert.ok(existsSync(join(core, 'dist', f)), `dist/${f} missing`);
  // Run outside the source condition, the way an installed package resolves.
  const esm = execFileSync(
    process.execPath,
    ['--input-type=module', '-e', `import * as c from '@cxrkit/core'; console.log(JSON.stringify(Object.keys(c)))`],
    { cwd: repoRoot },
  ).toString();
  const cjs = execFileSync(
    process.execPath,
    ['-e', `console.log(JSON.stringify(Object.keys(require('@cxrkit/core'))))`],
    { cwd: repoRoot },
  ).toString();
  for (const [label, out] of [
    ['ESM', esm],
    ['CJS', cjs],
  ] as const) {
    const keys = JSON.parse(out) as string[];
    for (const n of names) assert.ok(keys.includes(n), `${label} build lacks ${n}`);
  }
  const errCode = execFileSync(
    process.execPath,
    [
      '-e',
      `const { CxrkitError } = require('@cxrkit/core'); console.log(new CxrkitError('X_Y', 'm', { received: 1, fix: 'f' }).code)`,
    ],
    { cwd: repoRoot },
  )
    .toString()
    .trim();
  assert.equal(errCode, 'X_Y');
});
