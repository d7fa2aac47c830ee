#!/usr/bin/env node
// Executes every notebook in examples/notebooks/ headless on the tslab TypeScript kernel and keeps the
// outputs: `npm run notebooks` → out/notebooks/*.ipynb. Fails (exit 1) on any cell error.
//
// What it does, so nothing lands outside the output folder (and nothing in $HOME):
// 1. takes the @cxrkit packages the notebooks import (and their @cxrkit dependencies) as published (CJS +
//    .d.ts: tslab compiles cells to CommonJS and type-checks them with Node10 resolution) from
//    scripts/package-builds.mjs — built with each package's own tsup config, cached per package and shared
//    with the pack test, so only a package whose sources changed is rebuilt — and copies them to
//    <out>/node_modules/@cxrkit/<name>/, beside a copy of its package.json (packages/*/dist is left alone);
// 2. installs the tslab kernel from examples/notebooks/kernel/package-lock.json (`npm ci` there, on first
//    use: tslab ships a TypeScript 5.0 fork whose `tsc` bin would shadow the workspace's TypeScript in the
//    root node_modules/.bin), writes its kernelspec (what `tslab install --prefix` writes, but starting
//    tslab on this Node) to <out>/.jupyter/kernels/tslab/kernel.json, and points JUPYTER_PATH /
//    _DATA_DIR / _CONFIG_DIR / _RUNTIME_DIR into <out>/.jupyter;
// 3. copies each notebook into <out> and executes it there with nbclient (Debian: python3-nbclient), which
//    writes the notebook back with every output, also when a cell fails (tslab reports a cell's error, type
//    errors included, on its stderr, which is printed). Notebooks run `--jobs` at a time (default 2, or
//    1 on one CPU), longest chain first; a notebook whose metadata says `"cxrkit": { "after": [names] }`
//    starts when those have finished (04 loads the model 02 saves), and is not run when one of them failed.
// With --html, each executed notebook is also exported to <out>/<name>.html (nbconvert).
//
// Usage: node scripts/notebooks.mjs [--filter text] [--out dir] [--jobs n] [--html]
// Needs a Python with nbclient, nbformat and jupyter_client: $CXRKIT_PYTHON, /usr/bin/python3 or python3.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { packageBuilds, workspacePackages } from './package-builds.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: {
    filter: { type: 'string' },
    out: { type: 'string', default: join('out', 'notebooks') },
    jobs: { type: 'string', default: String(Math.min(2, availableParallelism())) },
    html: { type: 'boolean' },
  },
});
const out = resolve(root, values.out);
const jobs = Math.max(1, Number.parseInt(values.jobs, 10) || 1);
const notebookDir = join(root, 'examples', 'notebooks');
const log = (s) => console.log(`[notebooks] ${s}`);
const since = (t0) => ((performance.now() - t0) / 1000).toFixed(1);

/** The first Python that can execute notebooks, or undefined. */
function findJupyterPython() {
  const candidates = [process.env.CXRKIT_PYTHON, '/usr/bin/python3', 'python3'].filter(Boolean);
  return candidates.find(
    (py) => spawnSync(py, ['-c', 'import nbclient, nbformat, jupyter_client'], { stdio: 'ignore' }).status === 0,
  );
}

const python = findJupyterPython();
if (!python) {
  console.error(
    '[notebooks] no Python with nbclient, nbformat and jupyter_client found ($CXRKIT_PYTHON, /usr/bin/python3, ' +
      'python3). Install them (Debian: apt-get install python3-nbclient python3-jupyter-client) and rerun.',
  );
  process.exit(2);
}

const notebooks = readdirSync(notebookDir)
  .filter((f) => f.endsWith('.ipynb') && (!values.filter || f.includes(values.filter)))
  .sort();
if (notebooks.length === 0) {
  console.error(`[notebooks] no notebook in ${relative(root, notebookDir)} matches '${values.filter ?? ''}'`);
  process.exit(1);
}
const started = performance.now();

// ── 1. the @cxrkit packages the notebooks import, as installed ──────────────────────────────────────
const packages = workspacePackages();
const wanted = new Set();
const want = (name) => {
  if (wanted.has(name) || !packages.has(name)) return;
  wanted.add(name);
  for (const dep of Object.keys(packages.get(name).pkg.dependencies ?? {})) want(dep);
};
for (const nb of notebooks) {
  const text = readFileSync(join(notebookDir, nb), 'utf8');
  for (const m of text.matchAll(/from\s+\\?['"](@cxrkit\/[a-z0-9-]+)/g)) want(m[1]);
}
mkdirSync(out, { recursive: true });
const names = [...wanted].sort();
const builds = await packageBuilds(names, { log: (s) => log(s) });
for (const name of names) {
  const { dir, pkg } = packages.get(name);
  const dest = join(out, 'node_modules', ...name.split('/'));
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  writeFileSync(join(dest, 'package.json'), JSON.stringify(pkg, null, 2));
  for (const extra of pkg.files ?? []) {
    if (extra !== 'dist' && existsSync(join(root, dir, extra)))
      cpSync(join(root, dir, extra), join(dest, extra), { recursive: true });
  }
  cpSync(builds.get(name).dist, join(dest, 'dist'), { recursive: true });
}
const fresh = names.filter((n) => !builds.get(n).cached);
if (names.length > 0)
  log(
    `${names.join(', ')}: ${fresh.length ? `built ${fresh.length}, ` : ''}` +
      `${names.length - fresh.length} from the build cache, in ${since(started)} s`,
  );

// ── 2. the tslab kernelspec, inside the output folder ─────────────────────────────────────────────
const jupyterDir = join(out, '.jupyter');
const kernelDir = join(jupyterDir, 'kernels', 'tslab');
mkdirSync(kernelDir, { recursive: true });
const kernelPackage = join(notebookDir, 'kernel');
const tslabBin = join(kernelPackage, 'node_modules', 'tslab', 'bin', 'tslab');
const installed = join(kernelPackage, 'node_modules', '.package-lock.json');
if (
  !existsSync(installed) ||
  statSync(installed).mtimeMs < statSync(join(kernelPackage, 'package-lock.json')).mtimeMs
) {
  log(`installing the tslab kernel (npm ci in ${relative(root, kernelPackage)})`);
  const npm = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ['npm'];
  const r = spawnSync(npm[0], [...npm.slice(1), 'ci', '--no-audit', '--no-fund'], {
    cwd: kernelPackage,
    stdio: 'inherit',
  });
  if (r.status !== 0 || !existsSync(tslabBin)) {
    console.error(
      `[notebooks] could not install tslab in ${relative(root, kernelPackage)} (npm ci exited ${r.status})`,
    );
    process.exit(1);
  }
}
const kernelSpec = {
  argv: [process.execPath, tslabBin, 'kernel', '--config-path', '{connection_file}'],
  display_name: 'TypeScript',
  language: 'typescript',
};
writeFileSync(join(kernelDir, 'kernel.json'), JSON.stringify(kernelSpec, null, 2));
const env = {
  ...process.env,
  JUPYTER_PATH: jupyterDir,
  JUPYTER_DATA_DIR: jupyterDir,
  JUPYTER_CONFIG_DIR: join(jupyterDir, 'config'),
  JUPYTER_RUNTIME_DIR: join(jupyterDir, 'runtime'),
  IPYTHONDIR: join(jupyterDir, 'ipython'),
  JUPYTER_PLATFORM_DIRS: '1', // jupyter_core ≥ 5: use the dirs above, not a deprecation warning
  PYDEVD_DISABLE_FILE_VALIDATION: '1', // silences debugpy's "frozen modules" note on stderr
};

// ── 3. execute, `jobs` at a time, each after the notebooks it needs ─────────────────────────────────
// nbclient executes the notebook in its own folder and writes it back with its outputs, also on a cell
// error (then exit 1, the error's last lines on stderr).
const EXECUTE = `
import sys, os, nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
path = sys.argv[1]
nb = nbformat.read(path, as_version=4)
client = NotebookClient(nb, kernel_name='tslab', timeout=600,
                        resources={'metadata': {'path': os.path.dirname(path)}})
code = 0
try:
    client.execute()
except CellExecutionError as e:
    code = 1
    print(str(e)[-4000:], file=sys.stderr)
finally:
    nbformat.write(nb, path)
sys.exit(code)
`;

/** Runs `cmd` and resolves with its exit status and stderr. */
const run = (cmd, args) =>
  new Promise((done) => {
    const child = spawn(cmd, args, { cwd: out, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (e) => done({ status: null, stderr: String(e) }));
    child.on('close', (status) => done({ status, stderr }));
  });

/** The notebooks (among those selected) that `nb` waits for, from its metadata. */
const after = new Map(
  notebooks.map((nb) => {
    const meta = JSON.parse(readFileSync(join(notebookDir, nb), 'utf8')).metadata?.cxrkit ?? {};
    return [nb, (meta.after ?? []).filter((dep) => notebooks.includes(dep))];
  }),
);
/** Length of the longest chain of notebooks waiting on `nb` (to start those first). */
const chain = (nb) => 1 + Math.max(0, ...notebooks.filter((o) => after.get(o).includes(nb)).map(chain));

/** Prints a failed notebook's error outputs and the stderr of its cells. */
function reportFailure(nb, path, stderr) {
  console.error(`[notebooks] ${nb}: FAILED\n${stderr.trim().split('\n').slice(-25).join('\n')}`);
  if (!existsSync(path)) return;
  const cells = JSON.parse(readFileSync(path, 'utf8')).cells;
  for (const [i, cell] of cells.entries()) {
    for (const o of cell.outputs ?? []) {
      if (o.output_type === 'error' || (o.output_type === 'stream' && o.name === 'stderr')) {
        const text = o.output_type === 'error' ? `${o.ename}: ${o.evalue}` : [o.text].flat().join('');
        console.error(`[notebooks]   cell ${i + 1}: ${text.trim().split('\n').slice(0, 12).join('\n    ')}`);
      }
    }
  }
  console.error(`[notebooks]   outputs kept in ${relative(root, path)}`);
}

const status = new Map(); // nb → 'running' | 'ok' | 'failed' | 'not run'
async function execute(nb) {
  const path = join(out, nb);
  cpSync(join(notebookDir, nb), path);
  const t0 = performance.now();
  const r = await run(python, ['-c', EXECUTE, path]);
  if (r.status !== 0) {
    reportFailure(nb, path, r.stderr);
    return 'failed';
  }
  log(`${nb}: ok in ${since(t0)} s → ${relative(root, path)}`);
  if (values.html) {
    const h = await run(python, ['-m', 'nbconvert', '--to', 'html', path]);
    if (h.status !== 0) console.error(`[notebooks] ${nb}: HTML export failed\n${h.stderr}`);
  }
  return 'ok';
}
await new Promise((allDone) => {
  const next = () => {
    for (const nb of notebooks) {
      if (status.has(nb)) continue;
      const deps = after.get(nb).map((d) => status.get(d));
      if (deps.some((s) => s === 'failed' || s === 'not run')) {
        status.set(nb, 'not run');
        console.error(`[notebooks] ${nb}: not run, as ${after.get(nb).join(', ')} did not run through`);
      }
    }
    const running = [...status.values()].filter((s) => s === 'running').length;
    const ready = notebooks
      .filter((nb) => !status.has(nb) && after.get(nb).every((d) => status.get(d) === 'ok'))
      .sort((a, b) => chain(b) - chain(a) || a.localeCompare(b));
    for (const nb of ready.slice(0, jobs - running)) {
      status.set(nb, 'running');
      execute(nb).then((s) => {
        status.set(nb, s);
        next();
      });
    }
    if (running === 0 && ready.length === 0) {
      // nothing can start: a cycle in the metadata's "after" lists
      for (const nb of notebooks.filter((n) => !status.has(n))) status.set(nb, 'not run');
    }
    if (notebooks.every((nb) => status.has(nb) && status.get(nb) !== 'running')) allDone();
  };
  next();
});
const failed = notebooks.filter((nb) => status.get(nb) !== 'ok');
log(`${notebooks.length - failed.length} of ${notebooks.length} notebooks ran in ${since(started)} s`);
process.exit(failed.length > 0 ? 1 : 0);
