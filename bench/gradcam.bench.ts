// Grad-CAM cost against the model's own cost. Target (issue 7): one Grad-CAM ≤ ~1.5 × one
// forward + backward pass. Baselines per model: forward (model.predict) and forward + backward (the
// gradient of the same logit with respect to the input image, through tfjs' own executor, no weight
// gradients). Measured: gradCam on the last conv layer, and on several layers averaged (InceptionV3:
// the nine convolutions of mixed10, conv2d_86 … conv2d_94). Median of --reps runs after one warm-up.
//
//   npm run bench -- --filter gradcam [--reps 5] [--backend cpu|wasm] [--size 224] [--width 0.25] [--batch 1] [--models inception_v3,resnet50]
//
// Timings are noisy when other jobs share the 2 cores: the load average is printed with the table.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { initBackend } from '@cxrkit/core';
import { buildScreeningModel, registerWasmTrainingKernels } from '@cxrkit/models';
import { gradCam } from '@cxrkit/gradcam';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const reps = Number(arg('reps', '5'));
const backend = arg('backend', process.env.CXRKIT_BACKEND || 'cpu') as 'cpu' | 'wasm';
const size = Number(arg('size', '224'));
const width = Number(arg('width', '0.25'));
const batch = Number(arg('batch', '1'));
const root = fileURLToPath(new URL('..', import.meta.url));

await initBackend({
  kind: backend,
  load:
    backend === 'wasm' ? () => import('@tensorflow/tfjs-backend-wasm') : () => import('@tensorflow/tfjs-backend-cpu'),
});
// the forward+backward baseline goes through tfjs' fused convolutions, whose gradient needs
// Conv2DBackpropFilter: stock wasm lacks it, @cxrkit/models supplies it
if (backend === 'wasm') registerWasmTrainingKernels();

const SPECS = [
  { backbone: 'inception_v3', last: ['conv2d_94'], many: Array.from({ length: 9 }, (_, i) => `conv2d_${86 + i}`) },
  {
    backbone: 'densenet121',
    last: ['conv5_block16_2_conv'],
    many: ['conv5_block14_2_conv', 'conv5_block15_2_conv', 'conv5_block16_2_conv'],
  },
  {
    backbone: 'resnet50',
    last: ['conv5_block3_3_conv'],
    many: ['conv5_block3_1_conv', 'conv5_block3_2_conv', 'conv5_block3_3_conv'],
  },
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function time(fn: () => unknown): Promise<number> {
  const times: number[] = [];
  for (let r = 0; r < reps + 1; r++) {
    const t0 = performance.now();
    fn();
    if (r > 0) times.push(performance.now() - t0);
  }
  return median(times);
}

const rows: Record<string, string | number>[] = [];
const only = arg('models', SPECS.map((s) => s.backbone).join(',')).split(',');
for (const spec of SPECS.filter((s) => only.includes(s.backbone))) {
  const model = buildScreeningModel({
    backbone: spec.backbone,
    inputShape: [size, size, 1],
    backboneOptions: { widthMultiplier: width },
    task: 'binary',
    fusion: ['age', 'sex'],
  }) as tfl.LayersModel;
  const image = tf.randomUniform([batch, size, size, 1], 0, 1, 'float32', 1);
  const age = tf.fill([batch, 1], 0.6);
  const sex = tf.fill([batch, 1], 1);
  const inputs = { image, age, sex };
  const order = (x: tf.Tensor): tf.Tensor[] =>
    model.inputNames.map((n) => (n === 'image' ? x : inputs[n as keyof typeof inputs]));
  const ordered = order(image);
  const forward = await time(() => tf.tidy(() => (model.predict(ordered) as tf.Tensor).dataSync()));
  const backward = await time(() =>
    tf.tidy(() => {
      const g = tf.grad((x: tf.Tensor) => tf.sum(model.apply(order(x), { training: false }) as tf.Tensor))(image);
      g.dataSync();
    }),
  );
  const last = await time(() => gradCam(model, inputs, { layers: spec.last }));
  const many = await time(() => gradCam(model, inputs, { layers: spec.many }));
  const before = tf.memory().numTensors;
  gradCam(model, inputs, { layers: spec.many });
  const leaked = tf.memory().numTensors - before;
  rows.push({
    model: `${spec.backbone} ×${width} @${size}`,
    batch,
    'forward ms': +forward.toFixed(1),
    'fwd+bwd ms': +backward.toFixed(1),
    'gradCam last ms': +last.toFixed(1),
    'ratio last': +(last / backward).toFixed(2),
    'layers averaged': spec.many.length,
    'gradCam layers ms': +many.toFixed(1),
    'ratio layers': +(many / backward).toFixed(2),
    'gradCam last / forward': +(last / forward).toFixed(2),
    'leaked tensors': leaked,
  });
  console.log(JSON.stringify(rows[rows.length - 1]));
  tf.dispose([image, age, sex]);
  model.dispose();
}

console.log(
  `gradcam bench — backend ${backend}, reps ${reps}, load average ${loadavg()
    .map((v) => v.toFixed(1))
    .join(' ')}`,
);
console.table(rows);
mkdirSync(join(root, 'bench-output'), { recursive: true });
writeFileSync(
  join(root, 'bench-output', 'gradcam.json'),
  JSON.stringify({ backend, reps, size, width, batch, loadavg: loadavg(), rows }, null, 2),
);
