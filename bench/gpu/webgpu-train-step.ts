// InceptionV3 training on the webgpu backend (tfjs-backend-webgpu 4.22 on Dawn's Node binding), made for
// a GPU machine with no network and no Node: scripts/build-gpu-carry.mjs bundles this file with tfjs and
// cxrkit into .gpu/ beside a node binary, dawn.node and the Vulkan loader; .gpu/run.sh runs it.
//
// Measures (the same model and step as bench/wasm-train.bench.ts, whose 512 × 512 batch-2 step took 5.4 s
// on cxrkit's wasm kernels, 2 threads): createModel('inception_v3', 512×512×3, includeTop, 1 sigmoid
// class), sigmoid cross-entropy, Adam (fusedAdam, what train() uses), batch 2 —
//   1. seconds per step for each variant: 'cxrkit' (registerWebGpuTrainingKernels), 'tfjs' (tfjs's own
//      kernels), 'cxrkit-mm-dx' (also WEBGPU_USE_NAIVE_CONV2D_TRANSPOSE=false: tfjs's matmul input gradient);
//   2. the inference forward pass on webgpu against the cpu backend (computed in a worker thread meanwhile);
//   3. per-kernel GPU time of one step (tf.profile; needs the timestamp-query feature);
//   4. the filter-gradient kernel alone, tfjs's vs cxrkit's, on three InceptionV3 layer shapes.
// Settings by environment: SIZE (512) BATCH (2) STEPS (5) WARMUP (2) VARIANTS (cxrkit,tfjs,cxrkit-mm-dx)
// BUDGET_S (420: no training step, profile or micro-benchmark starts later) CHECK (1; 0 skips the cpu forward) CHECK_TIMEOUT_S (BUDGET_S + 60)
// PROFILE (1) MICRO (1) DAWN_FLAGS (comma list, e.g. backend=vulkan) OUT (folder for webgpu-train-step.json;
// default the working directory).
import { createRequire } from 'node:module';
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
// a named import: a bare side-effect import would be dropped by the bundler (the package's sideEffects list)
import { version_cpu } from '@tensorflow/tfjs-backend-cpu';
import { initBackend } from '@cxrkit/core';
import {
  createModel,
  fusedAdam,
  registerWebGpuTrainingKernels,
  unregisterWebGpuTrainingKernels,
  withSeededRandom,
} from '@cxrkit/models';

const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const SIZE = num('SIZE', 512);
const BATCH = num('BATCH', 2);
const STEPS = num('STEPS', 5);
const WARMUP = num('WARMUP', 2);
const SEED = 20261127;
const VARIANTS = (process.env.VARIANTS ?? 'cxrkit,tfjs,cxrkit-mm-dx').split(',').filter(Boolean);
/** Seconds after which no further training step starts (what was measured is kept). */
const BUDGET_S = num('BUDGET_S', 420);
const t0 = Date.now();
const log = (msg: string) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${msg}`);

/** The benchmark's model: Keras-exact InceptionV3 with a 1-unit sigmoid top, seeded (same weights anywhere). */
function buildModel() {
  return withSeededRandom(SEED, () =>
    createModel('inception_v3', {
      inputShape: [SIZE, SIZE, 3],
      includeTop: true,
      classes: 1,
      classifierActivation: 'sigmoid',
    }),
  );
}

/** The model's pooled features (`avg_pool`, 2,048 values per image) and its output, in one pass. */
function featuresAndOutput(model: tfl.LayersModel, x: tf.Tensor): Float32Array {
  const both = tfl.model({
    inputs: model.inputs,
    outputs: [model.getLayer('avg_pool').output as tfl.SymbolicTensor, model.outputs[0]!],
  });
  return tf.tidy(() => {
    const [f, y] = both.predict(x) as tf.Tensor[];
    return tf.concat([tf.reshape(f!, [-1]), tf.reshape(y!, [-1])]) as unknown as Float32Array;
  });
}

/** Deterministic input in [-1, 1) (32-bit LCG), the same in both threads. */
function input(): Float32Array {
  const out = new Float32Array(BATCH * SIZE * SIZE * 3);
  let s = 12345;
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** Worker thread: the cpu backend's inference output for the same model and input. */
async function cpuForward(): Promise<void> {
  await tf.setBackend('cpu');
  const started = Date.now();
  const model = buildModel();
  const y = featuresAndOutput(model, tf.tensor4d(input(), [BATCH, SIZE, SIZE, 3])) as unknown as tf.Tensor;
  const out = Float32Array.from(await y.data());
  parentPort!.postMessage({ out, seconds: (Date.now() - started) / 1000 });
}

/** Dawn's Node binding: dawn.node beside the bundle, else the `webgpu` package (development). */
async function dawn(): Promise<unknown> {
  if (process.env.CXRKIT_BUNDLED === '1') {
    const here = dirname(fileURLToPath(import.meta.url));
    return createRequire(import.meta.url)(join(here, 'dawn.node'));
  }
  return import('webgpu');
}

function maxNormError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ref = 0;
  let err = 0;
  for (let i = 0; i < b.length; i++) {
    ref = Math.max(ref, Math.abs(b[i]!));
    err = Math.max(err, Math.abs(a[i]! - b[i]!));
  }
  return ref === 0 ? err : err / ref;
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? NaN;

async function main(): Promise<void> {
  const report: Record<string, unknown> = {
    model: `inception_v3 ${SIZE}x${SIZE}x3, 1-unit sigmoid top`,
    batch: BATCH,
    node: process.versions.node,
    tfjs: tf.version_core,
    tfjsCpu: version_cpu,
  };
  const outDir = process.env.OUT || process.cwd();
  mkdirSync(outDir, { recursive: true });
  const save = () => writeFileSync(join(outDir, 'webgpu-train-step.json'), `${JSON.stringify(report, null, 2)}\n`);

  // The cpu reference runs in a worker thread while the GPU is measured.
  let cpu: Promise<{ out: Float32Array; seconds: number } | { error: string }> | undefined;
  if (process.env.CHECK !== '0') {
    const worker = new Worker(new URL(import.meta.url), {
      workerData: { role: 'cpu-forward' },
      // the loader flags (tsx in development); heap flags are not allowed in a worker's execArgv
      execArgv: process.execArgv.filter((a) => !a.startsWith('--max-old-space-size')),
      resourceLimits: { maxOldGenerationSizeMb: 16384 },
    });
    const limit = num('CHECK_TIMEOUT_S', BUDGET_S + 60) * 1000;
    cpu = new Promise((resolve) => {
      const timer = setTimeout(() => {
        void worker.terminate();
        resolve({ error: `cpu forward did not finish in ${limit / 1000} s` });
      }, limit);
      worker.once('message', (m) => (clearTimeout(timer), resolve(m)));
      worker.once('error', (e) => (clearTimeout(timer), resolve({ error: String(e) })));
    });
    log('cpu reference forward started in a worker thread');
  }

  await tf.setBackend('cpu');
  const model = buildModel();
  const init = model.getWeights().map((w) => ({ shape: w.shape, data: w.dataSync().slice() }));
  log(`model built: ${model.countParams()} parameters`);

  const gpuFlags = (process.env.DAWN_FLAGS ?? '').split(',').filter(Boolean);
  await initBackend({ kind: 'webgpu', gpu: dawn, load: () => import('@tensorflow/tfjs-backend-webgpu'), gpuFlags });
  const backend = tf.backend() as unknown as {
    adapterInfo?: Record<string, unknown>;
    device: { features: Set<string>; limits: Record<string, number> };
  };
  const info = backend.adapterInfo ?? {};
  report.adapter = { ...info, features: [...backend.device.features] };
  log(`webgpu adapter: ${JSON.stringify(info)}`);
  const timestamps = backend.device.features.has('timestamp-query');

  const x = tf.tensor4d(input(), [BATCH, SIZE, SIZE, 3]);
  const y = tf.tensor2d(
    Array.from({ length: BATCH }, (_, i) => i % 2),
    [BATCH, 1],
  );
  const reset = () => {
    const fresh = init.map((w) => tf.tensor(w.data, w.shape));
    model.setWeights(fresh); // copies into the variables
    tf.dispose(fresh);
  };

  // 1. forward (inference), twice: the first compiles the shaders
  registerWebGpuTrainingKernels();
  reset();
  const forward: number[] = [];
  let gpuOut = new Float32Array();
  for (let i = 0; i < 2; i++) {
    const s = Date.now();
    const out = featuresAndOutput(model, x) as unknown as tf.Tensor;
    gpuOut = Float32Array.from(await out.data());
    out.dispose();
    forward.push((Date.now() - s) / 1000);
  }
  report.forwardSeconds = { first: forward[0], warm: forward[1] };
  log(`forward: first ${forward[0]} s, warm ${forward[1]} s`);
  save();

  // 2. training steps per variant
  const variants: Record<string, unknown> = {};
  report.variants = variants;
  for (const v of VARIANTS) {
    unregisterWebGpuTrainingKernels();
    if (v.startsWith('cxrkit')) registerWebGpuTrainingKernels();
    tf.env().set('WEBGPU_USE_NAIVE_CONV2D_TRANSPOSE', !v.endsWith('mm-dx'));
    reset();
    const optimizer = fusedAdam(1e-3);
    const losses: number[] = [];
    const step = async () => {
      const s = Date.now();
      const loss = optimizer.minimize(
        () => tf.losses.sigmoidCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
        true,
      )!;
      losses.push((await loss.data())[0]!);
      loss.dispose();
      return (Date.now() - s) / 1000;
    };
    const overBudget = () => (Date.now() - t0) / 1000 > BUDGET_S;
    if (overBudget()) {
      variants[v] = { skipped: `time budget of ${BUDGET_S} s used up` };
      log(`${v}: skipped (BUDGET_S)`);
      optimizer.dispose();
      continue;
    }
    try {
      const warm: number[] = [];
      for (let i = 0; i < WARMUP && (i === 0 || !overBudget()); i++) warm.push(await step());
      const timed: number[] = [];
      for (let i = 0; i < STEPS && !overBudget(); i++) timed.push(await step());
      const mem = tf.memory() as unknown as Record<string, number>;
      variants[v] = { warmupSeconds: warm, stepSeconds: timed, medianStepSeconds: median(timed), losses, memory: mem };
      log(`${v}: median ${median(timed).toFixed(3)} s/step (steps ${timed.map((t) => t.toFixed(3)).join(' ')})`);
    } catch (e) {
      variants[v] = { error: String((e as Error).stack ?? e).slice(0, 2000) };
      log(`${v}: FAILED ${(e as Error).message}`);
    }
    optimizer.dispose();
    save();
  }
  tf.env().set('WEBGPU_USE_NAIVE_CONV2D_TRANSPOSE', true);

  // 3. per-kernel GPU time of one step (cxrkit kernels), if the budget allows
  const budgetLeft = () => (Date.now() - t0) / 1000 < BUDGET_S;
  if (process.env.PROFILE !== '0' && !budgetLeft())
    report.profile = { skipped: `time budget of ${BUDGET_S} s used up` };
  else if (process.env.PROFILE !== '0') {
    unregisterWebGpuTrainingKernels();
    registerWebGpuTrainingKernels();
    if (!timestamps) report.profile = { skipped: 'the adapter has no timestamp-query feature' };
    else {
      try {
        reset();
        const optimizer = fusedAdam(1e-3);
        const p = await tf.profile(async () => {
          const loss = optimizer.minimize(
            () => tf.losses.sigmoidCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
            true,
          )!;
          await loss.data();
          loss.dispose();
        });
        optimizer.dispose();
        const byName = new Map<string, { ms: number; calls: number }>();
        for (const k of p.kernels) {
          const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
          const e = byName.get(k.name) ?? { ms: 0, calls: 0 };
          e.ms += ms;
          e.calls++;
          byName.set(k.name, e);
        }
        const top = [...byName].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15);
        report.profile = { totalKernelMs: top.reduce((s, [, e]) => s + e.ms, 0), top: Object.fromEntries(top) };
        log(`profile (GPU ms by kernel): ${top.map(([n, e]) => `${n} ${e.ms.toFixed(1)}`).join(', ')}`);
      } catch (e) {
        report.profile = { error: String(e).slice(0, 1000) };
      }
    }
    save();
  }

  // 4. the filter gradient alone on three InceptionV3 layer shapes (their sides at 512 × 512, scaled to SIZE)
  const side = (at512: number) => Math.max(9, Math.round((at512 * SIZE) / 512));
  const shapes: Array<[number[], number[], number]> = [
    [[BATCH, side(255), side(255), 32], [3, 3, 32, 32], 1],
    [[BATCH, side(125), side(125), 64], [1, 1, 64, 80], 1],
    [[BATCH, side(61), side(61), 288], [3, 3, 288, 384], 2],
  ];
  const micro: Record<string, unknown> = {};
  for (const [xs, fs, s] of process.env.MICRO === '0' || !budgetLeft() ? [] : shapes) {
    const xt = tf.randomUniform(xs, -1, 1, 'float32', 1);
    const outShape = tf.backend_util.computeConv2DInfo(xs as never, fs as never, s, 1, 'valid').outShape;
    const dy = tf.randomUniform(outShape, -1, 1, 'float32', 2);
    const row: Record<string, number> = {};
    for (const mode of ['tfjs', 'matmul'] as const) {
      unregisterWebGpuTrainingKernels();
      registerWebGpuTrainingKernels({ filterGradient: mode });
      const times: number[] = [];
      for (let i = 0; i < 4; i++) {
        const st = Date.now();
        const attrs = { strides: s, pad: 'valid', dataFormat: 'NHWC', filterShape: fs };
        const dw = tf.engine().runKernel('Conv2DBackpropFilter', { x: xt, dy }, attrs as never) as tf.Tensor;
        await dw.data();
        dw.dispose();
        times.push((Date.now() - st) / 1000);
      }
      row[mode] = median(times.slice(1));
    }
    micro[`${xs.join('x')} * ${fs.join('x')} /${s}`] = row;
    tf.dispose([xt, dy]);
  }
  unregisterWebGpuTrainingKernels();
  registerWebGpuTrainingKernels();
  report.filterGradientSeconds = micro;
  log(`filter gradient alone (s): ${JSON.stringify(micro)}`);
  save();

  // 5. the forward pass against cpu
  if (cpu) {
    log('waiting for the cpu reference forward …');
    const r = await cpu;
    if ('error' in r) report.forwardCheck = { error: r.error };
    else {
      const err = maxNormError(gpuOut, r.out);
      report.forwardCheck = {
        maxNormRelativeError: err,
        compared: `avg_pool features (${BATCH} x 2048) and the sigmoid outputs`,
        tolerance: 1e-4,
        pass: err <= 1e-4,
        cpuSeconds: r.seconds,
        outputs: { webgpu: Array.from(gpuOut.slice(-BATCH)), cpu: Array.from(r.out.slice(-BATCH)) },
      };
      log(
        `forward vs cpu: max-norm relative error ${err.toExponential(2)} (${err <= 1e-4 ? 'PASS' : 'FAIL'}, bar 1e-4)`,
      );
    }
    save();
  }
  report.totalSeconds = (Date.now() - t0) / 1000;
  save();
  log(`done; results in ${join(outDir, 'webgpu-train-step.json')}`);
  process.exit(0);
}

if (isMainThread) {
  try {
    await main();
  } catch (e) {
    console.error(e);
    const outDir = process.env.OUT || process.cwd();
    writeFileSync(join(outDir, 'webgpu-train-step.error.txt'), `${String((e as Error).stack ?? e)}\n`);
    process.exit(1);
  }
} else if ((workerData as { role?: string })?.role === 'cpu-forward') await cpuForward();
