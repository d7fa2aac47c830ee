// train() with the frozen-prefix feature cache against full-graph training of the same frozen-backbone
// model (issue 16, item 1), side by side in one run: InceptionV3 (Keras-exact) at SIZE × SIZE × 1 with the
// screening head (dense 256 → 128, no dropout), `applyFreezePolicy(model, 'last-block')` (mixed9, mixed10
// and the head train), binary task, Adam, batch 2, on synthetic radiographs.
//
//   npm run bench -- --filter feature-cache [--images 16] [--size 512] [--batch 2] [--configs full,f32,f16,torch]
//
// Rows (each in a fresh child process; wasm with cxrkit's training kernels, 2 threads):
// - full: one epoch of train() without the cache (every step runs the whole graph; the frozen prefix's
//   backward pass is not taken, as tfjs differentiates only towards trainable weights);
// - f32 / f16: train() with `featureCache` (float32 / float16 rows): the one-off cache build, then two
//   epochs from the cache (epoch 2 shows the steady state);
// - torch full / torch frozen: PyTorch CPU (Debian python3-torch, `feature-cache-torch.py` beside this
//   file) on the same architecture, 2 threads: full fine-tuning, and the same last-block freeze run
//   through the whole graph.
// Also: the float16 rows against the float32 ones (relative error), and the weights after the two epochs
// from the float16 cache against those from the float32 one. Other jobs share the two cores: the 1-minute
// load average is printed, and wall times are only comparable when it is low.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const images = Number(arg('images', '16'));
const size = Number(arg('size', '512'));
const batch = Number(arg('batch', '2'));
const SEED = 5;

interface Row {
  config: string;
  /** One-off: seconds to build the cache (prefix forward on every image). */
  buildSeconds?: number;
  /** Seconds per training epoch (the last measured epoch; for the cache: epoch 2). */
  epochSeconds: number;
  firstEpochSeconds?: number;
  bytesPerImage?: number;
  cut?: string;
  losses?: number[];
  loadBefore?: number;
  loadAfter?: number;
}

async function syntheticSamples() {
  const core = await import('@cxrkit/core');
  return Array.from({ length: images }, (_, i) => {
    const r = core.synthesizeRadiograph({ size, seed: 1000 + i, sex: i % 2 ? 'M' : 'F' });
    return { image: core.zScore(r.image), target: i % 2 };
  });
}

async function child(config: string, cacheRoot: string): Promise<Row> {
  const tf = await import('@tensorflow/tfjs-core');
  const core = await import('@cxrkit/core');
  const models = await import('@cxrkit/models');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  await models.prepareWasmThreads(wasm, { threads: 2 });
  await core.initBackend({ kind: 'wasm', load: () => wasm });
  models.registerWasmTrainingKernels();
  const samples = await syntheticSamples();
  const model = models.withSeededRandom(SEED, () =>
    models.buildScreeningModel({
      backbone: 'inception_v3',
      inputShape: [size, size, 1],
      head: { units: [256, 128], dropout: [0, 0] },
      task: 'binary',
    }),
  );
  models.applyFreezePolicy(model, 'last-block');
  const dtype = config === 'f16' ? 'float16' : 'float32';
  let info: { buildSeconds: number; bytesPerImage: number; cut: Array<{ layer: string; shape: number[] }> } | undefined;
  const t0 = performance.now();
  const r = await models.train(
    model,
    { train: samples },
    {
      epochs: config === 'full' ? 1 : 2,
      batchSize: batch,
      seed: 1,
      learningRate: 1e-4,
      progress: 'none',
      ...(config === 'full' ? {} : { featureCache: { dir: join(cacheRoot, 'cache'), dtype } }),
      callbacks: {
        onFeatureCache: (i) => {
          info = i;
        },
      },
    },
  );
  const wall = (performance.now() - t0) / 1000;
  if (config !== 'full') {
    // the trainable weights after two epochs, for the float16-vs-float32 comparison
    const w = model.trainableWeights.map((v) => Array.from(v.read().dataSync()));
    writeFileSync(join(cacheRoot, `weights-${config}.json`), JSON.stringify(w));
  }
  const epochs = r.history.map((h) => h.seconds);
  void tf;
  return {
    config: config === 'full' ? 'full graph (wasm)' : `cache ${dtype} (wasm)`,
    ...(info ? { buildSeconds: info.buildSeconds, bytesPerImage: info.bytesPerImage } : {}),
    ...(info ? { cut: info.cut.map((c) => `${c.layer} [${c.shape.join('×')}]`).join(' + ') } : {}),
    epochSeconds: config === 'full' ? wall - (info?.buildSeconds ?? 0) : epochs[epochs.length - 1]!,
    ...(config === 'full' ? {} : { firstEpochSeconds: epochs[0]! }),
    losses: r.history.map((h) => h.loss),
  };
}

/** The rows of every shard of a cache folder, in write order, as float32 (float16 widened). */
async function cacheRows(folder: string): Promise<Float32Array[]> {
  const models = await import('@cxrkit/models');
  const out: Float32Array[] = [];
  for (const f of readdirSync(folder)
    .filter((n) => n.endsWith('.fcs'))
    .sort()) {
    const h = await models.readShardHeader(join(folder, f));
    if (typeof h === 'string') throw new Error(`${f}: ${h}`);
    const bytes = readFileSync(join(folder, f));
    for (let r = 0; r < h.rows; r++) {
      const at = bytes.byteOffset + h.dataOffset + r * h.rowBytes;
      const raw = bytes.buffer.slice(at, at + h.rowBytes);
      out.push(h.dtype === 'float16' ? models.fromFloat16(new Uint16Array(raw)) : new Float32Array(raw));
    }
  }
  return out;
}

async function float16Error(cacheRoot: string) {
  const dir = join(cacheRoot, 'cache');
  const folders = readdirSync(dir);
  const f32 = await cacheRows(join(dir, folders.find((f) => f.endsWith('-f32'))!));
  const f16 = await cacheRows(join(dir, folders.find((f) => f.endsWith('-f16'))!));
  let maxAbs = 0;
  let maxRel = 0;
  let peak = 0;
  for (const row of f32) for (const v of row) peak = Math.max(peak, Math.abs(v));
  // elementwise relative error over values above 1 % of the largest (below, float16's fixed subnormal
  // spacing dominates and the max-norm figure says more)
  f32.forEach((row, i) => {
    row.forEach((v, k) => {
      const d = Math.abs(v - f16[i]![k]!);
      maxAbs = Math.max(maxAbs, d);
      if (Math.abs(v) > 0.01 * peak) maxRel = Math.max(maxRel, d / Math.abs(v));
    });
  });
  const w32 = JSON.parse(readFileSync(join(cacheRoot, 'weights-f32.json'), 'utf8')) as number[][];
  const w16 = JSON.parse(readFileSync(join(cacheRoot, 'weights-f16.json'), 'utf8')) as number[][];
  let maxW = 0;
  w32.forEach((w, i) => {
    w.forEach((v, k) => {
      maxW = Math.max(maxW, Math.abs(v - w16[i]![k]!));
    });
  });
  return { rows: f32.length, maxAbs, maxRel, peak, maxWeightDiff: maxW };
}

function torch(mode: 'full' | 'frozen'): Row & { error?: string } {
  const script = fileURLToPath(new URL('./feature-cache-torch.py', import.meta.url));
  const r = spawnSync(
    '/usr/bin/python3',
    [script, '--mode', mode, '--images', String(images), '--size', String(size), '--batch', String(batch)],
    { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
  );
  const line = r.stdout?.split('\n').find((l) => l.startsWith('@@ROW '));
  if (!line)
    return {
      config: `torch ${mode}`,
      epochSeconds: Number.NaN,
      error: (r.stderr || String(r.error)).split('\n').filter(Boolean).slice(-2).join(' '),
    };
  return JSON.parse(line.slice(6)) as Row;
}

if (args[0] === '--child') {
  const row = await child(args[1]!, arg('cache-root', ''));
  process.stdout.write(`\n@@ROW ${JSON.stringify(row)}\n`);
  process.exit(0);
}

const configs = arg('configs', 'full,f32,f16,torch').split(',');
const self = fileURLToPath(import.meta.url);
const cacheRoot = mkdtempSync(join(tmpdir(), 'cxrkit-fc-bench-'));
const rows: Array<Row & { error?: string }> = [];
console.log(
  `feature cache: InceptionV3 ${size}×${size}×1 'last-block', ${images} synthetic radiographs, batch ${batch} — ` +
    `${cpus().length} cores (other jobs running make these noisy)`,
);
console.log('| config | cache build s | epoch s | img/s per epoch | first epoch s | bytes/image | load before/after |');
console.log('|---|---:|---:|---:|---:|---:|---|');
const show = (row: Row & { error?: string }) => {
  if (row.error) return console.log(`| ${row.config} | failed: ${row.error} |`);
  const f = (v: number | undefined, d = 1) => (v === undefined ? '' : v.toFixed(d));
  console.log(
    `| ${row.config} | ${f(row.buildSeconds)} | ${f(row.epochSeconds, 2)} | ${f(images / row.epochSeconds, 1)} | ` +
      `${f(row.firstEpochSeconds, 2)} | ${row.bytesPerImage ?? ''} | ${f(row.loadBefore)} / ${f(row.loadAfter)} |`,
  );
};
try {
  for (const config of configs) {
    const loadBefore = loadavg()[0]!;
    if (config === 'torch') {
      for (const mode of ['full', 'frozen'] as const) {
        const before = loadavg()[0]!;
        const row = { ...torch(mode), loadBefore: before, loadAfter: loadavg()[0]! };
        rows.push(row);
        show(row);
      }
      continue;
    }
    const r = spawnSync(
      process.execPath,
      [
        '--conditions=cxrkit-source',
        '--import',
        'tsx',
        self,
        '--child',
        config,
        '--cache-root',
        cacheRoot,
        '--images',
        String(images),
        '--size',
        String(size),
        '--batch',
        String(batch),
      ],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    const line = r.stdout.split('\n').find((l) => l.startsWith('@@ROW '));
    const row: Row & { error?: string } = line
      ? { ...(JSON.parse(line.slice(6)) as Row), loadBefore, loadAfter: loadavg()[0]! }
      : {
          config,
          epochSeconds: Number.NaN,
          error: (r.stderr || '').split('\n').filter(Boolean).slice(-2).join(' '),
        };
    rows.push(row);
    show(row);
  }
  const full = rows.find((r) => r.config.startsWith('full'));
  const f32 = rows.find((r) => r.config === 'cache float32 (wasm)');
  const tFull = rows.find((r) => r.config === 'torch full');
  const tFrozen = rows.find((r) => r.config === 'torch frozen');
  if (f32?.cut) console.log(`cut: ${f32.cut}; ${f32.bytesPerImage} bytes per image (float32)`);
  for (const [name, ref] of [
    ['full-graph wasm', full],
    ['PyTorch CPU full fine-tuning', tFull],
    ['PyTorch CPU same freeze, whole graph', tFrozen],
  ] as const)
    if (f32 && ref && Number.isFinite(ref.epochSeconds))
      console.log(
        `epoch from the float32 cache vs ${name}: ${(ref.epochSeconds / f32.epochSeconds).toFixed(1)}× faster ` +
          `(with the one-off build: ${(ref.epochSeconds / (f32.epochSeconds + (f32.buildSeconds ?? 0))).toFixed(2)}×)`,
      );
  let f16: Awaited<ReturnType<typeof float16Error>> | undefined;
  if (configs.includes('f32') && configs.includes('f16')) {
    f16 = await float16Error(cacheRoot);
    console.log(
      `float16 rows vs float32 (${f16.rows} rows): max |Δ| ${f16.maxAbs.toExponential(2)} of values up to ` +
        `${f16.peak.toExponential(2)} (max-norm relative ${(f16.maxAbs / f16.peak).toExponential(2)}), ` +
        `elementwise relative ≤ ${f16.maxRel.toExponential(2)} (|x| > 1 % of the largest); trainable weights ` +
        `after 2 epochs from each: max |Δ| ${f16.maxWeightDiff.toExponential(2)}`,
    );
  }
  const outDir = join(fileURLToPath(new URL('..', import.meta.url)), 'bench-output');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(
    join(outDir, 'feature-cache.json'),
    JSON.stringify({ date: new Date().toISOString(), images, size, batch, rows, float16: f16 }, null, 2),
  );
  console.log(`wrote ${join(outDir, 'feature-cache.json')}`);
} finally {
  rmSync(cacheRoot, { recursive: true, force: true });
}
