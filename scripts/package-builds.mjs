#!/usr/bin/env node
// The workspace packages built as they are published (each with its own tsup config: ESM + CJS + .d.ts in
// dist/), cached per package so that the pack test and the notebooks build each package once between them.
//
// Cache: node_modules/.cache/cxrkit-build/<package folder>-<hash>/dist, where the hash covers everything
// that package's build reads: the root build configs and the lock file, and the sources (tests excluded),
// tsup config, tsconfig and package.json of the package and of every @cxrkit package it depends on (its
// .d.ts build reads their sources through the `cxrkit-source` condition). A package whose inputs did not
// change is not rebuilt; an older build of it is removed when a new one is stored. Builds run
// `concurrency` at a time (default: the number of CPUs, at most 3), each in a temporary sibling folder that
// is renamed into place, so concurrent runs never see half a build.
//
// As a module: `await packageBuilds(['@cxrkit/core', …])` → Map(name → { dist, cached, seconds }).
// As a command (what the pack test runs):
//   node scripts/package-builds.mjs [--all] [--no-cache] [name …]   → JSON { name: { dist, cached, seconds } }
// CXRKIT_BUILD_NO_CACHE=1 (or --no-cache) rebuilds even when a build with the same inputs is cached.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const cacheRoot = join(root, 'node_modules', '.cache', 'cxrkit-build');
const tsup = join(root, 'node_modules', 'tsup', 'dist', 'cli-default.js');
/** Files of the repository root that every build reads. */
const SHARED_INPUTS = ['tsup.base.ts', 'tsconfig.base.json', 'package-lock.json'];

/**
 * The workspace packages named in the root package.json (plain folders or `dir/*` globs), by package name:
 * `{ dir (relative to the repo root), pkg (its package.json) }`.
 */
export function workspacePackages() {
  const { workspaces } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const dirs = workspaces.flatMap((w) =>
    w.endsWith('/*')
      ? readdirSync(join(root, w.slice(0, -2)), { withFileTypes: true })
          .filter((e) => e.isDirectory())
          .map((e) => `${w.slice(0, -2)}/${e.name}`)
      : [w],
  );
  return new Map(
    dirs
      .filter((dir) => existsSync(join(root, dir, 'package.json')))
      .map((dir) => {
        const pkg = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
        return [pkg.name, { dir, pkg }];
      }),
  );
}

/** Every file path (relative to the repo root) below `dir`, sorted. */
function filesBelow(dir) {
  if (!existsSync(join(root, dir))) return [];
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath ?? e.path, e.name)))
    .sort();
}

/** `name` and every workspace package it depends on, directly or not. */
function withWorkspaceDeps(name, all, out = new Set()) {
  if (out.has(name) || !all.has(name)) return out;
  out.add(name);
  const { pkg } = all.get(name);
  for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies })) withWorkspaceDeps(dep, all, out);
  return out;
}

/** Hash of everything building `name` reads (see the header). */
export function buildInputsHash(name, all = workspacePackages()) {
  const h = createHash('sha256');
  const dirs = [...withWorkspaceDeps(name, all)].map((n) => all.get(n).dir).sort();
  const files = [
    ...SHARED_INPUTS,
    ...dirs.flatMap((dir) => [
      ...filesBelow(`${dir}/src`).filter((f) => !f.endsWith('.test.ts')),
      `${dir}/tsup.config.ts`,
      `${dir}/tsconfig.json`,
      `${dir}/package.json`,
    ]),
  ];
  for (const f of files) {
    if (!existsSync(join(root, f))) continue;
    h.update(`${f}\0`);
    h.update(readFileSync(join(root, f)));
  }
  return h.digest('hex').slice(0, 16);
}

/** Runs tsup for the package in `dir` into `outDir`; rejects with its output on failure. */
function runTsup(dir, outDir) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tsup, '--out-dir', outDir, '--silent'], {
      cwd: join(root, dir),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve();
      else
        reject(
          new Error(
            `building ${dir} failed (tsup exited ${code}):\n${output.trim().split('\n').slice(-40).join('\n')}`,
          ),
        );
    });
  });
}

/**
 * Builds the named workspace packages (or takes them from the cache).
 * @param names package names, e.g. `['@cxrkit/core', '@cxrkit/models']` (not their dependencies: a
 *   package's build reads its dependencies' sources, not their builds)
 * @param options `concurrency` (default: CPUs, at most 3), `noCache` (rebuild; default
 *   `$CXRKIT_BUILD_NO_CACHE`), `log` (one line per package built)
 * @returns name → `{ dist, cached, seconds }`: `dist` is the cached build folder (read it, do not write)
 */
export async function packageBuilds(names, options = {}) {
  const all = workspacePackages();
  const unknown = names.filter((n) => !all.has(n));
  if (unknown.length) throw new Error(`not workspace packages: ${unknown.join(', ')}`);
  const noCache = options.noCache ?? Boolean(process.env.CXRKIT_BUILD_NO_CACHE);
  const limit = Math.max(1, options.concurrency ?? Math.min(3, availableParallelism()));
  const log = options.log ?? (() => {});
  const result = new Map();
  const queue = [...new Set(names)];
  const worker = async () => {
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
      const { dir } = all.get(name);
      const key = dir.replaceAll('/', '-');
      const folder = join(cacheRoot, `${key}-${buildInputsHash(name, all)}`);
      const dist = join(folder, 'dist');
      if (!noCache && existsSync(dist)) {
        result.set(name, { dist, cached: true, seconds: 0 });
        continue;
      }
      const t0 = performance.now();
      const partial = `${folder}.${process.pid}.partial`;
      rmSync(partial, { recursive: true, force: true });
      mkdirSync(partial, { recursive: true });
      try {
        await runTsup(dir, join(partial, 'dist'));
        if (noCache) rmSync(folder, { recursive: true, force: true });
        try {
          renameSync(partial, folder);
        } catch (e) {
          // another run stored the same inputs' build meanwhile: keep that one (it is the same build)
          if (e.code !== 'ENOTEMPTY' && e.code !== 'EEXIST') throw e;
        }
      } finally {
        rmSync(partial, { recursive: true, force: true });
      }
      // older builds of this package (other hashes) are of no further use
      for (const old of readdirSync(cacheRoot)) {
        if (
          old.startsWith(`${key}-`) &&
          /^[0-9a-f]{16}$/.test(old.slice(key.length + 1)) &&
          join(cacheRoot, old) !== folder
        )
          rmSync(join(cacheRoot, old), { recursive: true, force: true });
      }
      const seconds = Math.round((performance.now() - t0) / 100) / 10;
      result.set(name, { dist, cached: false, seconds });
      log(`built ${name} in ${seconds} s`);
    }
  };
  mkdirSync(cacheRoot, { recursive: true });
  // the pack test's former cache (whole-workspace builds), replaced by this one
  rmSync(join(root, 'node_modules', '.cache', 'cxrkit-pack'), { recursive: true, force: true });
  await Promise.all(Array.from({ length: Math.min(limit, queue.length) }, worker));
  return new Map(names.map((n) => [n, result.get(n)]));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values, positionals } = parseArgs({
    options: { all: { type: 'boolean' }, 'no-cache': { type: 'boolean' } },
    allowPositionals: true,
  });
  const names = values.all ? [...workspacePackages()].filter(([, w]) => !w.pkg.private).map(([n]) => n) : positionals;
  try {
    const builds = await packageBuilds(names, { noCache: values['no-cache'] || undefined });
    console.log(JSON.stringify(Object.fromEntries(builds)));
  } catch (e) {
    console.error(`[package-builds] ${e.message}`);
    process.exit(1);
  }
}
