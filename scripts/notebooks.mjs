#!/usr/bin/env node
// Executes every notebook in examples/notebooks/ headless, in name order, on the tslab TypeScript kernel,
// and keeps the outputs: `npm run notebooks` → out/notebooks/*.ipynb. Fails (exit 1) on any cell error.
//
// What it does, so nothing lands outside the output folder (and nothing in $HOME):
// 1. builds the @cxrkit packages the notebooks import (and their @cxrkit dependencies) with each package's
//    own tsup config into <out>/node_modules/@cxrkit/<name>/dist, beside a copy of its package.json:
//    the notebooks run against the published form (CJS + .d.ts, as tslab compiles cells to CommonJS and
//    type-checks them with Node10 resolution), and packages/*/dist is left alone;
// 2. installs the tslab kernel from examples/notebooks/kernel/package-lock.json (`npm ci` there, on first
//    use: tslab ships a TypeScript 5.0 fork whose `tsc` bin would shadow the workspace's TypeScript in the
//    root node_modules/.bin), writes its kernelspec (what `tslab install --prefix` writes, but starting
//    tslab on this Node) to <out>/.jupyter/kernels/tslab/kernel.json, and points JUPYTER_PATH /
//    _DATA_DIR / _CONFIG_DIR / _RUNTIME_DIR into <out>/.jupyter;
// 3. copies each notebook into <out> and runs `python3 -m nbconvert --to notebook --execute --inplace`
//    there (Debian ships nbconvert as a module; its `jupyter nbconvert` front end is a separate package).
//    On an error it runs the notebook once more with --allow-errors, so <out>/<name>.ipynb shows the
//    failing cell's output (tslab reports type errors on stderr, which nbconvert's message leaves out).
//
// Usage: node scripts/notebooks.mjs [--filter text] [--out dir]
// Needs a Python with nbconvert + jupyter_client: $CXRKIT_PYTHON, /usr/bin/python3 or python3.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: { filter: { type: 'string' }, out: { type: 'string', default: join('out', 'notebooks') } },
});
const out = resolve(root, values.out);
const notebookDir = join(root, 'examples', 'notebooks');
const log = (s) => console.log(`[notebooks] ${s}`);

/** The first Python that can run nbconvert and talk to kernels, or undefined. */
function findJupyterPython() {
  const candidates = [process.env.CXRKIT_PYTHON, '/usr/bin/python3', 'python3'].filter(Boolean);
  return candidates.find(
    (py) => spawnSync(py, ['-c', 'import nbconvert, nbclient, jupyter_client'], { stdio: 'ignore' }).status === 0,
  );
}

const python = findJupyterPython();
if (!python) {
  console.error(
    '[notebooks] no Python with nbconvert, nbclient and jupyter_client found ($CXRKIT_PYTHON, /usr/bin/python3, ' +
      'python3). Install them (Debian: apt-get install python3-nbconvert python3-jupyter-client) and rerun.',
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

// ── 1. the @cxrkit packages the notebooks import, built as installed ───────────────────────────────
const workspaces = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).workspaces;
const packages = new Map(
  workspaces.map((w) => {
    const pkg = JSON.parse(readFileSync(join(root, w, 'package.json'), 'utf8'));
    return [pkg.name, { dir: join(root, w), pkg }];
  }),
);
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
const started = performance.now();
const tsup = join(root, 'node_modules', 'tsup', 'dist', 'cli-default.js');
for (const name of [...wanted].sort()) {
  const { dir, pkg } = packages.get(name);
  const dest = join(out, 'node_modules', ...name.split('/'));
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  writeFileSync(join(dest, 'package.json'), JSON.stringify(pkg, null, 2));
  for (const extra of pkg.files ?? []) {
    if (extra !== 'dist' && existsSync(join(dir, extra)))
      cpSync(join(dir, extra), join(dest, extra), { recursive: true });
  }
  const r = spawnSync(process.execPath, [tsup, '--out-dir', join(dest, 'dist'), '--silent'], {
    cwd: dir,
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    console.error(r.stdout, r.stderr);
    console.error(`[notebooks] building ${name} failed`);
    process.exit(1);
  }
}
log(`built ${[...wanted].sort().join(', ')} in ${((performance.now() - started) / 1000).toFixed(0)} s`);

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

// ── 3. execute, in name order ───────────────────────────────────────────────────────────────────────
const nbconvert = (path, extra = []) =>
  spawnSync(
    python,
    [
      '-m',
      'nbconvert',
      '--to',
      'notebook',
      '--execute',
      '--inplace',
      '--ExecutePreprocessor.kernel_name=tslab',
      '--ExecutePreprocessor.timeout=600',
      ...extra,
      path,
    ],
    { cwd: out, env, encoding: 'utf8' },
  );
const failed = [];
for (const nb of notebooks) {
  const path = join(out, nb);
  cpSync(join(notebookDir, nb), path);
  const t0 = performance.now();
  const r = nbconvert(path);
  const seconds = ((performance.now() - t0) / 1000).toFixed(1);
  if (r.status === 0) {
    log(`${nb}: ok in ${seconds} s → ${relative(root, path)}`);
    continue;
  }
  failed.push(nb);
  console.error(`[notebooks] ${nb}: FAILED after ${seconds} s\n${(r.stderr ?? '').split('\n').slice(-25).join('\n')}`);
  // Once more with --allow-errors, to keep the outputs of every cell (and show the stderr that explains it).
  cpSync(join(notebookDir, nb), path);
  if (nbconvert(path, ['--allow-errors']).status === 0) {
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
}
log(
  `${notebooks.length - failed.length} of ${notebooks.length} notebooks ran in ${((performance.now() - started) / 1000).toFixed(0)} s`,
);
process.exit(failed.length > 0 ? 1 : 0);
