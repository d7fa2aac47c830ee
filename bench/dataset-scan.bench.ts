// `cxrkit dataset scan` throughput on the shared DICOMs (164 files, every syntax, broken ones included):
// files/s reading in the main thread and in worker threads, without and with the pixel cache (512 px,
// float32 and float16; all views and ages, so every readable image is preprocessed and written). Then
// what the cache buys a training epoch: reading one image's input from the cache vs decoding the DICOM
// and preprocessing it again. Median of --reps runs.
//
//   npm run bench -- --filter dataset-scan [--reps 3] [--size 512]
//
// Timings are noisy when other jobs share the machine: the load average is printed with the table.
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readDicom } from '@cxrkit/core';
import {
  cachePixels,
  defaultWorkers,
  pixelCacheSpec,
  readCachedPixels,
  scanDataset,
  writeCachedPixels,
} from '@cxrkit/dataset';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const reps = Number(arg('reps', '3'));
const size = Number(arg('size', '512'));
const root = fileURLToPath(new URL('..', import.meta.url));
const dicom = join(process.env.CXRKIT_DATA ?? join(root, '..', 'shared', 'data'), 'dicom');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

const tmp = await mkdtemp(join(tmpdir(), 'cxrkit-bench-scan-'));
const labels = join(tmp, 'labels.csv');
await writeFile(labels, 'uid\n'); // no labels: every file is read, none included; the read is what is timed
const workers = defaultWorkers();
const variants = [
  { name: 'main thread, no cache', workers: 0 },
  { name: `${workers} worker threads, no cache`, workers },
  { name: `${workers} worker threads, cache ${size} px float32`, workers, dtype: 'float32' as const },
  { name: `${workers} worker threads, cache ${size} px float16`, workers, dtype: 'float16' as const },
];
const rows: Record<string, unknown>[] = [];
for (const v of variants) {
  const secs: number[] = [];
  let files = 0;
  for (let r = 0; r < reps; r++) {
    const dir = join(tmp, `cache-${rows.length}-${r}`);
    const res = await scanDataset({
      dir: dicom,
      labels,
      key: 'uid=SOPInstanceUID',
      workers: v.workers,
      minAge: 0,
      views: null,
      ...(v.dtype ? { cache: { root: dir, size, dtype: v.dtype } } : {}),
    });
    secs.push(res.seconds.read);
    files = res.files;
    await rm(dir, { recursive: true, force: true });
  }
  const s = median(secs);
  rows.push({ variant: v.name, files, 'median s': Number(s.toFixed(2)), 'files/s': Number((files / s).toFixed(1)) });
}

// One epoch's inputs: every readable image with its own SOP Instance UID, decoded and preprocessed again
// (what training without the cache does each epoch) vs read back from the cache.
const res = await scanDataset({ dir: dicom, labels, key: 'uid=SOPInstanceUID', workers, minAge: 0, views: null });
const readable = res.exclusions.filter((x) => !x.code.startsWith('DICOM_') && !x.code.startsWith('READ_'));
const spec = pixelCacheSpec({ size });
const cached = join(tmp, 'epoch-cache');
const sample: { path: string; uid: string }[] = [];
for (const x of readable) {
  const im = await readDicom(x.path);
  const uid = im.meta.sopInstanceUid;
  if (!uid || sample.some((s) => s.uid === uid)) continue;
  await writeCachedPixels(cached, spec, uid, im.grayscale(0));
  sample.push({ path: x.path, uid });
}
const decodeMs: number[] = [];
const cacheMs: number[] = [];
for (let r = 0; r < reps; r++) {
  let t = performance.now();
  for (const s of sample) cachePixels(spec, (await readDicom(s.path)).grayscale(0));
  decodeMs.push((performance.now() - t) / sample.length);
  t = performance.now();
  for (const s of sample) await readCachedPixels(cached, spec, s.uid);
  cacheMs.push((performance.now() - t) / sample.length);
}
const epoch = {
  images: sample.length,
  'decode + preprocess, ms/image': Number(median(decodeMs).toFixed(1)),
  'cache read, ms/image': Number(median(cacheMs).toFixed(2)),
};
const load = loadavg()[0]!.toFixed(1);
console.log(`dataset scan on ${dicom} — ${availableParallelism()} cores, load average ${load}, median of ${reps}`);
console.table(rows);
console.log(`one epoch's inputs at ${size} px (every readable image with a SOP Instance UID):`);
console.table([epoch]);
mkdirSync(join(root, 'bench-output'), { recursive: true });
writeFileSync(
  join(root, 'bench-output', 'dataset-scan.json'),
  `${JSON.stringify({ date: new Date().toISOString(), cores: availableParallelism(), load: Number(load), reps, size, rows, epoch }, null, 2)}\n`,
);
await rm(tmp, { recursive: true, force: true });
