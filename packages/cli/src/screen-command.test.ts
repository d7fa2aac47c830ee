// `cxrkit screen …` and the other archive commands, mounted from @cxrkit/archive: listed by `cxrkit --help`
// with archive's own summaries, their help and usage errors reach archive's parser, and the contract of issue
// 15 holds through `cxrkit`: `cxrkit screen MODEL_DIR INPUT --out OUT` writes one record per SOP Instance UID
// (sopInstanceUID, score, path) equal to what `cxrkit-archive screen` writes, and a rerun duplicates nothing.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { archiveCommands as archiveOwnCommands, runArchiveCli } from '@cxrkit/archive';
import { writeSyntheticDicoms, writeTestModel } from '../../archive/src/test-fixtures.js';
import { ARCHIVE_SUMMARIES } from './commands/archive.js';
import { captureIo, runCaptured } from './capture-io.js';

const root = await mkdtemp(join(tmpdir(), 'cxrkit-cli-screen-'));
const modelDir = join(root, 'model');
const dicoms = join(root, 'dicoms');
const N = 8;

const cxrkit = (...argv: string[]) => runCaptured(argv);

const records = async (dir: string) =>
  (await readFile(join(dir, 'results.jsonl'), 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { sopInstanceUID: string; score: number; path: string });

before(async () => {
  await writeTestModel(modelDir, { size: 96, tfjs: false });
  await writeSyntheticDicoms(dicoms, N, { size: 128 });
});
after(() => rm(root, { recursive: true, force: true }));

test('cxrkit --help lists the archive commands with the summaries @cxrkit/archive gives them', async () => {
  const h = await cxrkit('--help');
  assert.equal(h.code, 0);
  const own = archiveOwnCommands({});
  assert.deepEqual(
    own.map((c) => c.name),
    Object.keys(ARCHIVE_SUMMARIES),
  );
  for (const c of own) {
    assert.equal(ARCHIVE_SUMMARIES[c.name as keyof typeof ARCHIVE_SUMMARIES], c.summary, c.name);
    assert.match(h.out, new RegExp(`\\n  ${c.name}\\b`), c.name);
  }
  const help = await cxrkit('screen', '--help');
  assert.equal(help.code, 0);
  assert.match(help.out, /<model-dir> <inputs\.\.\.>/);
  assert.match(help.out, /--shard <i\/n>/);
  const bad = await cxrkit('screen', modelDir, dicoms, '--out', join(root, 'x'), '--shard', '4/4');
  assert.equal(bad.code, 2, bad.err);
  assert.ok(bad.err.length > 0, 'says why on stderr');
});

test('cxrkit screen MODEL_DIR INPUT --out OUT: one record per instance, as cxrkit-archive writes; a rerun adds none', async () => {
  const out = join(root, 'out');
  const first = await cxrkit('screen', modelDir, dicoms, '--out', out, '--workers', '1', '--json');
  assert.equal(first.code, 0, first.err);
  const recs = await records(out);
  assert.equal(recs.length, N);
  assert.equal(new Set(recs.map((r) => r.sopInstanceUID)).size, N, 'one record per SOP Instance UID');
  for (const r of recs) {
    assert.ok(r.path.startsWith(dicoms), r.path);
    assert.ok(r.score >= 0 && r.score <= 1, String(r.score));
  }
  assert.equal(JSON.parse(first.out).progress.screened, N, first.out);

  const again = await cxrkit('screen', modelDir, dicoms, '--out', out, '--workers', '1', '--json');
  assert.equal(again.code, 0, again.err);
  assert.equal((await records(out)).length, N, 'the rerun writes no duplicate');
  assert.equal(JSON.parse(again.out).progress.skipped, N, 'the rerun passes over every finished instance');

  // the same command through archive's own dispatcher (what the cxrkit-archive bin runs)
  const direct = join(root, 'direct');
  const c = captureIo();
  const code = await runArchiveCli(['screen', modelDir, dicoms, '--out', direct, '--workers', '1'], {
    io: c.io,
    engines: { onnxruntime: () => import('onnxruntime-node') },
  });
  assert.equal(code, 0, c.err());
  const byUid = new Map((await records(direct)).map((r) => [r.sopInstanceUID, r.score]));
  for (const r of recs) assert.equal(r.score, byUid.get(r.sopInstanceUID), r.sopInstanceUID);
});
