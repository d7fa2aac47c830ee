// @cxrkit-backends: webgpu
// The webgpu backend (tfjs-backend-webgpu on Dawn; here Mesa's lavapipe Vulkan driver on the CPU) against
// the cpu backend: the inference forward pass and the training-mode gradients of every registered
// backbone at width ×1/16, the screening model with age + sex fusion, and one train() step with a
// checkpoint. Tolerances and why: packages/tfjs-ext/src/webgpu/README.md. The runner starts webgpu (test/setup.ts)
// and reports these tests skipped, with the reason, where the `webgpu` package or a Vulkan driver is missing.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { buildScreeningModel } from './screening.js';
import { createModel, listModels } from './registry.js';
import { readCheckpoint, train, withSeededRandom, type TrainingSample } from './train/index.js';
import { registerGradientFixes, registerWebGpuTrainingKernels } from '@cxrkit/tfjs-ext';
import { testOutputDir } from '../../../test/helpers.js';
import { CONFORMANCE, maxNormError, valuesIn } from '../../tfjs-ext/src/webgpu/test-values.js';

const initial = tf.getBackend();
after(async () => {
  await tf.setBackend(initial);
});
registerGradientFixes(); // tfjs's AvgPool 'same' gradient is wrong on every backend, webgpu included
registerWebGpuTrainingKernels(); // the recommended setup: filter gradients by matmul, no split-K

/** Per-layer max-norm relative errors of `got` against `ref`, worst first. */
function layerErrors(
  model: tfl.LayersModel,
  ref: Record<string, Float32Array>,
  got: Record<string, Float32Array>,
): Array<[string, number]> {
  const layerOf = new Map<string, string>();
  // keyed by the variables' unique names, as variableGrads returns them
  for (const l of model.layers) for (const w of l.trainableWeights) layerOf.set(w.name, l.name);
  const groups = new Map<string, { a: number[]; b: number[] }>();
  for (const name of Object.keys(ref)) {
    assert.ok(got[name], `webgpu produced no gradient for ${name}`);
    const layer = layerOf.get(name) ?? name;
    const g = groups.get(layer) ?? { a: [], b: [] };
    g.a.push(...got[name]!);
    g.b.push(...ref[name]!);
    groups.set(layer, g);
  }
  return [...groups].map(([l, g]) => [l, maxNormError(g.a, g.b)] as [string, number]).sort((p, q) => q[1] - p[1]);
}

interface Pass {
  forward: Float32Array;
  /** Training-mode output (batch statistics, dropout). */
  trained: Float32Array;
  grads: Record<string, Float32Array>;
  ms: number;
}

/**
 * On `backend`: the inference output, and the gradients of Σ r·f(x) in training mode (batch statistics,
 * dropout with masks drawn from `seed`). The model's weights are put back first, so both backends start
 * from the same state (a training pass updates the BN moving statistics).
 */
async function pass(
  backend: string,
  model: tfl.LayersModel,
  init: tf.Tensor[],
  inputs: () => tf.Tensor[],
  r: Float32Array,
  seed: number,
): Promise<Pass> {
  await tf.setBackend(backend);
  const t0 = Date.now();
  model.setWeights(init);
  const xs = inputs();
  const feed = xs.length === 1 ? xs[0]! : xs;
  const fwd = tf.tidy(() => model.apply(feed, { training: false }) as tf.Tensor);
  const rt = tf.tensor(r, fwd.shape);
  let trained: tf.Tensor | undefined;
  const { value, grads } = withSeededRandom(seed, () =>
    tf.variableGrads(() => {
      const y = model.apply(feed, { training: true }) as tf.Tensor;
      trained = tf.keep(tf.clone(y));
      return tf.sum(tf.mul(rt, y)) as tf.Scalar;
    }),
  );
  const out: Pass = {
    forward: (await fwd.data()) as Float32Array,
    trained: (await trained!.data()) as Float32Array,
    grads: {},
    ms: 0,
  };
  for (const [k, v] of Object.entries(grads)) out.grads[k] = (await v.data()) as Float32Array;
  tf.dispose([...xs, fwd, rt, value, trained!, ...Object.values(grads)]);
  out.ms = Date.now() - t0;
  return out;
}

/** Compares a webgpu pass with the cpu pass; returns a one-line summary. */
function assertConforms(label: string, model: tfl.LayersModel, ref: Pass, got: Pass): string {
  const fwd = maxNormError(got.forward, ref.forward);
  assert.ok(
    fwd <= CONFORMANCE.forward,
    `${label}: forward max-norm relative error ${fwd.toExponential(2)} > ${CONFORMANCE.forward}`,
  );
  const trained = maxNormError(got.trained, ref.trained);
  assert.ok(
    trained <= CONFORMANCE.trainingOutput,
    `${label}: training-mode output max-norm relative error ${trained.toExponential(2)} > ` +
      `${CONFORMANCE.trainingOutput}`,
  );
  assert.equal(
    Object.keys(got.grads).length,
    model.trainableWeights.length,
    `${label}: a gradient for every trainable weight`,
  );
  const errors = layerErrors(model, ref.grads, got.grads);
  const bad = errors.filter(([, e]) => !(e <= CONFORMANCE.gradient));
  assert.deepEqual(
    bad.map(([l, e]) => `${l} ${e.toExponential(2)}`),
    [],
    `${label}: layers whose gradient differs from cpu by more than ${CONFORMANCE.gradient} of its max ` +
      '(see README.md: near-ties)',
  );
  if (process.env.CXRKIT_DEBUG_WEBGPU)
    for (const [l, e] of errors.slice(0, 5)) console.log(label, l, e.toExponential(2));
  const [worstLayer, worst] = errors[0]!;
  return (
    `${label}: forward ${fwd.toExponential(1)}, training-mode output ${trained.toExponential(1)}, ` +
    `worst layer gradient ${worst.toExponential(1)} (${worstLayer}), cpu ${ref.ms} ms, webgpu ${got.ms} ms`
  );
}

for (const name of listModels()) {
  const { side, seed } = CONFORMANCE.backbones[name] ?? { side: 64, seed: 1 };
  test(`${name} ×1/16 at ${side}×${side}: forward and every gradient equal cpu's`, async (t) => {
    await tf.setBackend('cpu');
    const model = withSeededRandom(seed, () =>
      createModel(name, { widthMultiplier: 1 / 16, inputShape: [side, side, 1], includeTop: false, pooling: 'avg' }),
    );
    const init = model.getWeights().map((w) => tf.clone(w));
    const x = valuesIn(2 * side * side, 100 + seed);
    const r = valuesIn(2 * (model.outputs[0]!.shape[1] as number), 200 + seed);
    const inputs = () => [tf.tensor4d(x, [2, side, side, 1])];
    const ref = await pass('cpu', model, init, inputs, r, seed);
    const got = await pass('webgpu', model, init, inputs, r, seed);
    t.diagnostic(assertConforms(name, model, ref, got));
    tf.dispose(init);
    model.dispose();
  });
}

/** The screening model of the conformance tests: DenseNet-121 ×1/16, 64×64, age + sex fusion, binary. */
const screening = (seed: number) =>
  withSeededRandom(seed, () =>
    buildScreeningModel({
      backbone: 'densenet121',
      inputShape: [64, 64, 1],
      backboneOptions: { widthMultiplier: 1 / 16 },
      fusion: ['age', 'sex'],
    }),
  );

test('the screening model with age + sex fusion (dropout on): forward and gradients equal cpu', async (t) => {
  await tf.setBackend('cpu');
  const seed = 5;
  const model = screening(seed);
  const init = model.getWeights().map((w) => tf.clone(w));
  const x = valuesIn(2 * 64 * 64, 301);
  const inputs = () => [tf.tensor4d(x, [2, 64, 64, 1]), tf.tensor2d([0.62, 0.71], [2, 1]), tf.tensor2d([0, 1], [2, 1])];
  const r = new Float32Array([1, -0.5]);
  const ref = await pass('cpu', model, init, inputs, r, seed);
  const got = await pass('webgpu', model, init, inputs, r, seed);
  t.diagnostic(assertConforms('screening densenet121 + age, sex', model, ref, got));
  tf.dispose(init);
  model.dispose();
});

test('one train() step (Adam, BCE, dropout, checkpoint) on webgpu equals the same step on cpu', async (t) => {
  const seed = 9;
  const samples: TrainingSample[] = [0, 1].map((k) => ({
    image: { data: valuesIn(64 * 64, 400 + k), width: 64, height: 64 },
    target: k,
    inputs: { age: 0.55 + 0.2 * k, sex: k },
  }));
  const dir = testOutputDir('webgpu-conformance');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const run = async (backend: string) => {
    await tf.setBackend('cpu');
    const model = screening(seed);
    const before = await Promise.all(
      model.trainableWeights.map(async (w) => (await w.read().data()).slice() as Float32Array),
    );
    await tf.setBackend(backend);
    const t0 = Date.now();
    let loss = NaN;
    await train(
      model,
      { train: samples },
      {
        epochs: 1,
        batchSize: 2,
        seed,
        progress: 'none',
        checkpointDir: `${dir}/${backend}`,
        callbacks: { onBatchEnd: (b) => void (loss = b.loss) },
      },
    );
    const ms = Date.now() - t0;
    const after = await Promise.all(
      model.trainableWeights.map(async (w) => (await w.read().data()).slice() as Float32Array),
    );
    const names = model.trainableWeights.map((w) => w.originalName ?? w.name);
    model.dispose();
    return { loss, before, after, names, ms };
  };
  const ref = await run('cpu');
  const got = await run('webgpu');
  assert.ok(
    Math.abs(got.loss - ref.loss) <= CONFORMANCE.forward * Math.abs(ref.loss),
    `loss ${got.loss} vs cpu ${ref.loss}`,
  );
  // Adam's first step moves every weight by lr·g/(|g| + ε) ≈ ±lr: compare the steps, in units of lr.
  const lr = 1e-3;
  let flipped = 0;
  let above1e3 = 0;
  let total = 0;
  ref.names.forEach((name, i) => {
    assert.deepEqual(got.before[i], ref.before[i], `${name}: both runs start from the same weights`);
    for (let j = 0; j < ref.after[i]!.length; j++) {
      const d = Math.abs(got.after[i]![j]! - got.before[i]![j]! - (ref.after[i]![j]! - ref.before[i]![j]!)) / lr;
      total++;
      if (d > CONFORMANCE.adamStep) flipped++;
      if (d > 1e-3) above1e3++;
    }
  });
  assert.ok(
    flipped <= CONFORMANCE.adamFlippedShare * total,
    `${flipped} of ${total} weights took a different Adam step (> ${CONFORMANCE.adamStep} lr)`,
  );
  // The checkpoint was read asynchronously (the webgpu backend has no synchronous read in Node).
  const ckpt = await readCheckpoint<{ backend: string; globalStep: number }>(`${dir}/webgpu`);
  assert.equal(ckpt.trainer.backend, 'webgpu');
  assert.equal(ckpt.trainer.globalStep, 1);
  t.diagnostic(
    `train step: loss ${got.loss} (cpu ${ref.loss}); of ${total} weights ${flipped} took a step differing by > ` +
      `${CONFORMANCE.adamStep} lr, ${above1e3} by > 1e-3 lr; cpu ${ref.ms} ms, webgpu ${got.ms} ms`,
  );
});
