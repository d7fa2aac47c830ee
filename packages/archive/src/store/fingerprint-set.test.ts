import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng } from '@cxrkit/core/tfjs-free';
import { FingerprintSet, fingerprint } from './fingerprint-set.js';

const randomPath = (rng: ReturnType<typeof createRng>, k: number) =>
  `/archive/${Math.floor(rng.next() * 1e9)}/2.25.${Math.floor(rng.next() * 1e15)}${k}.dcm`;

test('FingerprintSet agrees with a Set<string> over 60,000 strings, through several growths', () => {
  const rng = createRng(7);
  const inSet = Array.from({ length: 30_000 }, (_, k) => randomPath(rng, k));
  const outside = Array.from({ length: 30_000 }, (_, k) => randomPath(rng, k + 30_000));
  const reference = new Set(inSet);
  const fp = new FingerprintSet(16);
  for (const s of inSet) fp.add(s);
  assert.equal(fp.size, reference.size);
  for (const s of inSet) assert.ok(fp.has(s), s);
  // every fingerprint half with its high bit set must be found too (a signed/unsigned mix-up lost those)
  assert.ok(inSet.some((s) => fingerprint(s)[1] >= 2 ** 31));
  for (const s of outside) assert.equal(fp.has(s), reference.has(s), s);
  assert.equal(fp.add(inSet[0]!), false, 'adding again reports it was there');
  assert.equal(fp.size, reference.size);
});

test('fingerprint is deterministic, unsigned, and differs for near strings', () => {
  const [a, b] = fingerprint('/a/b/c.dcm');
  assert.deepEqual(fingerprint('/a/b/c.dcm'), [a, b]);
  for (const v of [a, b]) assert.ok(Number.isInteger(v) && v >= 0 && v < 2 ** 32);
  assert.notDeepEqual(fingerprint('/a/b/c.dcm'), fingerprint('/a/b/d.dcm'));
  assert.notDeepEqual(fingerprint(''), fingerprint(' '));
});
