// Preprocessing of the NEMA WG-04 RG1 chest CR (1955×1841, MONOCHROME1, 15-bit) to the thesis's Part 2
// input, measured side by side with Pillow + numpy in the same run:
//   decoded pixels → percentile clip 0.5/99.5 + min-max → Pillow-exact bicubic resize to 512 → z-score.
// The Python side (bench/preprocess-pillow.py, Debian python3-numpy / python3-pil) gets the very pixels
// cxrkit decoded (through a temporary file) and runs the same steps; rounds alternate between cxrkit on
// its WASM SIMD kernels, cxrkit in plain JavaScript (setPreprocessSimd(false)) and Python, so all see the
// same machine load. Reports the median per stage, the ratio cxrkit / Python, and the largest difference
// between the z-scored outputs. 'total' is the three calls one after the other; 'preprocessRadiograph'
// is the one call (which keeps the image on the SIMD heap between steps). Then the whole cxrkit chain
// from the DICOM bytes (decode, tensor, augmentation at 512), as before.
//
//   npm run bench -- --filter preprocess [--reps 7] [--rounds 3] [--file RG1_JLSN] [--backend cpu|wasm]
//
// The Python side is skipped, with the reason, when /usr/bin/python3 with numpy and Pillow is missing.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync, readFileSync, mkdtempSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, loadavg, tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import {
  initBackend,
  readDicom,
  percentileClipMinMax,
  resize,
  zScore,
  imageToTensor,
  thesisAugmentation,
  applySeeded,
  preprocessRadiograph,
  setPreprocessSimd,
} from '@cxrkit/core';
import type { GrayImage } from '@cxrkit/core';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const reps = Number(arg('reps', '7'));
const rounds = Number(arg('rounds', '3'));
const file = arg('file', 'RG1_JLSN');
const SIZE = 512;
const backend = arg('backend', process.env.CXRKIT_BACKEND || 'cpu') as 'cpu' | 'wasm';
const root = fileURLToPath(new URL('..', import.meta.url));
const dataRoot = process.env.CXRKIT_DATA ?? join(root, '..', 'shared', 'data');
const path = join(dataRoot, 'dicom', 'nema-wg04', file);
const PY = '/usr/bin/python3';

await initBackend({
  kind: backend,
  load:
    backend === 'wasm' ? () => import('@tensorflow/tfjs-backend-wasm') : () => import('@tensorflow/tfjs-backend-cpu'),
});

const median = (v: number[]) => v.slice().sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
const round1 = (v: number) => Number(v.toFixed(1));
const load = () => loadavg().map((v) => Number(v.toFixed(2)));

const bytes = new Uint8Array(readFileSync(path));
const dcm = await readDicom(bytes);
const gray: GrayImage = dcm.grayscale();
const loadBefore = load();

/** cxrkit's steps on the decoded pixels, timed per stage, then the one-call pipeline. */
function cxrkitOnce(times: Record<string, number[]> | undefined): GrayImage {
  const t0 = performance.now();
  const clipped = percentileClipMinMax(gray, { lower: 0.5, upper: 99.5 });
  const t1 = performance.now();
  const resized = resize(clipped, { width: SIZE, height: SIZE, filter: 'bicubic' });
  const t2 = performance.now();
  const z = zScore(resized);
  const t3 = performance.now();
  const z2 = preprocessRadiograph(gray, { size: SIZE, normalize: 'zscore', clip: { lower: 0.5, upper: 99.5 } });
  const t4 = performance.now();
  if (times) {
    times.clip!.push(t1 - t0);
    times.resize!.push(t2 - t1);
    times.zscore!.push(t3 - t2);
    times.total!.push(t3 - t0);
    times.preprocessRadiograph!.push(t4 - t3);
  }
  for (let i = 0; i < z.data.length; i++)
    if (z.data[i] !== z2.data[i]) throw new Error('preprocessRadiograph differs from the steps');
  return z;
}

const pyReason = !existsSync(PY)
  ? `${PY} not found (install Debian python3, python3-numpy, python3-pil)`
  : spawnSync(PY, ['-c', 'import numpy, PIL'], { encoding: 'utf8' }).status !== 0
    ? `${PY} lacks numpy or Pillow (install Debian python3-numpy, python3-pil)`
    : undefined;
const tmp = mkdtempSync(join(tmpdir(), 'cxrkit-bench-preprocess-'));
const STAGES = ['clip', 'resize', 'zscore', 'total', 'preprocessRadiograph'];
const ours: Record<string, number[]> = Object.fromEntries(STAGES.map((k) => [k, []]));
const oursJs: Record<string, number[]> = Object.fromEntries(STAGES.map((k) => [k, []]));
const theirs: Record<string, number[]> = { clip: [], resize: [], zscore: [], total: [] };
let versions: Record<string, string> | undefined;
let maxDiff: number | undefined;
let maxDiffJs = 0;
try {
  const pixelsPath = join(tmp, 'pixels.f32');
  const outPath = join(tmp, 'z.f32');
  if (!pyReason)
    writeFileSync(pixelsPath, new Uint8Array(gray.data.buffer, gray.data.byteOffset, gray.data.byteLength));
  setPreprocessSimd(false);
  const zJs = cxrkitOnce(undefined); // warm-up of the JavaScript path
  setPreprocessSimd(true);
  let z = cxrkitOnce(undefined); // warm-up of the SIMD path
  for (let i = 0; i < z.data.length; i++) maxDiffJs = Math.max(maxDiffJs, Math.abs(z.data[i]! - zJs.data[i]!));
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < reps; i++) z = cxrkitOnce(ours);
    setPreprocessSimd(false);
    for (let i = 0; i < reps; i++) cxrkitOnce(oursJs);
    setPreprocessSimd(true);
    if (pyReason) continue;
    const py = spawnSync(
      PY,
      [
        join(root, 'bench', 'preprocess-pillow.py'),
        pixelsPath,
        String(gray.width),
        String(gray.height),
        String(SIZE),
        String(reps),
        outPath,
      ],
      { encoding: 'utf8' },
    );
    if (py.status !== 0) throw new Error(`preprocess-pillow.py failed: ${py.stderr}`);
    const res = JSON.parse(py.stdout) as { ms: Record<string, number[]>; versions: Record<string, string> };
    for (const k of Object.keys(theirs)) theirs[k]!.push(...res.ms[k]!);
    versions = res.versions;
  }
  if (!pyReason) {
    const b = readFileSync(outPath);
    const ref = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
    maxDiff = 0;
    for (let i = 0; i < ref.length; i++) maxDiff = Math.max(maxDiff, Math.abs(ref[i]! - z.data[i]!));
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
const loadAfter = load();

const sideBySide = STAGES.map((stage) => {
  const a = median(ours[stage]!);
  const j = median(oursJs[stage]!);
  const b = pyReason ? undefined : median(theirs[stage === 'preprocessRadiograph' ? 'total' : stage]!);
  return {
    stage,
    'cxrkit SIMD ms': round1(a),
    'cxrkit JS ms': round1(j),
    'Pillow+numpy ms': b === undefined ? 'skipped' : round1(b),
    'SIMD / Python': b === undefined ? '—' : Number((a / b).toFixed(2)),
    'JS / Python': b === undefined ? '—' : Number((j / b).toFixed(2)),
  };
});
console.log(
  `RG1 (${file}, ${dcm.transferSyntaxName}, ${gray.width}×${gray.height}) decoded pixels → ${SIZE}×${SIZE} z-scored, ` +
    `${rounds} rounds × ${reps} reps each side (median); loadavg before ${loadBefore.join(' ')}, after ${loadAfter.join(' ')} (${cpus().length} cores)`,
);
console.table(sideBySide);
console.log(
  `SIMD and JavaScript paths: max |Δ| ${maxDiffJs} over the z-scored output (they are meant to be bit-equal)`,
);
if (pyReason) console.log(`Python side skipped: ${pyReason}`);
else
  console.log(
    `max |cxrkit − Pillow+numpy| over the z-scored ${SIZE}² output: ${maxDiff!.toExponential(2)} (Python ${versions!.python}, numpy ${versions!.numpy}, Pillow ${versions!.pillow})`,
  );

// The whole cxrkit chain from the DICOM bytes, as a pipeline runs it.
const chain = {
  decode: [] as number[],
  preprocess: [] as number[],
  tensor: [] as number[],
  total: [] as number[],
  augment: [] as number[],
};
for (let r = 0; r < reps + 1; r++) {
  const t0 = performance.now();
  const g = (await readDicom(bytes)).grayscale();
  const t1 = performance.now();
  const z = preprocessRadiograph(g, { size: SIZE });
  const t2 = performance.now();
  const x = imageToTensor(z, { channels: 3 });
  await x.data(); // make sure the tensor is materialised on this backend
  const t3 = performance.now();
  x.dispose();
  const aug = applySeeded(thesisAugmentation(), z, 1, r);
  const t4 = performance.now();
  if (aug.width !== SIZE) throw new Error('bad augmentation output');
  if (r === 0) continue; // warm-up
  chain.decode.push(t1 - t0);
  chain.preprocess.push(t2 - t1);
  chain.tensor.push(t3 - t2);
  chain.total.push(t3 - t0);
  chain.augment.push(t4 - t3);
}
const chainRows = Object.entries(chain).map(([stage, v]) => ({
  stage,
  medianMs: round1(median(v)),
  minMs: round1(Math.min(...v)),
}));
console.log(
  `cxrkit full chain: DICOM bytes → [1,${SIZE},${SIZE},3] tensor, backend ${tf.getBackend()}, ${reps} reps (median)`,
);
console.table(chainRows);
const result = {
  file,
  transferSyntax: dcm.transferSyntaxName,
  size: `${gray.width}×${gray.height}`,
  backend: tf.getBackend(),
  reps,
  rounds,
  sideBySide,
  python: pyReason ? { skipped: pyReason } : { versions, maxAbsDiffZ: maxDiff },
  simdVsJsMaxAbsDiff: maxDiffJs,
  msSamples: { cxrkitSimd: ours, cxrkitJs: oursJs, python: theirs },
  imagesPerSecond: Number((1000 / median(chain.total)).toFixed(2)),
  chain: chainRows,
  machine: { cpus: cpus().length, loadavgBefore: loadBefore, loadavgAfter: loadAfter },
  note: 'single thread each side; numbers are noisy when other processes share the cores (see loadavg)',
};
mkdirSync(join(root, 'bench-output'), { recursive: true });
writeFileSync(join(root, 'bench-output', 'preprocess.json'), JSON.stringify(result, null, 2));
