#!/usr/bin/env node
// The package.json a @cxrkit package publishes, without the workspace-only `cxrkit-source` export
// condition (it points at src/*.ts, which is not in the tarball). npm has no publishConfig override for
// `exports`, so every package runs this script from its npm lifecycle:
//   "prepack":     "node ../../scripts/pack-manifest.mjs strip"    backs up package.json, strips it
//   "postpack":    "node ../../scripts/pack-manifest.mjs restore"  (a no-op inside `npm publish`)
//   "postpublish": "node ../../scripts/pack-manifest.mjs restore"
// `npm publish` re-reads package.json after packing and sends it to the registry as the version's
// manifest, so there the restore waits until postpublish. A backup left behind by an interrupted pack is
// restored before the next strip; the backup is never packed (not in `files`). A publish that fails after
// packing (no login, say) leaves the stripped manifest in place until the next pack, or until
// `node ../../scripts/pack-manifest.mjs restore` in that package folder.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const CONDITION = 'cxrkit-source';
const manifest = join(process.cwd(), 'package.json');
const backup = join(process.cwd(), '.package.json.prepack');

/** `exports` without the source condition, at any depth (subpaths, nested import/require maps). */
function stripCondition(value) {
  if (Array.isArray(value)) return value.map(stripCondition);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => k !== CONDITION)
      .map(([k, v]) => [k, stripCondition(v)]),
  );
}

/** Every file path an exports map (or bin) names, for the "was it built?" check. */
function targets(value, out = []) {
  if (typeof value === 'string') out.push(value);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) targets(v, out);
  return out;
}

function fail(message) {
  console.error(`[cxrkit/pack-manifest] ${message}`);
  process.exit(1);
}

function restore() {
  if (existsSync(backup)) renameSync(backup, manifest);
}

function strip() {
  restore(); // an earlier pack that died between prepack and postpack left its backup: start from it
  const text = readFileSync(manifest, 'utf8');
  const pkg = JSON.parse(text);
  const cleaned = { ...pkg, exports: stripCondition(pkg.exports) };
  const named = [...targets(cleaned.exports), ...targets(cleaned.bin), cleaned.main, cleaned.module, cleaned.types];
  const published = [...new Set(named.filter(Boolean))];
  const inSource = published.filter((p) => /(^|\/)src\//.test(p));
  if (inSource.length)
    fail(`${pkg.name} would publish paths into src/: ${inSource.join(', ')}. Fix: point them at dist/.`);
  const missing = published.filter((p) => !p.includes('*') && !existsSync(join(process.cwd(), p)));
  if (missing.length)
    fail(`${pkg.name} has not been built: ${missing.join(', ')} missing. Fix: run \`npm run build\` first.`);
  if (JSON.stringify(cleaned.exports).includes(CONDITION)) fail(`${pkg.name}: "${CONDITION}" is still in exports`);
  writeFileSync(backup, text);
  writeFileSync(manifest, `${JSON.stringify(cleaned, null, 2)}\n`);
}

const command = process.argv[2];
if (command === 'strip') strip();
else if (command === 'restore') {
  // postpack also runs inside `npm publish`, before npm reads the manifest it uploads: wait for postpublish
  const publishing = ['publish', 'stage'].includes(process.env.npm_command ?? '');
  if (process.env.npm_lifecycle_event === 'postpack' && publishing) process.exit(0);
  restore();
} else fail(`unknown command ${JSON.stringify(command)}. Fix: pass strip or restore.`);
