// Full-size parity (the CI tests use width 1/16): every registered backbone at full width and its Keras
// default size, as a screening model with age/sex fusion, on real radiographs (NIH ChestX-ray14
// thumbnails, preprocessed by @cxrkit/core: clip, bicubic to size, z-score) — tfjs-wasm vs onnxruntime-node, on the regression output and
// on the pooled backbone features; then the ONNX checker on each file when python3-onnx is installed.
// BatchNorm statistics are randomised (Keras's init, mean 0 / variance 1, would hide layout errors).
//   npm run bench -- --filter onnx-parity-full [--models densenet121,...] [--size 299]
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import * as ort from 'onnxruntime-node';
import { initBackend, preprocessRadiograph, readImageFile } from '@cxrkit/core';
import { buildScreeningModel, createTfjsPredictor, listModels, modelInfo } from '@cxrkit/models';
import { createOnnxPredictor, exportOnnx } from '@cxrkit/onnx';

const args = process.argv.slice(2);
const arg = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const models = arg('models')?.split(',') ?? listModels();
const root = new URL('..', import.meta.url).pathname;
const outDir = join(root, 'bench-output', 'onnx-full');
mkdirSync(outDir, { recursive: true });
await initBackend({ kind: 'wasm', load: () => import('@tensorflow/tfjs-backend-wasm') });

const dataRoot = process.env.CXRKIT_DATA ?? join(root, '..', 'shared', 'data');
const thumbs = join(dataRoot, 'cxr', 'nih-thumbs64', 'NIH1000', 'test', '0_normal');
const files = readdirSync(thumbs)
  .filter((f) => f.endsWith('.png'))
  .sort()
  .slice(0, 2);
const ages = new Float32Array([0.56, 0.3]);
const sexes = new Float32Array([0, 1]);

async function images(size: number): Promise<Float32Array> {
  const out = new Float32Array(files.length * size * size);
  for (let i = 0; i < files.length; i++)
    out.set(
      preprocessRadiograph(await readImageFile(join(thumbs, files[i]!)), { size, normalize: 'zscore' }).data,
      i * size * size,
    );
  return out;
}

function randomizeBatchNorm(model: tfl.LayersModel): void {
  let s = 42;
  const rnd = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (const w of model.weights) {
    const short = (w.originalName ?? w.name).split('/').pop()!.replace(/_\d+$/, '');
    const range = (
      { gamma: [0.6, 1.4], beta: [-0.2, 0.2], moving_mean: [-0.2, 0.2], moving_variance: [0.5, 1.5] } as Record<
        string,
        number[]
      >
    )[short];
    if (!range) continue;
    const shape = w.shape as number[];
    w.write(
      tf.tensor(
        Float32Array.from(
          { length: shape.reduce((a, b) => a * b, 1) },
          () => range[0]! + (range[1]! - range[0]!) * rnd(),
        ),
        shape,
      ),
    );
  }
}

const rows: Record<string, unknown>[] = [];
const written: string[] = [];
for (const name of models) {
  const size = Number(arg('size') ?? modelInfo(name).defaultSize);
  const screening = buildScreeningModel({
    backbone: name,
    inputShape: [size, size, 1],
    task: 'regression',
    fusion: ['age', 'sex'],
  });
  randomizeBatchNorm(screening);
  const model = tfl.model({
    inputs: screening.inputs,
    outputs: [screening.outputs[0]!, screening.getLayer('avg_pool').output as tfl.SymbolicTensor],
    name: screening.name,
  });
  const bytes = await exportOnnx(model, { preprocessing: { resize: 'bilinear', size, normalize: 'zscore' } });
  const file = join(outDir, `${name}_${size}.onnx`);
  writeFileSync(file, bytes);
  written.push(file);
  const inputs = {
    image: { data: await images(size), shape: [files.length, size, size, 1] },
    age: { data: ages, shape: [files.length, 1] },
    sex: { data: sexes, shape: [files.length, 1] },
  };
  const ref = await createTfjsPredictor(model).predict(inputs);
  const p = await createOnnxPredictor(bytes, { load: () => ort });
  const got = await p.predict(inputs);
  await p.dispose();
  const row: Record<string, unknown> = { model: name, size, params: model.countParams() };
  for (const out of model.outputNames) {
    let err = 0;
    let scale = 0;
    ref[out]!.data.forEach((v, i) => {
      err = Math.max(err, Math.abs(v - got[out]!.data[i]!));
      scale = Math.max(scale, Math.abs(v));
    });
    row[`${out}.maxAbsDiff`] = err;
    row[`${out}.maxAbs`] = scale;
  }
  rows.push(row);
  console.log(
    `${name} @${size}: ${model.outputNames.map((o) => `${o} max |onnx − tfjs| ${(row[`${o}.maxAbsDiff`] as number).toExponential(2)} (max |y| ${(row[`${o}.maxAbs`] as number).toFixed(3)})`).join('; ')}`,
  );
  model.dispose();
}

const python = ['/usr/bin/python3', 'python3'].find(
  (py) => spawnSync(py, ['-c', 'import onnx'], { stdio: 'ignore' }).status === 0,
);
let checker = 'SKIPPED: python3 with onnx is not installed (apt-get install -y python3-onnx)';
if (python) {
  const r = spawnSync(python, [join(root, 'test', 'fixtures', 'onnx', 'check_onnx.py'), ...written], {
    encoding: 'utf8',
  });
  checker =
    r.status === 0 ? `all ${written.length} files pass onnx.checker (full_check)` : `FAILED: ${r.stdout}${r.stderr}`;
  console.log(r.stdout.trim());
}
console.log(checker);
writeFileSync(
  join(root, 'bench-output', 'onnx-parity-full.json'),
  JSON.stringify({ rows, checker, images: files }, null, 2),
);
if (
  checker.startsWith('FAILED') ||
  rows.some((r) =>
    Object.entries(r).some(
      ([k, v]) =>
        k.endsWith('maxAbsDiff') && (v as number) > 1e-4 * Math.max(1, r[k.replace('maxAbsDiff', 'maxAbs')] as number),
    ),
  )
)
  process.exitCode = 1;
