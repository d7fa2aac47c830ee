// @cxrkit-backends: cpu wasm
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import {
  createBatchLoader,
  synthesizeDataset,
  thesisAugmentation,
  writePng,
  writeDicomFile,
  isCxrkitError,
} from '@cxrkit/core';
import type { GrayImage } from '@cxrkit/core';
import { expectNoLeaks, sharedData, testOutputDir } from '../../../../test/helpers.js';

const records = synthesizeDataset({ n: 22, seed: 5, size: 48, render: false, imagesPerPatient: 2 });
const cache = new Map<number, GrayImage>();
const load = (r: (typeof records)[number]) => {
  const k = records.indexOf(r);
  if (!cache.has(k)) cache.set(k, r.render().image);
  return cache.get(k)!;
};

test('epoch order is a seeded permutation; batches have the right shapes; no tensors leak', async () => {
  const loader = createBatchLoader(records, {
    batchSize: 5,
    size: 32,
    seed: 9,
    load,
    augment: thesisAugmentation(),
    target: (r) => [r.labels.osteoporosis, r.labels.age],
  });
  const o0 = loader.order(0);
  assert.deepEqual(
    [...o0].sort((a, b) => a - b),
    records.map((_, i) => i),
  );
  assert.deepEqual(loader.order(0), o0);
  assert.notDeepEqual(loader.order(1), o0);
  assert.equal(loader.batchesPerEpoch, 5);
  await expectNoLeaks(async () => {
    const seen: number[] = [];
    for await (const b of loader.epoch(0)) {
      assert.deepEqual(b.xs.shape.slice(1), [32, 32, 3]);
      assert.deepEqual(b.ys!.shape, [b.indices.length, 2]);
      const ys = await b.ys!.data();
      assert.equal(ys[1], records[b.indices[0]!]!.labels.age);
      seen.push(...b.indices);
      tf.dispose([b.xs, b.ys]);
    }
    assert.deepEqual(seen, o0);
  }, 'a full epoch');
  await expectNoLeaks(async () => {
    for await (const b of loader.epoch(2)) {
      tf.dispose([b.xs, b.ys]);
      break; // leaving early leaves nothing behind (prefetched batches are not tensors yet)
    }
  }, 'an interrupted epoch');
});

test('resume at (epoch, position) reproduces exactly the batches of an uninterrupted run', async () => {
  const opts = {
    batchSize: 4,
    size: 32,
    seed: 'resume',
    load,
    augment: thesisAugmentation(),
    target: (r: (typeof records)[number]) => r.labels.osteoporosis,
  } as const;
  const full: Array<{ idx: number[]; x: Float32Array }> = [];
  for await (const b of createBatchLoader(records, opts).epoch(3)) {
    full.push({ idx: b.indices, x: (await b.xs.data()) as Float32Array });
    tf.dispose([b.xs, b.ys]);
  }
  // a new loader (as after a restart), resuming at position 8 of epoch 3
  const resumed: Array<{ idx: number[]; x: Float32Array }> = [];
  for await (const b of createBatchLoader(records, opts).epoch(3, { position: 8 })) {
    resumed.push({ idx: b.indices, x: (await b.xs.data()) as Float32Array });
    tf.dispose([b.xs, b.ys]);
  }
  assert.equal(resumed.length, full.length - 2);
  resumed.forEach((b, k) => {
    assert.deepEqual(b.idx, full[k + 2]!.idx);
    assert.deepEqual(b.x, full[k + 2]!.x);
  });
  // augmentation differs between epochs for the same record
  const l = createBatchLoader(records, opts);
  const a = await l.sample(0, 0);
  const b = await l.sample(0, 1);
  assert.notDeepEqual(a.data, b.data);
  assert.deepEqual((await l.sample(0, 1)).data, b.data);
});

test('streams PNG and DICOM files from disk with bounded prefetch', async () => {
  const dir = testOutputDir('loader');
  const files: Array<{ path: string; patientId: string; label: number }> = [];
  for (const [k, r] of records.slice(0, 8).entries()) {
    const rg = r.render();
    const path = `${dir}/img-${k}.${k % 2 ? 'dcm' : 'png'}`;
    if (k % 2) await writeDicomFile(path, rg, { photometric: 'MONOCHROME1', seed: k });
    else await writePng(path, rg.image, { bitDepth: 16 });
    files.push({ path, patientId: r.patientId, label: r.labels.osteoporosis });
  }
  let started = 0;
  let consumed = 0;
  let maxAhead = 0;
  const loader = createBatchLoader(files, {
    batchSize: 2,
    size: 24,
    prefetch: 1,
    shuffle: false,
    target: (f) => f.label,
    channels: 1,
    preprocess: (img) => {
      started++;
      maxAhead = Math.max(maxAhead, started - consumed);
      return { data: img.data.slice(0, 24 * 24), width: 24, height: 24 };
    },
  });
  await expectNoLeaks(async () => {
    for await (const b of loader.epoch(0)) {
      assert.deepEqual(b.xs.shape, [2, 24, 24, 1]);
      consumed += b.indices.length;
      tf.dispose([b.xs, b.ys]);
    }
  });
  assert.equal(consumed, 8);
  assert.ok(maxAhead <= 2 * (1 + 1) + 2, `at most (prefetch + 1) batches prepared ahead: ${maxAhead}`);
  // default preprocessing from disk: both file kinds land on the same z-scored grid
  const plain = createBatchLoader(files, { batchSize: 8, size: 16, shuffle: false });
  for await (const b of plain.epoch(0)) {
    const m = tf.mean(b.xs);
    assert.ok(Math.abs((await m.data())[0]!) < 1e-4);
    tf.dispose([b.xs, m]);
  }
  assert.throws(
    () => createBatchLoader(files, { batchSize: 0 }),
    (e) => isCxrkitError(e, 'LOADER_BAD_OPTION'),
  );
  assert.throws(
    () => createBatchLoader(files, { batchSize: 2, prefech: 2 } as never),
    (e) => isCxrkitError(e, 'LOADER_BAD_OPTION') && /did you mean 'prefetch'/.test((e as Error).message),
  );
});

test('covid-pa through the loader: JPEGs and PNGs named .jpg, real resolution, to 64 px batches', {
  skip: sharedData('cxr/covid-pa').missing,
}, async () => {
  const { readCovidPaManifest } = await import('@cxrkit/core');
  const { dataDir } = await import('../../../../test/helpers.js');
  const m = await readCovidPaManifest(dataDir('cxr', 'covid-pa'));
  const picked = m.records.filter((r) => /000001-(2|12)\.jpg$/.test(r.path)); // one real JPEG, one PNG named .jpg
  assert.equal(picked.length, 2);
  const loader = createBatchLoader(picked, {
    batchSize: 2,
    size: 64,
    shuffle: false,
    target: (r) => (r.sex === 'M' ? 1 : 0),
  });
  await expectNoLeaks(async () => {
    for await (const b of loader.epoch(0)) {
      assert.deepEqual(b.xs.shape, [2, 64, 64, 3]);
      const sd = tf.moments(b.xs);
      assert.ok(Math.abs((await sd.variance.data())[0]! - 1) < 0.01, 'z-scored per image');
      tf.dispose([b.xs, b.ys, sd.mean, sd.variance]);
    }
  });
});
