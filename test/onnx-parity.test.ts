// @cxrkit-backends: cpu wasm
// Parity of the ONNX export with TensorFlow.js for every registered backbone (width-scaled) with the
// screening head, all three tasks and demographic fusion, on real chest radiographs (NIH + COVID PA films):
// onnxruntime-node's outputs must equal tfjs's within 1e-4 (in a bare clone without the shared data, on the
// four in-repo synthetic radiographs of test/fixtures/radiographs). The exported files are also run through
// the official ONNX checker (Debian python3-onnx) when it is installed — otherwise that test is SKIPPED with
// the reason. tfjs (the reference) runs on the backend the test runner picked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import * as ort from 'onnxruntime-node';
import {
  buildScreeningModel,
  createTfjsPredictor,
  listModels,
  withSeededRandom,
  type ScreeningModelOptions,
} from '@cxrkit/models';
import { createOnnxPredictor, exportOnnx, readOnnxInfo } from '@cxrkit/onnx';
import {
  createRng,
  preprocessRadiograph,
  readCovidPaManifest,
  readImageFile,
  readManifest,
  readNihThumbsManifest,
} from '@cxrkit/core';
import { expectNoLeaks, fixtureDir, repoRoot, sharedData, testOutputDir } from './helpers.js';

const TOL = 1e-4;
const SIZE = 80; // ≥ InceptionV3's minimum of 75; thumbnails are resized from 64.
const N = 4;

/**
 * N real radiographs with age/sex — two NIH ChestX-ray14 thumbnails (64 px) and two full-resolution PA films
 * from the COVID-19 image collection (≈1000 px JPEG/PNG); without the shared data, the four in-repo
 * synthetic radiographs (test/fixtures/radiographs, 200–288 px PNG/JPEG) — read and preprocessed by
 * @cxrkit/core as the thesis did (0.5 % percentile clip, bicubic resize to SIZE, per-image z-score).
 */
async function loadRadiographs(): Promise<{
  images: Float32Array;
  age: Float32Array;
  sex: Float32Array;
  files: string[];
  source: string;
}> {
  const data = sharedData('cxr/nih-thumbs64', 'cxr/covid-pa');
  let records: { path: string; age?: number; sex?: string }[];
  if (data.missing) records = (await readManifest(fixtureDir('radiographs', 'labels.csv'), { strict: true })).records;
  else {
    const nih = (await readNihThumbsManifest(data.path('cxr', 'nih-thumbs64'))).records;
    const covid = (await readCovidPaManifest(data.path('cxr', 'covid-pa'))).records;
    records = [nih[0]!, nih[400]!, covid[0]!, covid[120]!];
  }
  const picked = records.map((r) => ({ file: r.path, age: Number(r.age), sex: r.sex === 'M' ? 1 : 0 }));
  assert.ok(
    picked.every((p) => Number.isFinite(p.age) && p.age > 0),
    'labels give every picked image an age',
  );
  const images = new Float32Array(N * SIZE * SIZE);
  for (let i = 0; i < N; i++)
    images.set(
      preprocessRadiograph(await readImageFile(picked[i]!.file), { size: SIZE, normalize: 'zscore' }).data,
      i * SIZE * SIZE,
    );
  return {
    images,
    age: Float32Array.from(picked, (p) => p.age / 100),
    sex: Float32Array.from(picked, (p) => p.sex),
    files: picked.map((p) => p.file),
    source: data.missing ? 'the in-repo synthetic radiographs (no shared data)' : 'real radiographs',
  };
}

/** Non-trivial BatchNorm statistics (Keras initialises mean 0 / variance 1, which would hide layout bugs). */
function randomizeBatchNorm(model: tfl.LayersModel, seed: number): void {
  const rng = createRng(seed);
  for (const layer of model.layers) {
    for (const w of layer.weights) {
      const short = (w.originalName ?? w.name).split('/').pop()!;
      const range = { gamma: [0.6, 1.4], beta: [-0.2, 0.2], moving_mean: [-0.2, 0.2], moving_variance: [0.5, 1.5] }[
        short.replace(/_\d+$/, '')
      ];
      if (!range) continue;
      const shape = w.shape as number[];
      const size = shape.reduce((a, b) => a * b, 1);
      tf.tidy(
        () =>
          void w.write(
            tf.tensor(
              Float32Array.from({ length: size }, () => rng.uniform(range[0]!, range[1]!)),
              shape,
            ),
          ),
      );
    }
  }
}

const radiographs = await loadRadiographs();
const outDir = testOutputDir('onnx');
mkdirSync(outDir, { recursive: true });
const exported: string[] = [];
const errors: Record<string, number> = {};
/** tfjs reference outputs and inputs per exported file, for the onnxruntime-web check below. */
const references = new Map<
  string,
  { inputs: Record<string, { data: Float32Array; shape: number[] }>; output: string; y: Float32Array }
>();

// Every backbone twice: without fusion and with one fusion variant; tasks rotate over the three kinds.
const fusions = [['age', 'sex'], ['age'], ['sex'], ['predictedAge']] as const;
const cases: { backbone: string; task: ScreeningModelOptions['task']; fusion: ScreeningModelOptions['fusion'] }[] =
  listModels().flatMap((backbone, i) => [
    { backbone, task: (['binary', 'regression', { classes: 3 }] as const)[i % 3], fusion: [] },
    { backbone, task: (['regression', { classes: 3 }, 'binary'] as const)[i % 3], fusion: fusions[i % fusions.length] },
  ]);

cases.forEach((c, k) => {
  const label = `${c.backbone} (width 1/16) · ${JSON.stringify(c.task)} · fusion [${c.fusion!.join(', ')}]`;
  test(`ONNX export of ${label} matches tfjs within ${TOL} on ${radiographs.source}`, async () => {
    // tfjs's initialisers draw from Math.random: seeded per case, so each model's weights are the same
    // whatever ran before (an unseeded draw once gave resnet50's regression head all-dead ReLUs: y ≡ 0)
    const build = () =>
      buildScreeningModel({
        backbone: c.backbone,
        inputShape: [SIZE, SIZE, 1],
        backboneOptions: { widthMultiplier: 1 / 16 },
        task: c.task,
        fusion: c.fusion,
        head: { units: [16, 8], dropout: [0.5, 0.25] },
      });
    const model = withSeededRandom(1000 + k, build);
    randomizeBatchNorm(model, 7 + c.backbone.length);
    const bytes = await expectNoLeaks(
      () =>
        exportOnnx(model, { preprocessing: { clipPercent: 0.5, resize: 'bicubic', size: SIZE, normalize: 'zscore' } }),
      'exportOnnx',
    );
    const file = join(outDir, `${model.name}${c.fusion!.length ? `_${c.fusion!.join('_')}` : ''}.onnx`);
    writeFileSync(file, bytes);
    exported.push(file);

    const info = readOnnxInfo(bytes);
    assert.deepEqual(
      info.inputs.map((i) => i.name),
      model.inputNames,
    );
    assert.deepEqual(info.inputs[0]!.shape, ['batch', SIZE, SIZE, 1]);
    assert.equal(info.metadata['cxrkit.model_name'], model.name);
    assert.equal(info.opCounts['Transpose'], 1, 'one layout change, at the image input');

    const inputs: Record<string, { data: Float32Array; shape: number[] }> = {
      image: { data: radiographs.images, shape: [N, SIZE, SIZE, 1] },
    };
    for (const f of c.fusion!) inputs[f] = { data: f === 'sex' ? radiographs.sex : radiographs.age, shape: [N, 1] };

    const ref = await expectNoLeaks(() => createTfjsPredictor(model, { batchSize: N }).predict(inputs), 'tfjs predict');
    const onnx = await createOnnxPredictor(bytes, { load: () => ort, threads: 1, batchSize: 3 }); // 3: exercises chunking
    const got = await onnx.predict(inputs);
    await onnx.dispose();
    const name = model.outputNames[0]!;
    references.set(file, { inputs, output: name, y: ref[name]!.data });
    assert.deepEqual(got[name]!.shape, ref[name]!.shape);
    let maxErr = 0;
    let maxAbs = 0;
    ref[name]!.data.forEach((v, i) => {
      maxErr = Math.max(maxErr, Math.abs(v - got[name]!.data[i]!));
      maxAbs = Math.max(maxAbs, Math.abs(v));
    });
    errors[label] = maxErr;
    console.log(`# ${label}: max |onnx − tfjs| = ${maxErr.toExponential(2)} (max |y| ${maxAbs.toFixed(3)})`);
    assert.ok(Number.isFinite(maxErr) && maxErr <= TOL, `max error ${maxErr} > ${TOL}`);
    assert.ok(maxAbs > 0, 'outputs are not all zero');

    // The pooled backbone features too (wider values than the squashed head output): same tolerance, relative
    // to their scale when it exceeds 1.
    const probe = tfl.model({
      inputs: model.inputs,
      outputs: model.getLayer('avg_pool').output as tfl.SymbolicTensor,
      name: `${model.name}_features`,
    });
    const fRef = (await createTfjsPredictor(probe).predict(inputs))['avg_pool']!;
    const fp = await createOnnxPredictor(await exportOnnx(probe), { load: () => ort, threads: 1 });
    const fGot = (await fp.predict(inputs))['avg_pool']!;
    await fp.dispose();
    let fErr = 0;
    let fMax = 0;
    fRef.data.forEach((v, i) => {
      fErr = Math.max(fErr, Math.abs(v - fGot.data[i]!));
      fMax = Math.max(fMax, Math.abs(v));
    });
    console.log(
      `#   pooled features [${fRef.shape.join(', ')}]: max |onnx − tfjs| = ${fErr.toExponential(2)} (max |f| ${fMax.toFixed(3)})`,
    );
    assert.ok(fErr <= TOL * Math.max(1, fMax), `feature error ${fErr}`);
    model.dispose();
  });
});

// The same files on onnxruntime-web (the wasm engine the browser example uses; its Node build here).
test('the exported files run on onnxruntime-web (wasm) with the same outputs as tfjs within 1e-4', async () => {
  assert.equal(references.size, cases.length);
  let worst = 0;
  for (const [file, ref] of references) {
    const p = await createOnnxPredictor(readFileSync(file), {
      load: () => import('onnxruntime-web'),
      threads: 1,
      executionProviders: ['wasm'],
    });
    const y = (await p.predict(ref.inputs))[ref.output]!.data;
    await p.dispose();
    ref.y.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - y[i]!))));
  }
  console.log(`# onnxruntime-web (wasm): max |onnx − tfjs| over ${references.size} models = ${worst.toExponential(2)}`);
  assert.ok(worst <= TOL, `max error ${worst}`);
});

// The official ONNX checker (full check, with shape inference). Runs when python3 can import onnx.
// CXRKIT_PYTHON picks the interpreter (e.g. a venv with onnx); set it to a missing path to see the skip.
const python = (process.env.CXRKIT_PYTHON ? [process.env.CXRKIT_PYTHON] : ['/usr/bin/python3', 'python3']).find(
  (p) => spawnSync(p, ['-c', 'import onnx'], { stdio: 'ignore' }).status === 0,
);
test('exported files pass the ONNX checker (onnx.checker.check_model, full_check)', {
  skip: python ? false : 'python3 with the onnx module is not installed (apt-get install -y python3-onnx)',
}, () => {
  assert.ok(exported.length >= cases.length, 'the parity tests exported the files');
  const r = spawnSync(python!, [join(repoRoot, 'test', 'fixtures', 'onnx', 'check_onnx.py'), ...exported], {
    encoding: 'utf8',
  });
  console.log(
    r.stdout
      .trim()
      .split('\n')
      .map((l) => `# ${l}`)
      .join('\n'),
  );
  assert.equal(r.status, 0, `checker failed:\n${r.stdout}\n${r.stderr}`);
  assert.equal((r.stdout.match(/^OK /gm) ?? []).length, exported.length);
});
