// Inputs of a run: manifests in every format, folder walks, the shard partition (checked against Python's
// hashlib, so any tool can reproduce it), and WADO-RS multipart answers.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isCxrkitError } from '@cxrkit/core/tfjs-free';
import { classifyInputs, listInstances } from './instances.js';
import { readManifest } from './read-manifest.js';
import { parseShard, shardOf } from './shard.js';
import { dicomPart } from './wado-rs.js';
import { walkFolder } from './walk-folder.js';

const root = await mkdtemp(join(tmpdir(), 'cxrkit-sources-'));
after(() => rm(root, { recursive: true, force: true }));
const collect = async (it: AsyncIterable<string>) => {
  const out: string[] = [];
  for await (const x of it) out.push(x);
  return out;
};

test('manifests: CSV with a path column, CSV without header, TSV, JSONL, text; relative to the manifest', async () => {
  const d = join(root, 'm');
  await mkdir(d);
  await writeFile(join(d, 'a.csv'), '\ufeffid,Path,age\n1,x/a.dcm,60\n2,"/abs/b, c.dcm",70\n');
  await writeFile(join(d, 'b.csv'), 'x/a.dcm,1\n/abs/b.dcm,2\n');
  await writeFile(join(d, 'c.tsv'), 'url\tnote\nhttp://pacs/dicom-web/studies/1/series/2/instances/3\tx\n');
  await writeFile(join(d, 'd.jsonl'), '{"path":"x/a.dcm"}\n\n{"url":"https://h/i"}\n');
  await writeFile(join(d, 'e.txt'), '# a comment\nx/a.dcm\n\n/abs/b.dcm\n');
  assert.deepEqual(await collect(readManifest(join(d, 'a.csv'))), [join(d, 'x/a.dcm'), '/abs/b, c.dcm']);
  assert.deepEqual(await collect(readManifest(join(d, 'b.csv'))), [join(d, 'x/a.dcm'), '/abs/b.dcm']);
  assert.deepEqual(await collect(readManifest(join(d, 'c.tsv'))), [
    'http://pacs/dicom-web/studies/1/series/2/instances/3',
  ]);
  assert.deepEqual(await collect(readManifest(join(d, 'd.jsonl'))), [join(d, 'x/a.dcm'), 'https://h/i']);
  assert.deepEqual(await collect(readManifest(join(d, 'e.txt'))), [join(d, 'x/a.dcm'), '/abs/b.dcm']);
  await writeFile(join(d, 'bad.jsonl'), '{"file":"x"}\n');
  await assert.rejects(collect(readManifest(join(d, 'bad.jsonl'))), (e: unknown) =>
    isCxrkitError(e, 'ARCHIVE_BAD_MANIFEST'),
  );
});

test('folder walk: every file, depth first, sub-folders in name order; no hidden, DICOMDIR or excluded', async () => {
  const d = join(root, 'w');
  for (const f of ['b/2.dcm', 'b/1.dcm', 'a/x/3', 'a/.hidden', '.git/4', 'DICOMDIR', 'out/results.jsonl', 'top.dcm']) {
    await mkdir(join(d, f, '..'), { recursive: true });
    await writeFile(join(d, f), '');
  }
  await symlink(join(d, 'top.dcm'), join(d, 'link.dcm'));
  await symlink(join(d, 'a'), join(d, 'z-linked-folder'));
  const files = (await collect(walkFolder(d, { exclude: [join(d, 'out')] }))).map((f) => f.slice(d.length + 1));
  assert.deepEqual(files.slice(0, 2).sort(), ['link.dcm', 'top.dcm']);
  assert.deepEqual(files[2], 'a/x/3');
  assert.deepEqual(files.slice(3).sort(), ['b/1.dcm', 'b/2.dcm'], 'files of one folder in directory order');
  assert.equal(files.length, 5);
});

test('folder walk: a folder that cannot be listed is reported and passed over (thrown without onError)', async () => {
  const d = join(root, 'gone');
  for (const f of ['a/1.dcm', 'b/2.dcm', 'c/3.dcm']) {
    await mkdir(join(d, f, '..'), { recursive: true });
    await writeFile(join(d, f), '');
  }
  const reported: [string, string][] = [];
  const seen: string[] = [];
  for await (const f of walkFolder(d, { onError: (dir, e) => reported.push([dir, (e as { code: string }).code]) })) {
    seen.push(f.slice(d.length + 1));
    if (f.endsWith('1.dcm')) await rm(join(d, 'b'), { recursive: true }); // vanishes before it is listed
  }
  assert.deepEqual(seen, ['a/1.dcm', 'c/3.dcm']);
  assert.deepEqual(reported, [[join(d, 'b'), 'ENOENT']]);
  await mkdir(join(d, 'b'));
  const strict = walkFolder(d);
  await strict.next();
  await rm(join(d, 'b'), { recursive: true });
  await assert.rejects(strict.next(), (e: unknown) => (e as { code?: string }).code === 'ENOENT');
});

test('inputs: kinds, and a missing path is a typed error before anything runs', async () => {
  assert.deepEqual(await classifyInputs([root, join(root, 'm', 'a.csv'), 'https://h/x']), [
    'folder',
    'manifest',
    'url',
  ]);
  await assert.rejects(classifyInputs([join(root, 'nope')]), (e: unknown) => isCxrkitError(e, 'ARCHIVE_BAD_INPUT'));
  await assert.rejects(classifyInputs([]), (e: unknown) => isCxrkitError(e, 'ARCHIVE_BAD_INPUT'));
  const listed = await collect(listInstances([join(root, 'm', 'e.txt'), 'https://h/x']));
  assert.deepEqual(listed, [join(root, 'm', 'x/a.dcm'), '/abs/b.dcm', 'https://h/x']);
});

test('shards: i/n parsed and checked; the partition is SHA-1 of the path mod n, as Python computes it', (t) => {
  assert.deepEqual(parseShard('3/16'), { index: 3, count: 16 });
  for (const bad of ['16/16', '1/0', '-1/4', 'a/b', '1']) {
    assert.throws(
      () => parseShard(bad),
      (e: unknown) => isCxrkitError(e, 'ARCHIVE_BAD_OPTION'),
      bad,
    );
  }
  const paths = Array.from({ length: 200 }, (_, k) => `/pacs/export/${k % 7}/1.2.840.${k}.dcm`).concat(['/é/ü.dcm']);
  const counts = new Array(5).fill(0);
  for (const p of paths) counts[shardOf(p, 5)]++;
  assert.ok(Math.min(...counts) > 20, `every shard gets a share: ${counts}`);
  if (!existsSync('/usr/bin/python3'))
    return t.skip('python3 is not installed: the cross-check with hashlib is skipped');
  const py = execFileSync(
    '/usr/bin/python3',
    [
      '-c',
      'import sys, json, hashlib; print(json.dumps([int.from_bytes(hashlib.sha1(p.encode()).digest()[:4], "big") % 5 ' +
        'for p in json.load(sys.stdin)]))',
    ],
    { input: JSON.stringify(paths) },
  ).toString();
  assert.deepEqual(
    paths.map((p) => shardOf(p, 5)),
    JSON.parse(py),
  );
});

test('WADO-RS: the DICOM part of a multipart/related answer, a plain application/dicom body, and refusals', () => {
  const dicom = Buffer.concat([Buffer.alloc(128), Buffer.from('DICM'), Buffer.from([1, 2, 13, 10, 45, 45, 3])]);
  const body = Buffer.concat([
    Buffer.from('--b1\r\nContent-Type: application/dicom\r\nContent-Length: 139\r\n\r\n'),
    dicom,
    Buffer.from('\r\n--b1--\r\n'),
  ]);
  const part = dicomPart(new Uint8Array(body), 'multipart/related; type="application/dicom"; boundary=b1');
  assert.ok(Buffer.from(part).equals(dicom));
  assert.ok(Buffer.from(dicomPart(new Uint8Array(dicom), 'application/dicom')).equals(dicom));
  assert.throws(
    () => dicomPart(new Uint8Array(body), 'application/json'),
    (e: unknown) => isCxrkitError(e, 'ARCHIVE_BAD_RESPONSE'),
  );
  assert.throws(
    () => dicomPart(new Uint8Array(Buffer.from('--b1\r\n\r\nabc')), 'multipart/related; boundary="b1"'),
    (e: unknown) => isCxrkitError(e, 'ARCHIVE_BAD_RESPONSE'),
  );
});
