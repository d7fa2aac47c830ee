#!/usr/bin/env node
// Builds .gpu/ (ignored by git, .gitignore): everything bench/gpu/run.sh needs on a GPU machine that has no network
// and no Node — the benchmark bundled with tfjs and cxrkit (esbuild), and xz-compressed copies of this
// machine's node binary, Dawn's linux-x64 dawn.node and the Vulkan loader. Prints each file's size.
// Usage: node scripts/build-gpu-carry.mjs [--out .gpu] [--node /usr/bin/node]
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  realpathSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const out = join(root, opt('--out', '.gpu'));
const nodeBinary = opt('--node', process.execPath);
const require = createRequire(join(root, 'package.json'));

mkdirSync(join(out, 'lib'), { recursive: true });

await build({
  entryPoints: [join(root, 'bench/gpu/webgpu-train-step.ts')],
  outfile: join(out, 'webgpu-train-step.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  conditions: ['cxrkit-source'],
  minify: true,
  legalComments: 'none',
  define: { 'process.env.CXRKIT_BUNDLED': '"1"' },
  // dawn.node is loaded from beside the bundle; node-fetch is tfjs-core's optional fetch for old Node
  // (and the native plot renderers @cxrkit/metrics may load, which the benchmark never calls)
  external: ['webgpu', 'node-fetch', '@resvg/resvg-js', '*.node'],
  // tfjs's CommonJS files call require() for Node built-ins
  banner: {
    js:
      "import { createRequire as __cxrkitRequire } from 'node:module'; " +
      'const require = __cxrkitRequire(import.meta.url);',
  },
  logLevel: 'warning',
});

// xz -9 (the node binary takes minutes): skipped when the compressed copy is newer than its source
const xz = (src, dst) => {
  if (existsSync(dst) && statSync(dst).mtimeMs > statSync(src).mtimeMs) return;
  execFileSync('sh', ['-c', 'xz -9 -T0 -c "$0" > "$1.tmp" && mv "$1.tmp" "$1"', src, dst]);
};
xz(nodeBinary, join(out, 'node.xz'));
xz(join(dirname(require.resolve('webgpu/package.json')), 'dist/linux-x64/dawn.node'), join(out, 'dawn.node.xz'));
xz(realpathSync('/usr/lib/x86_64-linux-gnu/libvulkan.so.1'), join(out, 'lib/libvulkan.so.1.xz'));
for (const f of ['run.sh', 'README.md']) copyFileSync(join(root, 'bench/gpu', f), join(out, f));
chmodSync(join(out, 'run.sh'), 0o755);
writeFileSync(
  join(out, 'VERSION'),
  `node ${execFileSync(nodeBinary, ['--version']).toString().trim()}, webgpu ${require('webgpu/package.json').version}, ` +
    `tfjs 4.22.0, built ${new Date().toISOString()}\n`,
);

let total = 0;
const walk = (d) =>
  readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]));
for (const f of walk(out).sort()) {
  const size = statSync(f).size;
  total += size;
  console.log(`${(size / 2 ** 20).toFixed(2).padStart(8)} MiB  ${relative(root, f)}`);
}
console.log(`${(total / 2 ** 20).toFixed(2).padStart(8)} MiB  total`);
