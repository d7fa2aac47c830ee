#!/usr/bin/env node
// Runs the benchmarks in bench/*.bench.ts (speed and memory targets live here, not in tests).
// Usage: npm run bench [-- --filter dicom] (an exact name like `train` runs only train.bench.ts; otherwise a substring); CXRKIT_BACKEND picks the tfjs backend where one is used.
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
const all = readdirSync(join(root, 'bench'))
  .filter((f) => f.endsWith('.bench.ts'))
  .sort();
// An exact name (`train`, `train.bench`, `train.bench.ts`) selects that file alone; otherwise a substring.
const exact = filter && all.filter((f) => [f, f.replace(/\.ts$/, ''), f.replace(/\.bench\.ts$/, '')].includes(filter));
const files = exact && exact.length ? exact : all.filter((f) => !filter || f.includes(filter));
let failed = 0;
for (const f of files) {
  console.log(`\n### ${f}`);
  const r = spawnSync(
    process.execPath,
    [
      '--conditions=cxrkit-source',
      '--import',
      'tsx',
      join('bench', f),
      ...args.filter((a, i) => i !== fi && i !== fi + 1),
    ],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
