#!/usr/bin/env node
// Runs every `*.test.ts` in packages/*/src and test/ with Node's test runner (through tsx), once per
// backend the file asks for. A file opts into backends with a header line
//   // @cxrkit-backends: cpu wasm
// and otherwise runs once, on cpu. Usage: node scripts/test.mjs [--backend cpu|wasm|webgpu] [--filter text]
// Backends other than cpu and wasm (webgpu: a Vulkan driver; node, node-gpu: their packages) are first
// probed (test/setup.ts with CXRKIT_BACKEND_PROBE=1); when one cannot start, its files still run but every
// test in them is reported skipped, and the reason is printed.
// Prints a closing line "N passed, N failed, N skipped" over all runs.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, mkdirSync, rmSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const onlyBackend = opt('--backend');
const filter = opt('--filter');

function walk(dir, out = []) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === 'dist' || e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const files = [...walk(join(root, 'packages')), ...(existsSync(join(root, 'test')) ? walk(join(root, 'test')) : [])]
  .filter((f) => !filter || relative(root, f).includes(filter))
  .sort();

const byBackend = new Map();
for (const f of files) {
  const head = readFileSync(f, 'utf8').split('\n', 15).join('\n');
  const m = head.match(/@cxrkit-backends:\s*([a-z\- ]+)/);
  const wanted = m ? m[1].trim().split(/\s+/) : ['cpu'];
  for (const b of wanted) {
    if (onlyBackend && b !== onlyBackend) continue;
    if (!byBackend.has(b)) byBackend.set(b, []);
    byBackend.get(b).push(f);
  }
}

const outDir = join(root, 'test-output');
mkdirSync(outDir, { recursive: true });
const totals = { pass: 0, fail: 0, skipped: 0, todo: 0, cancelled: 0 };
const nodeArgs = ['--conditions=cxrkit-source', '--import', 'tsx'];

/** Why `backend` cannot start here (its package or driver is missing), or undefined when it can. */
function unavailable(backend) {
  if (backend === 'cpu' || backend === 'wasm') return undefined;
  const r = spawnSync(process.execPath, [...nodeArgs, join(root, 'test', 'setup.ts')], {
    cwd: root,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, CXRKIT_BACKEND: backend, CXRKIT_BACKEND_PROBE: '1' },
  });
  // Exit 2 is the probe's "missing"; anything else (a crash) runs the tests, which then fail loudly.
  return r.status === 2 ? r.stdout.trim() || 'unavailable' : undefined;
}

let exitCode = 0;
if (byBackend.size === 0) {
  console.error('no test files matched');
  process.exit(1);
}
for (const [backend, list] of byBackend) {
  const missing = unavailable(backend);
  console.log(`\n=== ${list.length} test files on backend '${backend}' ===`);
  if (missing) console.log(`backend '${backend}' cannot start here, so its tests are reported skipped: ${missing}`);
  // one TAP file per run: several runs may share the checkout
  const tap = join(outDir, `results-${backend}-${process.pid}.tap`);
  const r = spawnSync(
    process.execPath,
    [
      ...nodeArgs,
      '--import',
      join(root, 'test', 'setup.ts'),
      '--test',
      // an unavailable backend: a name pattern nothing matches turns every test into a skip
      ...(missing ? ['--test-name-pattern=^(?!)'] : []),
      '--test-timeout=900000',
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      '--test-reporter=tap',
      `--test-reporter-destination=${tap}`,
      ...list.map((f) => relative(root, f)),
    ],
    {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, CXRKIT_BACKEND: backend, ...(missing ? { CXRKIT_BACKEND_UNAVAILABLE: missing } : {}) },
    },
  );
  if (r.status !== 0) exitCode = r.status ?? 1;
  if (existsSync(tap)) {
    const text = readFileSync(tap, 'utf8');
    for (const k of Object.keys(totals)) {
      const m = text.match(new RegExp(`^# ${k} (\\d+)$`, 'm'));
      if (m) totals[k] += Number(m[1]);
    }
    rmSync(tap, { force: true });
  } else {
    console.error(`no TAP results were written for backend '${backend}'`);
    exitCode ||= 1;
  }
}
console.log(
  `\n${totals.pass} passed, ${totals.fail + totals.cancelled} failed, ${totals.skipped + totals.todo} skipped`,
);
process.exit(exitCode || (totals.fail + totals.cancelled > 0 ? 1 : 0));
