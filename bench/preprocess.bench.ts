// Full preprocessing of the NEMA WG-04 RG1 chest CR (1955×1841, MONOCHROME1, 15-bit) to a 512×512
// normalised tensor, the thesis's Part 2 input: read + decode DICOM → grayscale [0,1] → percentile clip
// 0.5/99.5 + min-max → Pillow-exact bicubic resize to 512 → z-score → [1, 512, 512, 3] tensor.
// Reports images/second for the whole chain and time per stage. Also the same chain from an
// already-decoded image (what a cached-pixels pipeline costs), and augmentation at 512.
//
//   npm run bench -- --filter preprocess [--reps 5] [--file RG1_JLSN] [--backend cpu|wasm]
import { mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, readDicom, percentileClipMinMax, resizeBicubic, zScore, imageToTensor, thesisAugmentation, applySeeded } from '@cxrkit/core';
import type { GrayImage } from '@cxrkit/core';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const reps = Number(arg('reps', '5'));
const file = arg('file', 'RG1_JLSN');
const backend = arg('backend', process.env.CXRKIT_BACKEND || 'cpu') as 'cpu' | 'wasm';
const root = fileURLToPath(new URL('..', import.meta.url));
const dataRoot = process.env.CXRKIT_DATA ?? join(root, '..', 'shared', 'data');
const path = join(dataRoot, 'dicom', 'nema-wg04', file);

await initBackend({ kind: backend, load: backend === 'wasm' ? () => import('@tensorflow/tfjs-backend-wasm') : () => import('@tensorflow/tfjs-backend-cpu') });

const bytes = new Uint8Array(readFileSync(path));
const stages = { decode: [] as number[], clip: [] as number[], resize: [] as number[], zscore: [] as number[], tensor: [] as number[], total: [] as number[], augment: [] as number[] };
let size = '';
let transferSyntax = '';
for (let r = 0; r < reps + 1; r++) {
  const t0 = performance.now();
  const dcm = await readDicom(bytes);
  const gray: GrayImage = dcm.grayscale();
  const t1 = performance.now();
  const clipped = percentileClipMinMax(gray, { lower: 0.5, upper: 99.5 });
  const t2 = performance.now();
  const resized = resizeBicubic(clipped, { width: 512, height: 512 });
  const t3 = performance.now();
  const z = zScore(resized);
  const t4 = performance.now();
  const x = imageToTensor(z, { channels: 3 });
  await x.data(); // make sure the tensor is materialised on this backend
  const t5 = performance.now();
  x.dispose();
  const aug = applySeeded(thesisAugmentation(), z, 1, r);
  const t6 = performance.now();
  if (aug.width !== 512) throw new Error('bad augmentation output');
  size = `${gray.width}×${gray.height}`;
  transferSyntax = dcm.transferSyntaxName;
  if (r === 0) continue; // warm-up
  stages.decode.push(t1 - t0);
  stages.clip.push(t2 - t1);
  stages.resize.push(t3 - t2);
  stages.zscore.push(t4 - t3);
  stages.tensor.push(t5 - t4);
  stages.total.push(t5 - t0);
  stages.augment.push(t6 - t5);
}
const median = (v: number[]) => v.slice().sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
const rows = Object.entries(stages).map(([stage, v]) => ({ stage, medianMs: Number(median(v).toFixed(1)), minMs: Number(Math.min(...v).toFixed(1)) }));
const total = median(stages.total);
const fromPixels = median(stages.total) - median(stages.decode);
const result = {
  file,
  transferSyntax,
  size,
  backend: tf.getBackend(),
  reps,
  imagesPerSecond: Number((1000 / total).toFixed(2)),
  imagesPerSecondFromDecodedPixels: Number((1000 / fromPixels).toFixed(2)),
  stages: rows,
  machine: { cpus: cpus().length, loadavg: loadavg().map((v) => Number(v.toFixed(2))) },
  note: 'single thread; numbers are noisy when other processes share the 2 cores (see loadavg)',
};
console.log(`RG1 (${file}, ${transferSyntax}, ${size}) → [1,512,512,3] z-scored tensor, backend ${result.backend}, ${reps} reps (median)`);
console.table(rows);
console.log(`full chain: ${result.imagesPerSecond} images/s; from decoded pixels: ${result.imagesPerSecondFromDecodedPixels} images/s; loadavg ${result.machine.loadavg.join(' ')}`);
mkdirSync(join(root, 'bench-output'), { recursive: true });
writeFileSync(join(root, 'bench-output', 'preprocess.json'), JSON.stringify(result, null, 2));
