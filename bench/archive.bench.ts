// The archive pipeline end to end, side by side with a Python pipeline doing the same work, on 2 cores:
//   cxrkit:  `cxrkit-archive screen` (worker threads: readDicom + modelInputs; onnxruntime-node, batched)
//   Python:  bench/archive-python.py (DataLoader worker: pydicom + GDCM → numpy clip → Pillow bicubic → z-score;
//            PyTorch CPU InceptionV3 written out layer for layer, with the weights of the same ONNX file)
// over a folder of ≥ 500 radiographs: synthetic CR DICOMs at a realistic size (2000 × 2000, 14 of 16 bits) plus
// the real chest radiographs of ../shared/data. Same model for both: full InceptionV3 at 512 × 512 × 3, seeded
// weights, exported to ONNX by cxrkit. Reports images/s, ms per image per stage, scores agreement, and peak
// RSS of cxrkit's run over 100 … 2,000 images (a smaller model on 1024 × 1024 files, so the series is about the
// pipeline's memory, and runs in minutes).
//
//   npm run bench -- --filter archive [--images 500] [--memory 100,500,2000] [--workers 1] [--threads 2]
//                                     [--batch 8] [--skip-python] [--keep] [--dir /tmp/…]
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readdir, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend, readDicom } from '@cxrkit/core';
import { writeSyntheticDicoms, writeTestModel } from '../packages/archive/src/test-fixtures.js';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const flag = (name: string) => args.includes(`--${name}`);
const images = Number(arg('images', '500'));
const memorySizes = arg('memory', '100,500,2000').split(',').filter(Boolean).map(Number);
const workers = arg('workers', '1');
const threads = arg('threads', '2');
const batch = arg('batch', '8');
const root = fileURLToPath(new URL('..', import.meta.url));
const dataRoot = process.env.CXRKIT_DATA ?? join(root, '..', 'shared', 'data');
const dir = arg('dir', join(tmpdir(), 'cxrkit-archive-bench'));
const bin = join(root, 'packages', 'archive', 'bin', 'cxrkit-archive.ts');
const python = '/usr/bin/python3';

const uptime = () => execFileSync('uptime').toString().trim();
const log = (s: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${s}`);

/** Runs a command under GNU time; resolves to stdout and the peak RSS (KiB) of the process. */
function timed(cmd: string, argv: string[]): Promise<{ stdout: string; maxRssKiB: number; seconds: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-f', '%M %e', cmd, ...argv], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => {
      const last = err.trim().split('\n').at(-1) ?? '';
      const [rss, secs] = last.split(' ').map(Number);
      if (code !== 0) reject(new Error(`${cmd} ${argv.join(' ')} exited ${code}: ${err.slice(-2000)}`));
      else resolve({ stdout: out, maxRssKiB: rss!, seconds: secs! });
    });
  });
}

async function listDicoms(folder: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(folder, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && e.name.endsWith('.dcm'))
      out.push(join(e.parentPath ?? (e as unknown as { path: string }).path, e.name));
  }
  return out.sort();
}

/** Real chest radiographs of the shared data with distinct SOP Instance UIDs (those that exist). */
async function realRadiographs(): Promise<string[]> {
  const candidates = [
    'nhsx-nccid-testdata/1.3.6.1.4.1.11129.5.5.110503645592756492463169821050252582267888.dcm',
    'nema-wg04/RG1_JLSN',
    'dwv-tests-data/gdcm-CR-MONO1-10-chest.dcm',
  ].map((f) => join(dataRoot, 'dicom', f));
  const txrv = join(dataRoot, 'dicom', 'torchxrayvision-tests');
  if (existsSync(txrv)) {
    for (const f of await readdir(txrv)) if (!/fake/i.test(f)) candidates.push(join(txrv, f));
  }
  const uids = new Set<string>();
  const keep: string[] = [];
  for (const f of candidates) {
    if (!existsSync(f)) continue;
    const uid = (await readDicom(f)).meta.sopInstanceUid;
    if (uid && !uids.has(uid)) {
      uids.add(uid);
      keep.push(f);
    }
  }
  return keep;
}

mkdirSync(dir, { recursive: true });
await initBackend({ kind: 'cpu', load: () => import('@tensorflow/tfjs-backend-cpu') });
log(`machine: ${cpus().length} cores; ${uptime()}`);

// --- fixtures (kept in `dir` between runs unless --keep is absent at the end) ------------------------------------
const fullModel = join(dir, 'model-inception-v3-512');
const smallModel = join(dir, 'model-inception-v3-512-w4');
if (!existsSync(join(fullModel, 'model.onnx'))) {
  log('writing the full InceptionV3 512 × 512 × 3 model (seeded weights) and its ONNX export');
  await writeTestModel(fullModel, { size: 512, widthMultiplier: 1, channels: 3, fusion: [], tfjs: false });
}
if (!existsSync(join(smallModel, 'model.onnx'))) {
  await writeTestModel(smallModel, { size: 512, widthMultiplier: 1 / 4, channels: 3, fusion: [], tfjs: false });
}
const e2eFolder = join(dir, `cr-2000-${images}`);
let synthetic = existsSync(e2eFolder) ? await listDicoms(e2eFolder) : [];
if (synthetic.length !== images) {
  log(`writing ${images} synthetic CR DICOMs, 2000 × 2000, 14 bits stored (25 distinct radiographs, new UIDs each)`);
  await rm(e2eFolder, { recursive: true, force: true });
  synthetic = await writeSyntheticDicoms(e2eFolder, images, { size: 2000, bitsStored: 14, distinct: 25, seed: 100 });
}
const real = await realRadiographs();
const e2eManifest = join(dir, 'e2e.txt');
await writeFile(e2eManifest, `${[...synthetic, ...real].join('\n')}\n`);
const total = synthetic.length + real.length;
log(`end-to-end set: ${synthetic.length} synthetic + ${real.length} real radiographs`);

const memMax = Math.max(0, ...memorySizes);
const memFolder = join(dir, `cr-1024-${memMax}`);
let memFiles = existsSync(memFolder) ? await listDicoms(memFolder) : [];
if (memMax > 0 && memFiles.length !== memMax) {
  log(`writing ${memMax} synthetic CR DICOMs, 1024 × 1024, for the memory series`);
  await rm(memFolder, { recursive: true, force: true });
  memFiles = await writeSyntheticDicoms(memFolder, memMax, { size: 1024, distinct: 20, seed: 5000 });
}

// --- end to end, side by side -----------------------------------------------------------------------------------
const node = [process.execPath, '--conditions=cxrkit-source', '--import', 'tsx', bin];
const screen = (model: string, manifest: string, out: string) =>
  timed(node[0]!, [
    ...node.slice(1),
    'screen',
    model,
    manifest,
    '--out',
    out,
    '--workers',
    workers,
    '--threads',
    threads,
    '--batch-size',
    batch,
    '--json',
    '--no-progress',
  ]);

const loadBefore = { cxrkit: uptime(), python: '' };
log(`cxrkit: ${total} images, workers ${workers}, onnxruntime threads ${threads}, batch ${batch}`);
const cxOut = join(dir, 'out-cxrkit');
await rm(cxOut, { recursive: true, force: true });
const cx = await screen(fullModel, e2eManifest, cxOut);
const cxSummary = JSON.parse(cx.stdout) as {
  engine: string;
  progress: { screened: number; failed: number; elapsedSeconds: number; stageMs: Record<string, number> };
};
const cxRate = (cxSummary.progress.screened + cxSummary.progress.failed) / cxSummary.progress.elapsedSeconds;
log(`cxrkit: ${cxRate.toFixed(3)} images/s, peak RSS ${(cx.maxRssKiB / 1024).toFixed(0)} MiB; ${uptime()}`);

let py:
  | {
      images: number;
      imagesPerSecond: number;
      seconds: number;
      msPerImage: Record<string, number>;
      maxRssKiB: { main: number; workers: number };
      versions: Record<string, string>;
    }
  | undefined;
let agreement: { compared: number; maxAbsDiff: number } | undefined;
if (!flag('skip-python')) {
  loadBefore.python = uptime();
  log(`Python: ${total} images, DataLoader workers ${workers}, torch threads ${threads}, batch ${batch}`);
  const pyScores = join(dir, 'python-scores.jsonl');
  const r = await timed(python, [
    join(root, 'bench', 'archive-python.py'),
    '--manifest',
    e2eManifest,
    '--onnx',
    join(fullModel, 'model.onnx'),
    '--batch',
    batch,
    '--workers',
    workers,
    '--threads',
    threads,
    '--out',
    pyScores,
  ]);
  py = JSON.parse(r.stdout);
  log(`Python: ${py!.imagesPerSecond.toFixed(3)} images/s; ${uptime()}`);
  const lines = (f: string) =>
    readFileSync(f, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { sopInstanceUID: string; score: number });
  const pyByUid = new Map(lines(pyScores).map((x) => [x.sopInstanceUID, x.score]));
  let maxAbsDiff = 0;
  let compared = 0;
  for (const x of lines(join(cxOut, 'results.jsonl'))) {
    const s = pyByUid.get(x.sopInstanceUID);
    if (s === undefined) continue;
    compared++;
    maxAbsDiff = Math.max(maxAbsDiff, Math.abs(s - x.score));
  }
  agreement = { compared, maxAbsDiff };
}

// --- memory: peak RSS of cxrkit's run over 100 … 2,000 images -------------------------------------------------------
const memory: { images: number; maxRssMiB: number; imagesPerSecond: number }[] = [];
for (const n of memorySizes) {
  const manifest = join(dir, `memory-${n}.txt`);
  await writeFile(manifest, `${memFiles.slice(0, n).join('\n')}\n`);
  const out = join(dir, `out-memory-${n}`);
  await rm(out, { recursive: true, force: true });
  const r = await screen(smallModel, manifest, out);
  const s = JSON.parse(r.stdout) as { progress: { screened: number; elapsedSeconds: number } };
  memory.push({
    images: n,
    maxRssMiB: Math.round(r.maxRssKiB / 1024),
    imagesPerSecond: Number((s.progress.screened / s.progress.elapsedSeconds).toFixed(2)),
  });
  log(`memory: ${n} images → peak RSS ${memory.at(-1)!.maxRssMiB} MiB`);
}

const stage = (ms: Record<string, number> | undefined, k: string) => (ms?.[k] === undefined ? '–' : ms[k]!.toFixed(0));
console.log(
  `\nEnd to end, ${total} radiographs (${synthetic.length} synthetic 2000² CR + ${real.length} real), 2 cores`,
);
console.table([
  {
    pipeline: `cxrkit (${cxSummary.engine}, ${workers} worker thread(s))`,
    'images/s': cxRate.toFixed(3),
    'read+decode ms': (cxSummary.progress.stageMs['read']! + cxSummary.progress.stageMs['decode']!).toFixed(0),
    'preprocess ms': stage(cxSummary.progress.stageMs, 'preprocess'),
    'predict ms': stage(cxSummary.progress.stageMs, 'predict'),
    'peak RSS MiB': (cx.maxRssKiB / 1024).toFixed(0),
  },
  ...(py
    ? [
        {
          pipeline: `Python (torch ${py.versions['torch']}, ${workers} DataLoader worker(s))`,
          'images/s': py.imagesPerSecond.toFixed(3),
          'read+decode ms': stage(py.msPerImage, 'decode'),
          'preprocess ms': stage(py.msPerImage, 'preprocess'),
          'predict ms': stage(py.msPerImage, 'predict'),
          'peak RSS MiB': `${(py.maxRssKiB.main / 1024).toFixed(0)} + ${(py.maxRssKiB.workers / 1024).toFixed(0)} (worker)`,
        },
      ]
    : []),
]);
if (py) console.log(`cxrkit / Python throughput: ${(cxRate / py.imagesPerSecond).toFixed(2)}× (target ≥ 2×)`);
if (agreement)
  console.log(
    `scores, cxrkit vs Python, ${agreement.compared} images: max |Δ| ${agreement.maxAbsDiff.toExponential(2)}`,
  );
if (memory.length) {
  console.table(memory);
  const rss = memory.map((m) => m.maxRssMiB);
  console.log(
    `peak RSS spread over ${memorySizes.join(' / ')} images: ${((Math.max(...rss) / Math.min(...rss) - 1) * 100).toFixed(1)} % (target ≤ 20 %)`,
  );
}
console.log(
  `load: before cxrkit ${loadBefore.cxrkit}\n      before Python ${loadBefore.python}\n      end ${uptime()}`,
);

const result = {
  images: { total, synthetic: synthetic.length, real: real.length },
  settings: { workers: Number(workers), threads: Number(threads), batch: Number(batch) },
  cxrkit: {
    imagesPerSecond: cxRate,
    maxRssKiB: cx.maxRssKiB,
    engine: cxSummary.engine,
    stageMs: cxSummary.progress.stageMs,
  },
  python: py,
  ratio: py ? cxRate / py.imagesPerSecond : undefined,
  agreement,
  memory,
  machine: { cpus: cpus().length, loadavg: loadavg().map((v) => Number(v.toFixed(2))), uptime: loadBefore },
  note: 'the machine is shared with other processes: see the load averages; figures are noisy when they are high',
};
mkdirSync(join(root, 'bench-output'), { recursive: true });
writeFileSync(join(root, 'bench-output', 'archive.json'), JSON.stringify(result, null, 2));
if (!flag('keep')) await rm(dir, { recursive: true, force: true });
