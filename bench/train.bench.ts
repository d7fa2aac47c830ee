// Training throughput of `train` (@cxrkit/models): images per second over one full epoch of the real
// NIH set (1,000 chest radiographs, 64×64, z-scored) with a small backbone — the learning proofs' model,
// ResNet-50 at width 1/16 with the thesis's screening head (binary sex task), Adam, batch 16 — on the
// `cpu` backend and on `wasm` with cxrkit's training kernels (1 and 2 threads).
//
//   npm run bench -- --filter train.bench [--configs cpu,wasm1,wasm2] [--limit 1000] [--batch 16]
//
// Each configuration runs in a fresh child process (backend and threads are fixed per process). Columns:
// epoch s = wall time of the whole epoch (data already decoded in memory; includes the first, slower
// step); img/s = images / epoch s; steady img/s = after the first step. Other jobs share the two cores:
// the 1-minute load average is printed, and wall times are only comparable when it is low.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const limit = Number(arg('limit', '1000'));
const batch = Number(arg('batch', '16'));

interface Row {
  config: string;
  backend: string;
  threads: number;
  images: number;
  batch: number;
  params: number;
  epochSeconds: number;
  imagesPerSecond: number;
  steadyImagesPerSecond: number;
  loss: number;
  loadBefore: number;
  loadAfter: number;
}

async function child(config: string): Promise<Omit<Row, 'loadBefore' | 'loadAfter'>> {
  const tf = await import('@tensorflow/tfjs-core');
  const core = await import('@cxrkit/core');
  const models = await import('@cxrkit/models');
  let threads = 1;
  if (config.startsWith('wasm')) {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const wanted = Number(config.slice(4) || '1');
    if (wanted > 1) await models.prepareWasmThreads(wasm, { threads: wanted });
    await core.initBackend({ kind: 'wasm', load: () => wasm });
    models.registerWasmTrainingKernels();
    threads = models.getWasmThreadsCount() ?? 1;
  } else {
    await core.initBackend({ kind: 'cpu', load: () => import('@tensorflow/tfjs-backend-cpu') });
  }
  const root = fileURLToPath(new URL('..', import.meta.url));
  const dataRoot = process.env.CXRKIT_DATA ?? join(root, '..', 'shared', 'data');
  const { records } = await core.readNihThumbsManifest(join(dataRoot, 'cxr', 'nih-thumbs64'));
  const samples = await Promise.all(
    records
      .slice(0, limit)
      .map(async (r) => ({ image: core.zScore(await core.readImageFile(r.path)), target: r.sex === 'M' ? 1 : 0 })),
  );
  const model = models.buildScreeningModel({
    backbone: 'resnet50',
    inputShape: [64, 64, 1],
    backboneOptions: { widthMultiplier: 1 / 16 },
    head: { units: [64, 32], dropout: [0.3, 0.1] },
    task: 'binary',
  });
  const stamps: number[] = [];
  const t0 = performance.now();
  const r = await models.train(
    model,
    { train: samples },
    {
      epochs: 1,
      batchSize: batch,
      seed: 1,
      progress: 'none',
      callbacks: { onBatchEnd: () => void stamps.push(performance.now()) },
    },
  );
  const epochSeconds = (performance.now() - t0) / 1000;
  const steadyImages = samples.length - Math.min(batch, samples.length);
  const steady = stamps.length > 1 ? steadyImages / ((stamps[stamps.length - 1]! - stamps[0]!) / 1000) : NaN;
  return {
    config,
    backend: tf.getBackend(),
    threads,
    images: samples.length,
    batch,
    params: model.countParams(),
    epochSeconds,
    imagesPerSecond: samples.length / epochSeconds,
    steadyImagesPerSecond: steady,
    loss: r.history[0]!.loss,
  };
}

if (args[0] === '--child') {
  const row = await child(args[1]!);
  process.stdout.write(`\n@@ROW ${JSON.stringify(row)}\n`);
  process.exit(0);
}

const configs = arg('configs', 'cpu,wasm1,wasm2').split(',');
const self = fileURLToPath(import.meta.url);
const rows: Row[] = [];
console.log(
  `train(): one epoch of ${limit} NIH images 64×64, ResNet-50 ×1/16 + screening head, batch ${batch} — ${cpus().length} cores (other jobs running make these noisy)`,
);
console.log('| config | backend | threads | images | epoch s | img/s | steady img/s | load before/after |');
console.log('|---|---|---:|---:|---:|---:|---:|---|');
for (const config of configs) {
  const loadBefore = loadavg()[0]!;
  const r = spawnSync(
    process.execPath,
    [
      '--conditions=cxrkit-source',
      '--import',
      'tsx',
      self,
      '--child',
      config,
      '--limit',
      String(limit),
      '--batch',
      String(batch),
    ],
    { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
  );
  const line = r.stdout.split('\n').find((l) => l.startsWith('@@ROW '));
  if (!line) {
    console.log(`| ${config} | failed: ${(r.stderr || '').split('\n').filter(Boolean).slice(-2).join(' ')} |`);
    continue;
  }
  const row: Row = {
    ...(JSON.parse(line.slice(6)) as Omit<Row, 'loadBefore' | 'loadAfter'>),
    loadBefore,
    loadAfter: loadavg()[0]!,
  };
  rows.push(row);
  console.log(
    `| ${row.config} | ${row.backend} | ${row.threads} | ${row.images} | ${row.epochSeconds.toFixed(1)} | ${row.imagesPerSecond.toFixed(1)} | ${row.steadyImagesPerSecond.toFixed(1)} | ${row.loadBefore.toFixed(1)} / ${row.loadAfter.toFixed(1)} |`,
  );
}
const cpu = rows.find((r) => r.backend === 'cpu');
for (const r of rows)
  if (cpu && r !== cpu)
    console.log(`speed-up of ${r.config} over cpu: ${(r.imagesPerSecond / cpu.imagesPerSecond).toFixed(1)}×`);
const outDir = join(fileURLToPath(new URL('..', import.meta.url)), 'bench-output');
mkdirSync(outDir, { recursive: true });
writeFileSync(
  join(outDir, 'train.json'),
  JSON.stringify({ date: new Date().toISOString(), limit, batch, rows }, null, 2),
);
console.log(`wrote ${join(outDir, 'train.json')}`);
