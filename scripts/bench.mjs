#!/usr/bin/env node
// Runs the benchmarks in bench/*.bench.ts (speed and memory targets live here, not in tests).
// Usage: npm run bench [-- --filter dicom] ; CXRKIT_BACKEND picks the tfjs backend where one is used.
// Each benchmark prints a table and writes JSON to bench-output/.
import { spawnSync } from 'node:child_process';
import { readdirSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const fi = args.indexOf('--filter');
const filter = fi >= 0 ? args[fi + 1] : undefined;
mkdirSync(join(root, 'bench-output'), { recursive: true });
const files = readdirSync(join(root, 'bench')).filter((f) => f.endsWith('.bench.ts') && (!filter || f.includes(filter))).sort();
let failed = 0;
for (const f of files) {
  console.log(`\n### ${f}`);
  const r = spawnSync(process.execPath, ['--conditions=cxrkit-source', '--import', 'tsx', join('bench', f), ...args.filter((a, i) => i !== fi && i !== fi + 1)], {
    cwd: root,
    stdio: 'inherit',
  });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
