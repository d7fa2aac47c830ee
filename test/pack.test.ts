// The packages as a stranger installs them: every workspace package (read from the root package.json, so
// new ones are covered) is built with tsup, packed with `npm pack` (its prepack strips the workspace-only
// `cxrkit-source` export condition: scripts/pack-manifest.mjs), and the tarballs are installed into fresh
// projects under os.tmpdir(), outside the workspace. Every export of every package (root and subpaths, as
// listed in its package.json) must import as ESM, require as CJS with the same names, and type-check from
// .mts and .cts consumer files under `tsc --strict` (module nodenext). A second project installs only
// serve + onnx + onnxruntime-node: no @tensorflow/* may be installed, and it screens a DICOM. Third-party
// dependencies come from the npm registry (cached by npm): without it the tests skip with the reason.
// Builds are cached in node_modules/.cache/cxrkit-pack under a hash of every workspace source and build
// config (CXRKIT_PACK_NO_CACHE=1 rebuilds); CXRKIT_KEEP_PACK=1 keeps the temporary folder and prints it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { buildScreeningModel, createModelCard, createTfjsPredictor, withSeededRandom } from '@cxrkit/models';
import { exportOnnx } from '@cxrkit/onnx';
import { screenDicom } from '@cxrkit/serve';
import { fixtureDir, repoRoot } from './helpers.js';

const run = promisify(execFile);
const rootPkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  workspaces: string[];
  devDependencies: Record<string, string>;
};
const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { version?: string }>;
};
const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
const tsup = join(repoRoot, 'node_modules', 'tsup', 'dist', 'cli-default.js');

interface Manifest {
  name: string;
  private?: boolean;
  files?: string[];
  exports: Record<string, unknown>;
  publishConfig?: { access?: string };
  repository?: { directory?: string };
}
interface Workspace {
  dir: string; // relative to the repo root, e.g. packages/core
  pkg: Manifest;
  /** Import specifiers of every code export: '@cxrkit/core', '@cxrkit/core/tfjs-free', … */
  entries: string[];
  /** Import specifiers of JSON files exported as such (e.g. a JSON Schema), except ./package.json. */
  jsonEntries: string[];
}

/** The root package.json's workspaces (plain folders or `dir/*` globs), public packages only. */
function workspaces(): Workspace[] {
  const dirs = rootPkg.workspaces.flatMap((w) =>
    w.endsWith('/*')
      ? readdirSync(join(repoRoot, w.slice(0, -2)), { withFileTypes: true })
          .filter((e) => e.isDirectory())
          .map((e) => `${w.slice(0, -2)}/${e.name}`)
      : [w],
  );
  return dirs
    .filter((dir) => existsSync(join(repoRoot, dir, 'package.json')))
    .map((dir) => {
      const pkg = JSON.parse(readFileSync(join(repoRoot, dir, 'package.json'), 'utf8')) as Manifest;
      const spec = (k: string) => (k === '.' ? pkg.name : `${pkg.name}/${k.slice(2)}`);
      const isJson = (k: string) => typeof pkg.exports[k] === 'string' && (pkg.exports[k] as string).endsWith('.json');
      const keys = Object.keys(pkg.exports).filter((k) => k !== './package.json');
      return {
        dir,
        pkg,
        entries: keys.filter((k) => !isJson(k)).map(spec),
        jsonEntries: keys.filter(isJson).map(spec),
      };
    })
    .filter((w) => !w.pkg.private);
}

/** Every file path (relative to the repo root) below `dir`, sorted. */
function filesBelow(dir: string): string[] {
  if (!existsSync(join(repoRoot, dir))) return [];
  return readdirSync(join(repoRoot, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => relative(repoRoot, join(e.parentPath ?? e.path, e.name)))
    .sort();
}

/** Hash of everything a build reads: every workspace's sources (tests excluded: no entry imports them) and
 * build configs, and the tool versions. */
function buildInputsHash(list: Workspace[]): string {
  const h = createHash('sha256');
  const files = [
    'tsup.base.ts',
    'tsconfig.base.json',
    'package-lock.json',
    ...list.flatMap((w) => [
      ...filesBelow(`${w.dir}/src`).filter((f) => !f.endsWith('.test.ts')),
      `${w.dir}/tsup.config.ts`,
      `${w.dir}/tsconfig.json`,
      `${w.dir}/package.json`,
    ]),
  ];
  for (const f of files) {
    if (!existsSync(join(repoRoot, f))) continue;
    h.update(`${f}\0`);
    h.update(readFileSync(join(repoRoot, f)));
  }
  return h.digest('hex').slice(0, 16);
}

/** Every string an exports map (at any depth) names. */
function exportTargets(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return value && typeof value === 'object' ? Object.values(value).flatMap(exportTargets) : [];
}

/** Runs a command; on failure the error carries its output. */
async function sh(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<string> {
  // npm's own variables from an enclosing `npm test` (lifecycle, workspace, package) must not leak into
  // the npm commands run here; configuration such as the registry or cache stays.
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !/^(npm_(lifecycle|package|command|config_workspace|config_local_prefix)|INIT_CWD$)/i.test(k),
    ),
  );
  try {
    const { stdout } = await run(cmd, args, { cwd, env: { ...inherited, ...env }, maxBuffer: 64 * 2 ** 20 });
    return stdout;
  } catch (e) {
    const { stdout = '', stderr = '' } = e as { stdout?: string; stderr?: string };
    throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) failed:\n${lastLines(`${stdout}\n${stderr}`, 40)}`);
  }
}

/** The last `n` lines of a command's output. */
const lastLines = (out: string, n: number) => out.trim().split('\n').slice(-n).join('\n');
/** The last line a script printed (its JSON result; libraries may log before it). */
const lastLine = (out: string) => lastLines(out, 1);

/** Runs `fn` over `items`, at most `limit` at a time. */
async function pool<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const installEnv = { ONNXRUNTIME_NODE_INSTALL: 'skip' };
const installArgs = ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'];

/** Why the registry cannot be used, or false. */
async function registryUnavailable(): Promise<string | false> {
  try {
    await sh(npm, ['ping', '--fetch-timeout=15000', '--fetch-retries=0'], tmpdir());
    return false;
  } catch (e) {
    return `the npm registry is unreachable (npm ping failed: ${
      String((e as Error).message)
        .split('\n')
        .slice(-1)[0]
    }); the packed tarballs need their third-party dependencies from it`;
  }
}

const packages = workspaces();
const skip = await registryUnavailable();
let tmp = '';
/** Tarball path and file list by package name. */
const tarballs = new Map<string, string>();
const packedFiles = new Map<string, string[]>();
/** The two fresh projects, installed side by side while the tarballs are checked. */
let consumer: Promise<string>;
let onnxService: Promise<string>;
/** Seconds spent per stage, printed at the end. */
const timing: Record<string, number> = {};
const timed = async <T>(label: string, fn: () => Promise<T>): Promise<T> => {
  const t0 = performance.now();
  try {
    return await fn();
  } finally {
    timing[label] = Math.round((performance.now() - t0) / 100) / 10;
  }
};

/** `file:` specs of every packed package (for dependencies and overrides: no @cxrkit/* from the registry). */
const fileSpecs = () => Object.fromEntries([...tarballs].map(([name, file]) => [name, `file:${file}`]));

/** A fresh project under tmp with these dependencies, every @cxrkit/* pinned to its tarball. */
async function installProject(name: string, dependencies: Record<string, string>): Promise<string> {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: `cxrkit-${name}`, private: true, dependencies, overrides: fileSpecs() }, null, 2)}\n`,
  );
  await sh(npm, installArgs, dir, installEnv);
  return dir;
}

before(async () => {
  if (skip) return;
  tmp = mkdtempSync(join(tmpdir(), 'cxrkit-pack-'));
  assert.ok(relative(repoRoot, tmp).startsWith('..'), 'the temporary projects lie outside the workspace');
  const stage = join(tmp, 'stage');
  mkdirSync(join(stage, 'scripts'), { recursive: true });
  cpSync(join(repoRoot, 'scripts', 'pack-manifest.mjs'), join(stage, 'scripts', 'pack-manifest.mjs'));
  mkdirSync(join(tmp, 'tarballs'));
  // Build each package into a copy of it (so concurrent tests that read packages/*/dist or package.json
  // never see a half-written build or a stripped manifest), then `npm pack` the copy: its prepack and
  // postpack run from the copy's ../../scripts, exactly as in the workspace.
  const cacheRoot = join(repoRoot, 'node_modules', '.cache', 'cxrkit-pack');
  const cache = join(cacheRoot, buildInputsHash(packages));
  const cached = !process.env.CXRKIT_PACK_NO_CACHE && existsSync(cache);
  await timed(cached ? 'build (cached)' : 'build', () =>
    pool(packages, 3, async (w) => {
      const copy = join(stage, w.dir);
      mkdirSync(copy, { recursive: true });
      for (const f of ['package.json', ...(w.pkg.files ?? []).filter((f) => f !== 'dist')]) {
        if (existsSync(join(repoRoot, w.dir, f))) cpSync(join(repoRoot, w.dir, f), join(copy, f), { recursive: true });
      }
      if (cached) cpSync(join(cache, w.dir, 'dist'), join(copy, 'dist'), { recursive: true });
      else await sh(process.execPath, [tsup, '--out-dir', join(copy, 'dist'), '--silent'], join(repoRoot, w.dir));
    }),
  );
  if (!cached) {
    // keep this build for the next run with the same inputs (and only this one)
    const partial = `${cache}.${process.pid}.partial`;
    for (const w of packages) cpSync(join(stage, w.dir, 'dist'), join(partial, w.dir, 'dist'), { recursive: true });
    rmSync(cache, { recursive: true, force: true });
    renameSync(partial, cache);
    for (const old of readdirSync(cacheRoot))
      if (join(cacheRoot, old) !== cache) rmSync(join(cacheRoot, old), { recursive: true, force: true });
  }
  await timed('pack', () =>
    pool(packages, 3, async (w) => {
      const out = await sh(npm, ['pack', '--json', '--pack-destination', join(tmp, 'tarballs')], join(stage, w.dir));
      const [{ filename, files }] = JSON.parse(out) as [{ filename: string; files: { path: string }[] }];
      tarballs.set(w.pkg.name, join(tmp, 'tarballs', filename));
      packedFiles.set(
        w.pkg.name,
        files.map((f) => `package/${f.path}`),
      );
    }),
  );
  const tfjs = (name: string) => rootPkg.devDependencies[name]!;
  consumer = timed('install all', () =>
    installProject('consumer', {
      ...fileSpecs(),
      // the optional peers the package roots need, and Node's types for the consumer files
      '@tensorflow/tfjs-core': tfjs('@tensorflow/tfjs-core'),
      '@tensorflow/tfjs-layers': tfjs('@tensorflow/tfjs-layers'),
      '@types/node': tfjs('@types/node'),
    }),
  );
  const ort = lock.packages['node_modules/onnxruntime-node']!.version!;
  const only = (name: string) => `file:${tarballs.get(name)}`;
  onnxService = timed('install serve+onnx', () =>
    installProject('onnx-service', {
      '@cxrkit/serve': only('@cxrkit/serve'),
      '@cxrkit/onnx': only('@cxrkit/onnx'),
      'onnxruntime-node': ort,
    }),
  );
  // (awaited by the tests; an install error surfaces there, not as an unhandled rejection here)
  consumer.catch(() => {});
  onnxService.catch(() => {});
});

after(() => {
  if (!tmp) return;
  console.log(`# pack test stages (s): ${JSON.stringify(timing)}`);
  if (process.env.CXRKIT_KEEP_PACK) console.log(`# kept ${tmp}`);
  else rmSync(tmp, { recursive: true, force: true });
});

test('every workspace package packs without the source condition, with LICENSE, public access and its folder', {
  skip,
}, async () => {
  assert.ok(packages.length >= 6, `workspaces: ${packages.map((w) => w.dir)}`);
  for (const w of packages) {
    const file = tarballs.get(w.pkg.name)!;
    const listing = packedFiles.get(w.pkg.name)!;
    const packed = JSON.parse(await sh('tar', ['-xzOf', file, 'package/package.json'], tmp)) as Manifest;
    const text = JSON.stringify(packed);
    assert.ok(!text.includes('cxrkit-source'), `${w.pkg.name}: the cxrkit-source condition was published`);
    assert.ok(!listing.some((f) => f.startsWith('package/src/')), `${w.pkg.name}: sources were published`);
    for (const f of ['package/LICENSE', 'package/README.md', 'package/package.json'])
      assert.ok(listing.includes(f), `${w.pkg.name}: ${f} missing`);
    assert.equal(packed.publishConfig?.access, 'public', `${w.pkg.name}: publishConfig.access`);
    assert.equal(packed.repository?.directory, w.dir, `${w.pkg.name}: repository.directory`);
    // every file an export condition names is in the tarball
    for (const t of exportTargets(packed.exports).map((p) => `package/${p.replace(/^\.\//, '')}`)) {
      assert.ok(listing.includes(t), `${w.pkg.name}: exports names ${t}, not in the tarball`);
    }
    // postpack restored the manifest it stripped: the copy is back to the workspace's
    assert.deepEqual(
      JSON.parse(readFileSync(join(tmp, 'stage', w.dir, 'package.json'), 'utf8')),
      w.pkg,
      `${w.pkg.name}: package.json not restored after pack`,
    );
  }
});

test('in a fresh project, every export imports as ESM, requires as CJS, and type-checks under tsc --strict', {
  skip,
}, async () => {
  const dir = await consumer;
  const entries = packages.flatMap((w) => w.entries);
  /** Export names of every entry, as a script in the consumer project loads them. */
  const keysOf = async (file: string, load: string): Promise<Record<string, string[]>> => {
    const lines = [
      'const out = {};',
      `for (const e of ${JSON.stringify(entries)}) {`,
      `  out[e] = Object.keys(${load}).filter((k) => k !== '__esModule').sort();`,
      '}',
      'console.log(JSON.stringify(out));',
    ];
    writeFileSync(join(dir, file), `${lines.join('\n')}\n`);
    return JSON.parse(lastLine(await sh(process.execPath, [file], dir)));
  };
  const esm = await keysOf('check.mjs', 'await import(e)');
  const cjs = await keysOf('check.cjs', 'require(e)');
  for (const e of entries) {
    assert.ok(esm[e]!.length > 0, `${e}: the ESM build exports nothing`);
    assert.deepEqual(cjs[e], esm[e], `${e}: the CJS build exports other names than the ESM build`);
  }
  // JSON files exported as data (a JSON Schema, say): the same object through import (with type json) and require
  const json = packages.flatMap((w) => w.jsonEntries);
  if (json.length) {
    const lines = [
      "import { createRequire } from 'node:module';",
      'const require = createRequire(import.meta.url);',
      `for (const e of ${JSON.stringify(json)}) {`,
      "  const a = (await import(e, { with: { type: 'json' } })).default;",
      "  if (JSON.stringify(a) !== JSON.stringify(require(e))) throw new Error(e + ': import and require differ');",
      '}',
      `console.log(${JSON.stringify(json.join(', '))});`,
    ];
    writeFileSync(join(dir, 'check-json.mjs'), `${lines.join('\n')}\n`);
    await sh(process.execPath, ['check-json.mjs'], dir);
  }
  // The consumer files name every runtime export through the types (a name the .d.ts lacks is an error),
  // and use one API for real, with an expect-error that fails if the types were `any`.
  const body = [
    ...entries.flatMap((e, i) => esm[e]!.map((k) => `m${i}.${k};`)),
    "const err = new core.CxrkitError('PACK_CHECK', 'message', { received: 1, fix: 'none' });",
    'const code: string = err.code;',
    '// @ts-expect-error -- code is a string: this line fails to compile only if the types are real',
    'const wrong: number = err.code;',
    'export { code, wrong };',
  ];
  const esmImports = [
    ...entries.map((e, i) => `import * as m${i} from '${e}';`),
    "import * as core from '@cxrkit/core';",
  ];
  const cjsImports = [
    ...entries.map((e, i) => `import m${i} = require('${e}');`),
    "import core = require('@cxrkit/core');",
  ];
  writeFileSync(join(dir, 'consumer.mts'), `${[...esmImports, ...body].join('\n')}\n`);
  writeFileSync(join(dir, 'consumer.cts'), `${[...cjsImports, ...body].join('\n')}\n`);
  const tsconfig = {
    compilerOptions: {
      strict: true,
      module: 'nodenext',
      moduleResolution: 'nodenext',
      target: 'es2022',
      types: ['node'],
      noEmit: true,
      skipLibCheck: true,
    },
    files: ['consumer.mts', 'consumer.cts'],
  };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
  await timed('tsc', () => sh(process.execPath, [tsc, '--strict', '-p', 'tsconfig.json'], dir));
  const counts = entries.map((e) => `${e} (${esm[e]!.length})`).join(', ');
  console.log(`# ${entries.length} entries of ${packages.length} packages, with their export counts: ${counts}`);
  if (json.length) console.log(`# JSON exports: ${json.join(', ')}`);
});

test('serve + onnx + onnxruntime-node alone install no @tensorflow/* and screen a DICOM with an exported model', {
  skip,
}, async () => {
  const dir = await onnxService;
  const tensorflow = join(dir, 'node_modules', '@tensorflow');
  assert.ok(!existsSync(tensorflow), `installed: ${existsSync(tensorflow) ? readdirSync(tensorflow).join(', ') : ''}`);

  // A model exported here (tfjs) with its card embedded, and its tfjs score on the same DICOM as the reference.
  const dicom = fixtureDir('radiographs', 'dicom', 'explicit-le.dcm');
  const model = withSeededRandom(7, () =>
    buildScreeningModel({
      backbone: 'densenet121',
      inputShape: [64, 64, 1],
      backboneOptions: { widthMultiplier: 1 / 16 },
      task: 'binary',
      fusion: ['age', 'sex'],
      head: { units: [16, 8] },
    }),
  );
  const card = createModelCard({
    name: 'pack-test',
    architecture: { backbone: 'densenet121', widthMultiplier: 1 / 16, inputSize: 64, channels: 1 },
    preprocessing: { normalize: 'zscore' },
    fusion: [
      { input: 'age', source: 'age', scale: 0.01 },
      { input: 'sex', source: 'sex', codes: { F: 0, M: 1 } },
    ],
    task: { kind: 'binary', condition: 'osteoporosis', positive: 'osteoporosis' },
    threshold: { value: 0.5, rule: { method: 'fixed' } },
  });
  writeFileSync(join(dir, 'model.onnx'), await exportOnnx(model, { card }));
  const want = await screenDicom(dicom, { predictor: createTfjsPredictor(model), card });
  model.dispose();

  // The service side reads the card from the ONNX file itself: no tfjs, no second description of the model.
  const script = [
    "import { readFileSync } from 'node:fs';",
    "import * as ort from 'onnxruntime-node';",
    "import { createOnnxPredictor, readOnnxCard } from '@cxrkit/onnx/runtime';",
    "import { screenDicom } from '@cxrkit/serve';",
    "const bytes = readFileSync('model.onnx');",
    'const card = readOnnxCard(bytes);',
    'const predictor = await createOnnxPredictor(bytes, { load: () => ort, threads: 1 });',
    `console.log(JSON.stringify(await screenDicom(${JSON.stringify(dicom)}, { predictor, card })));`,
    'await predictor.dispose();',
  ];
  writeFileSync(join(dir, 'screen.mjs'), `${script.join('\n')}\n`);
  const result = JSON.parse(lastLine(await sh(process.execPath, ['screen.mjs'], dir))) as typeof want;
  assert.equal(result.cardId, card.id);
  assert.equal(result.patient.age, want.patient.age);
  assert.equal(result.patient.sex, want.patient.sex);
  assert.ok(Math.abs(result.score - want.score) <= 1e-4, `onnxruntime ${result.score} vs tfjs ${want.score}`);
  assert.equal(result.positive, want.positive);
});

test('the installed cxrkit bin runs the built program: --help, and a dataset scan on worker threads', {
  skip,
}, async () => {
  const dir = await consumer;
  const bin = join(dir, 'node_modules', '.bin', 'cxrkit');
  assert.ok(existsSync(bin), 'npm linked the cxrkit bin of @cxrkit/cli');
  const help = await sh(bin, ['--help'], dir);
  for (const c of ['dataset', 'evaluate', 'explain', 'export', 'inspect'])
    assert.match(help, new RegExp(`\\n  ${c}\\b`));
  // a small cohort with every exclusion planted; dist/scan-worker.js must be found next to the build
  const { writeSyntheticCohort } = await import('./synthetic-cohort.js');
  const cohort = await writeSyntheticCohort(join(dir, 'cohort'), { patients: 6, size: 48 });
  const out = join(dir, 'scan');
  const args = ['dataset', 'scan', cohort.dir, '--labels', cohort.labels, '--key', 'mrn=PatientID'];
  const summary = JSON.parse(
    await sh(bin, [...args, '--tscore', 'ls_t,fn_t,th_t', '--out', out, '--workers', '2', '--json', '--quiet'], dir),
  );
  assert.equal(summary.counts.included, cohort.included);
  assert.deepEqual(summary.counts.byCode, cohort.byCode);
});
