import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isCxrkitError } from '@cxrkit/core/tfjs-free';
import { recoverJsonl } from './recover-jsonl.js';

const dir = await mkdtemp(join(tmpdir(), 'cxrkit-recover-'));
after(() => rm(dir, { recursive: true, force: true }));

async function recover(name: string, text: string) {
  const path = join(dir, name);
  await writeFile(path, text);
  const records: unknown[] = [];
  const r = await recoverJsonl(path, (x) => records.push(x));
  return { ...r, records, text: await readFile(path, 'utf8') };
}

test('a clean file is read whole and left alone', async () => {
  const r = await recover('clean.jsonl', '{"a":1}\n{"a":2}\n');
  assert.deepEqual(r.records, [{ a: 1 }, { a: 2 }]);
  assert.equal(r.truncatedBytes, 0);
  assert.equal(r.text, '{"a":1}\n{"a":2}\n');
});

test('a torn last line (no newline) is cut off', async () => {
  const r = await recover('torn.jsonl', '{"a":1}\n{"a":2}\n{"a":3,"b":"hal');
  assert.deepEqual(r.records, [{ a: 1 }, { a: 2 }]);
  assert.equal(r.truncatedBytes, '{"a":3,"b":"hal'.length);
  assert.equal(r.text, '{"a":1}\n{"a":2}\n');
});

test('a last line that ends in a newline but does not parse (zeros after a power cut) is cut off', async () => {
  const tail = '\0\0\0\0\n';
  const r = await recover('zeros.jsonl', `{"a":1}\n${tail}`);
  assert.deepEqual(r.records, [{ a: 1 }]);
  assert.equal(r.truncatedBytes, tail.length);
});

test('a damaged line with good lines after it is refused, naming the line', async () => {
  await assert.rejects(
    recover('middle.jsonl', '{"a":1}\n{"a":\n{"a":3}\n'),
    (e: unknown) => isCxrkitError(e, 'ARCHIVE_CORRUPT_RESULTS') && /line 2/.test((e as Error).message),
  );
});

test('blank lines are skipped; a missing file is created empty', async () => {
  const r = await recover('blank.jsonl', '{"a":1}\n\n  \n{"a":2}\n');
  assert.deepEqual(r.records, [{ a: 1 }, { a: 2 }]);
  const records: unknown[] = [];
  const m = await recoverJsonl(join(dir, 'missing.jsonl'), (x) => records.push(x));
  assert.deepEqual([m.records, m.truncatedBytes, records.length], [0, 0, 0]);
  assert.equal(await readFile(join(dir, 'missing.jsonl'), 'utf8'), '');
});

test('lines that straddle the 1 MiB read chunks are read whole (3 MiB file, multi-byte text)', async () => {
  const lines = Array.from({ length: 3000 }, (_, k) => JSON.stringify({ k, text: `é${'x'.repeat(1000 + (k % 7))}` }));
  const r = await recover('big.jsonl', `${lines.join('\n')}\n{"k":`);
  assert.equal(r.records.length, 3000);
  assert.deepEqual(r.records.at(-1), JSON.parse(lines.at(-1)!));
  assert.equal(r.truncatedBytes, 5);
});
