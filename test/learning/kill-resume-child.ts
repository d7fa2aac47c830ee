// Child process of kill-resume.test.ts: trains a small BN + dropout CNN on synthetic radiographs with
// checkpoints after every optimizer step, prints "CKPT <globalStep> <epoch> <step>" after each checkpoint,
// and writes the final weights (raw float32, model order) to <out>. Usage:
//   node --conditions=cxrkit-source --import tsx --import test/setup.ts kill-resume-child.ts <ckptDir> <out> [resume]
import { writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { synthesizeDataset } from '@cxrkit/core';
import { registerWasmTrainingKernels, train } from '@cxrkit/models';

const [ckptDir, out, resume] = process.argv.slice(2);
if (!ckptDir || !out) throw new Error('usage: kill-resume-child.ts <ckptDir> <out> [resume]');
if (tf.getBackend() === 'wasm') registerWasmTrainingKernels();

const SIZE = 32;
const records = synthesizeDataset({ n: 48, seed: 'kill-resume', size: SIZE, osteoporosisFraction: 0.5 });
const samples = records.map((r) => ({ image: r.radiograph!.image, target: r.labels.osteoporosis }));

const init = (seed: number) => tfl.initializers.glorotUniform({ seed });
const inp = tfl.input({ shape: [SIZE, SIZE, 1], name: 'image' });
let x = tfl.layers
  .conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', kernelInitializer: init(1), name: 'conv1' })
  .apply(inp) as tfl.SymbolicTensor;
x = tfl.layers.batchNormalization({ name: 'bn1' }).apply(x) as tfl.SymbolicTensor;
x = tfl.layers.activation({ activation: 'relu' }).apply(x) as tfl.SymbolicTensor;
x = tfl.layers
  .conv2d({ filters: 16, kernelSize: 3, strides: 2, padding: 'same', kernelInitializer: init(2), name: 'conv2' })
  .apply(x) as tfl.SymbolicTensor;
x = tfl.layers.batchNormalization({ name: 'bn2' }).apply(x) as tfl.SymbolicTensor;
x = tfl.layers.activation({ activation: 'relu' }).apply(x) as tfl.SymbolicTensor;
x = tfl.layers.globalAveragePooling2d({ name: 'avg_pool' }).apply(x) as tfl.SymbolicTensor;
x = tfl.layers.dropout({ rate: 0.3 }).apply(x) as tfl.SymbolicTensor;
x = tfl.layers
  .dense({ units: 1, activation: 'sigmoid', kernelInitializer: init(3), name: 'out' })
  .apply(x) as tfl.SymbolicTensor;
const model = tfl.model({ inputs: inp, outputs: x });

const result = await train(
  model,
  { train: samples.slice(0, 40), tune: samples.slice(40) },
  {
    epochs: 3,
    batchSize: 4,
    seed: 1234,
    checkpointDir: ckptDir,
    checkpointEverySteps: 1,
    progress: 'none',
    augment: (im, rng) => ({ ...im, data: im.data.map((v) => v + 0.02 * rng.normal()) }),
    ...(resume ? { resumeFrom: ckptDir } : {}),
    callbacks: {
      onCheckpoint: ({ kind, globalStep, epoch, step }) => {
        if (kind === 'latest') process.stdout.write(`CKPT ${globalStep} ${epoch} ${step}\n`);
      },
    },
  },
);
const parts = model.weights.map((w) => w.read().dataSync() as Float32Array);
const all = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
let o = 0;
for (const p of parts) {
  all.set(p, o);
  o += p.length;
}
writeFileSync(out, new Uint8Array(all.buffer));
process.stdout.write(`DONE ${result.globalSteps} ${result.resumedFrom ?? '-'}\n`);
