// The feature cache on disk: numpy reads a shard by memory-mapping its rows (the format is what the header
// says), rows equal the prefix's own predict; entries are reused, and a changed image, changed prefix
// weights or a changed augmentation miss; every way a cache can be left half-written or damaged (truncated
// shard, lost index, stray temp file, a flipped byte, a garbled index) is found and rebuilt, never used;
// the writer lock is taken over from a dead process and waited for (then refused) from a live one.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { createRng, isCxrkitError, type GrayImage } from '@cxrkit/core';
import { inputLayout } from '../train/data.js';
import type { TrainingSample } from '../train/types.js';
import { buildFeatureCache } from './build-cache.js';
import { cachedSource } from './cached-samples.js';
import { splitAtFrozenCut, type SplitModel } from './split-model.js';
import type { FeatureCacheOptions } from './types.js';

const PY = '/usr/bin/python3';
const hasNumpy = existsSync(PY) && spawnSync(PY, ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;
const root = mkdtempSync(join(tmpdir(), 'cxrkit-store-'));
after(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = () => join(root, `c${dirs++}`);

type T = tfl.SymbolicTensor;
/** image [10, 10, 1] → frozen conv → two GAP branches (a cut of two tensors: 3 + 5 values) → trainable head. */
function net(seed = 1, tag = ''): tfl.LayersModel {
  const L = tfl.layers;
  const init = (s: number) => tfl.initializers.glorotUniform({ seed: seed * 10 + s });
  const image = tfl.input({ shape: [10, 10, 1], name: 'image' });
  const c1 = L.conv2d({
    filters: 3,
    kernelSize: 3,
    activation: 'relu',
    kernelInitializer: init(1),
    name: `${tag}c1`,
  }).apply(image) as T;
  const c2 = L.conv2d({ filters: 5, kernelSize: 3, kernelInitializer: init(2), name: `${tag}c2` }).apply(c1) as T;
  const a = L.globalAveragePooling2d({ name: `${tag}gap_a` }).apply(c1) as T;
  const b = L.globalMaxPooling2d({ name: `${tag}gmp_b` }).apply(c2) as T;
  const out = L.dense({ units: 1, activation: 'sigmoid', kernelInitializer: init(3), name: `${tag}out` }).apply(
    L.concatenate({ name: `${tag}cat` }).apply([L.dense({ units: 2, name: `${tag}da` }).apply(a) as T, b]) as T,
  ) as T;
  const m = tfl.model({ inputs: image, outputs: out });
  m.getLayer(`${tag}c1`).trainable = false;
  m.getLayer(`${tag}c2`).trainable = false;
  return m;
}

function images(n: number, seed: number): TrainingSample[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, (_, i) => ({
    image: { width: 10, height: 10, data: Float32Array.from({ length: 100 }, () => rng.uniform(-1, 1)) },
    target: i % 2,
  }));
}

interface Built {
  computed: number;
  rows: Float32Array[];
  notes: string[];
  folder: string;
}

/** Builds (or reuses) the cache of `samples`' plain rows and reads them back. */
async function build(
  split: SplitModel,
  model: tfl.LayersModel,
  samples: TrainingSample[],
  options: FeatureCacheOptions,
  augment?: (g: GrayImage, rng: ReturnType<typeof createRng>) => GrayImage,
): Promise<Built> {
  const notes: string[] = [];
  const built = await buildFeatureCache({
    split,
    layout: inputLayout(model),
    options,
    seed: 5,
    ...(augment ? { augment } : {}),
    train: { source: { size: samples.length, get: (i) => samples[i]! }, plain: true, copies: augment ? 2 : 0 },
    note: (m) => {
      notes.push(m);
    },
  });
  const src = cachedSource(built.store, built.train);
  const rows = await Promise.all(samples.map(async (_, i) => (await src.get(i)).row));
  await built.store.close();
  return { computed: built.info.computed, rows, notes, folder: built.info.folder };
}

/** The prefix's outputs per sample, concatenated in cut order. */
function reference(split: SplitModel, samples: TrainingSample[]): Float32Array[] {
  return tf.tidy(() => {
    const x = tf.tensor4d(Float32Array.from(samples.flatMap((s) => Array.from(s.image.data))), [
      samples.length,
      10,
      10,
      1,
    ]);
    const outs = split.prefix.predict(x) as tf.Tensor[];
    const parts = outs.map((o) => o.dataSync());
    return samples.map((_, i) =>
      Float32Array.from(split.cut.flatMap((c, k) => Array.from(parts[k]!.subarray(i * c.size, (i + 1) * c.size)))),
    );
  });
}

const shards = (folder: string) => readdirSync(folder).filter((f) => f.endsWith('.fcs'));

test('numpy memory-maps a shard: header as documented, rows at the page-aligned offset equal the prefix outputs', {
  skip: hasNumpy ? false : 'needs /usr/bin/python3 with python3-numpy',
}, async () => {
  const model = net();
  const split = splitAtFrozenCut(model);
  const samples = images(6, 1);
  for (const dtype of ['float32', 'float16'] as const) {
    const r = await build(split, model, samples, { dir: freshDir(), dtype });
    assert.equal(r.computed, 6);
    const [file] = shards(r.folder);
    const script = [
      'import sys, json, numpy as np',
      'b = open(sys.argv[1], "rb").read()',
      'assert b[:8] == b"CXRKFC01"',
      'n = int.from_bytes(b[8:12], "little"); h = json.loads(b[12:12 + n])',
      'assert h["dataOffset"] % 4096 == 0',
      'dt = np.float16 if h["dtype"] == "float16" else np.float32',
      'm = np.memmap(sys.argv[1], dtype=dt, mode="r", offset=h["dataOffset"], shape=(h["rows"], h["rowBytes"] // np.dtype(dt).itemsize))',
      'print(json.dumps({"keys": h["keys"], "cut": h["cut"], "rows": m.astype(np.float64).tolist()}))',
    ].join('\n');
    const out = spawnSync(PY, ['-c', script, join(r.folder, file!)], { encoding: 'utf8' });
    assert.equal(out.status, 0, out.stderr);
    const seen = JSON.parse(out.stdout) as { rows: number[][]; cut: Array<{ layer: string }> };
    assert.deepEqual(
      seen.cut.map((c) => c.layer),
      ['gap_a', 'gmp_b'],
    );
    const ref = reference(split, samples);
    seen.rows.forEach((row, i) => {
      ref[i]!.forEach((v, k) => {
        const tol = dtype === 'float16' ? Math.abs(v) * 2 ** -11 + 2 ** -25 : 0;
        assert.ok(Math.abs(row[k]! - v) <= tol, `${dtype} row ${i}[${k}]: numpy ${row[k]} vs prefix ${v}`);
        assert.equal(r.rows[i]![k], row[k], 'our reader returns what numpy maps');
      });
    });
  }
  split.restore();
});

test('entries are reused; a changed image, prefix weights or augmentation miss the cache', async () => {
  const dir = freshDir();
  const model = net();
  const split = splitAtFrozenCut(model);
  const samples = images(5, 2);
  assert.equal((await build(split, model, samples, { dir })).computed, 5);
  assert.equal((await build(split, model, samples, { dir })).computed, 0);
  const changed = samples.map((s, i) =>
    i === 3 ? { ...s, image: { ...s.image, data: s.image.data.map((v, k) => (k === 0 ? v + 1e-3 : v)) } } : s,
  );
  assert.equal((await build(split, model, changed, { dir })).computed, 1, 'one pixel of one image changed');
  split.restore();
  // the same architecture built again with other weights: another prefix, another folder
  const other = net(2);
  const split2 = splitAtFrozenCut(other);
  const r2 = await build(split2, other, samples, { dir });
  assert.equal(r2.computed, 5);
  assert.equal(readdirSync(dir).length, 2);
  split2.restore();
  // the same weights built again (other layer names): the same prefix digest, all reused
  const twin = net(1, 'twin_');
  const split3 = splitAtFrozenCut(twin);
  assert.equal((await build(split3, twin, samples, { dir })).computed, 0);
  // augmented copies: keyed by what the augmentation does
  const shift = (by: number) => (g: GrayImage, rng: ReturnType<typeof createRng>) => ({
    ...g,
    data: g.data.map((v) => v + by * rng.uniform(-1, 1)),
  });
  assert.equal((await build(split3, twin, samples, { dir }, shift(0.1))).computed, 10, '2 copies × 5');
  assert.equal((await build(split3, twin, samples, { dir }, shift(0.1))).computed, 0);
  assert.equal((await build(split3, twin, samples, { dir }, shift(0.2))).computed, 10, 'another strength');
  split3.restore();
});

test('a half-written or damaged cache is found and rebuilt, never used', async () => {
  const model = net();
  const split = splitAtFrozenCut(model);
  const samples = images(4, 3);
  const ref = reference(split, samples);
  const check = async (dir: string, damage: (folder: string) => void, note: RegExp) => {
    const first = await build(split, model, samples, { dir });
    damage(first.folder);
    const again = await build(split, model, samples, { dir });
    assert.equal(again.computed, 4, `rebuilt after: ${note}`);
    assert.ok(
      again.notes.some((n) => note.test(n)),
      `a note says what was found: ${again.notes.join(' | ')}`,
    );
    again.rows.forEach((row, i) => assert.deepEqual(Array.from(row), Array.from(ref[i]!)));
    assert.equal((await build(split, model, samples, { dir })).computed, 0, 'and whole again afterwards');
  };
  const shardOf = (folder: string) => join(folder, shards(folder)[0]!);
  await check(freshDir(), (f) => truncateSync(shardOf(f), 4200), /damaged — .*half-written or truncated/);
  await check(freshDir(), (f) => rmSync(join(f, 'index.json')), /removed 1 file\(s\) of an interrupted build/);
  await check(
    freshDir(),
    (f) => {
      const p = shardOf(f);
      const b = readFileSync(p);
      b[b.length - 3] = b[b.length - 3]! ^ 0x40;
      writeFileSync(p, b);
    },
    /fails its CRC-32 check/,
  );
  await check(freshDir(), (f) => writeFileSync(join(f, 'index.json'), '{"format": "cxrkit-feat'), /not valid JSON/);
  // a crash between writing a shard's temp file and renaming it leaves a temp file: removed, never read
  const dir = freshDir();
  const r = await build(split, model, samples, { dir });
  writeFileSync(join(r.folder, 'shard-00001-x.fcs.tmp-1-1-abc'), 'partial');
  const again = await build(split, model, samples, { dir });
  assert.equal(again.computed, 0);
  assert.ok(!readdirSync(r.folder).some((f) => f.includes('.tmp-')));
  split.restore();
});

test('the writer lock: taken over from a dead process, waited for and then refused from a live one', async () => {
  const model = net();
  const split = splitAtFrozenCut(model);
  const samples = images(2, 4);
  const dir = freshDir();
  const { folder } = await build(split, model, samples, { dir });
  const { hostname } = await import('node:os');
  // pid 2^22 + 1 is above Linux's pid_max default range: no such process
  writeFileSync(join(folder, 'lock'), JSON.stringify({ pid: 4194305, host: hostname() }));
  assert.equal((await build(split, model, samples, { dir })).computed, 0);
  assert.ok(!existsSync(join(folder, 'lock')), 'released after the build');
  writeFileSync(join(folder, 'lock'), JSON.stringify({ pid: process.pid, host: hostname() }));
  await assert.rejects(
    build(split, model, samples, { dir, lockTimeoutSeconds: 0 }),
    (e: unknown) => isCxrkitError(e, 'FEATURE_CACHE_LOCKED') && (e as Error).message.includes(`pid ${process.pid}`),
  );
  rmSync(join(folder, 'lock'));
  split.restore();
});
