// Forward latency and peak memory of every registered backbone at 512×512, batch 1 (the thesis's
// screening resolution), on the tfjs `cpu` and `wasm` backends. Each (backend, model) runs in its own
// child process so peak RSS belongs to that model alone. Models: full width, 3 channels, no top, global
// average pooling, random Keras initialisation (fine for timing).
//
//   npm run bench -- --filter models [--backends cpu,wasm] [--models inception_v3,resnet50] [--size 512]
//                    [--cpu-reps 1] [--wasm-reps 3]
//
// Columns: build = createModel time; first = first forward (warm-up; wasm compiles nothing, but
// allocates); median = median of the timed forwards; peak tf = tf.profile peakBytes of one forward;
// weights = tf.memory().numBytes after build; peak RSS = the child process's maximum resident set.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@cxrkit/core';
import { createModel, listModels } from '@cxrkit/models';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const size = Number(arg('size', '512'));
const MB = 1024 * 1024;

interface Row {
  backend: string;
  model: string;
  params: number;
  buildMs: number;
  firstMs: number;
  medianMs: number;
  reps: number;
  peakTfMB: number;
  weightsMB: number;
  peakRssMB: number;
}

async function child(backend: 'cpu' | 'wasm', model: string, reps: number): Promise<Row> {
  await initBackend(
    backend === 'cpu'
      ? { kind: 'cpu', load: () => import('@tensorflow/tfjs-backend-cpu') }
      : { kind: 'wasm', load: () => import('@tensorflow/tfjs-backend-wasm') },
  );
  let t = performance.now();
  const m = createModel(model, { inputShape: [size, size, 3], includeTop: false, pooling: 'avg' });
  const buildMs = performance.now() - t;
  const weightsMB = tf.memory().numBytes / MB;
  const x = tf.randomUniform([1, size, size, 3], -1, 1, 'float32', 1);
  t = performance.now();
  const info = await tf.profile(async () => {
    const y = m.predict(x) as tf.Tensor;
    await y.data();
    y.dispose();
  });
  const firstMs = performance.now() - t;
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    t = performance.now();
    const y = m.predict(x) as tf.Tensor;
    await y.data();
    times.push(performance.now() - t);
    y.dispose();
  }
  times.sort((a, b) => a - b);
  const medianMs = times.length ? times[Math.floor((times.length - 1) / 2)]! : firstMs;
  const row: Row = {
    backend,
    model,
    params: m.countParams(),
    buildMs,
    firstMs,
    medianMs,
    reps,
    peakTfMB: info.peakBytes / MB,
    weightsMB,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
  };
  x.dispose();
  m.dispose();
  return row;
}

if (args[0] === '--child') {
  const row = await child(args[1] as 'cpu' | 'wasm', args[2]!, Number(args[3]));
  process.stdout.write(`\n@@ROW ${JSON.stringify(row)}\n`);
  process.exit(0);
}

const backends = arg('backends', 'cpu,wasm').split(',');
const models = arg('models', listModels().join(',')).split(',');
const reps: Record<string, number> = { cpu: Number(arg('cpu-reps', '1')), wasm: Number(arg('wasm-reps', '3')) };
const self = fileURLToPath(import.meta.url);
const rows: Row[] = [];
console.log(
  `backbones at ${size}×${size}×3, batch 1 — ${cpus().length} cores, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} (other jobs running make these noisy)`,
);
console.log('| backend | model | params | build s | first s | median s (n) | peak tf MB | weights MB | peak RSS MB |');
console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|');
for (const backend of backends) {
  for (const model of models) {
    const r = spawnSync(
      process.execPath,
      [
        '--conditions=cxrkit-source',
        '--import',
        'tsx',
        self,
        '--child',
        backend,
        model,
        String(reps[backend] ?? 1),
        '--size',
        String(size),
      ],
      {
        encoding: 'utf8',
        maxBuffer: 16 * MB,
      },
    );
    const line = r.stdout.split('\n').find((l) => l.startsWith('@@ROW '));
    if (!line) {
      console.log(
        `| ${backend} | ${model} | failed: ${(r.stderr || '').split('\n').filter(Boolean).slice(-2).join(' ')} |`,
      );
      continue;
    }
    const row = JSON.parse(line.slice(6)) as Row;
    rows.push(row);
    const s = (ms: number) => (ms / 1000).toFixed(2);
    console.log(
      `| ${row.backend} | ${row.model} | ${row.params.toLocaleString('en')} | ${s(row.buildMs)} | ${s(row.firstMs)} | ${s(row.medianMs)} (${row.reps}) | ${row.peakTfMB.toFixed(0)} | ${row.weightsMB.toFixed(0)} | ${row.peakRssMB.toFixed(0)} |`,
    );
  }
}
const outDir = join(fileURLToPath(new URL('..', import.meta.url)), 'bench-output');
mkdirSync(outDir, { recursive: true });
writeFileSync(
  join(outDir, 'models.json'),
  JSON.stringify({ size, batch: 1, date: new Date().toISOString(), loadavg: loadavg(), rows }, null, 2),
);
console.log(`wrote ${join(outDir, 'models.json')}`);
