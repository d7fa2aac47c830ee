// createProgressBar renders train()'s callbacks: on a TTY a cli-progress bar per epoch replaced by the
// epoch's summary line; elsewhere only the lines. train() itself writes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tfl from '@tensorflow/tfjs-layers';
import { train, type TrainingSample } from './index.js';
import { createProgressBar } from './progress-bar.js';

const S = 6;
function net(): tfl.LayersModel {
  const inp = tfl.input({ shape: [S, S, 1] });
  let x = tfl.layers
    .conv2d({
      filters: 2,
      kernelSize: 3,
      padding: 'same',
      kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }),
    })
    .apply(inp) as tfl.SymbolicTensor;
  x = tfl.layers.globalAveragePooling2d({}).apply(x) as tfl.SymbolicTensor;
  x = tfl.layers
    .dense({ units: 1, activation: 'sigmoid', kernelInitializer: tfl.initializers.glorotUniform({ seed: 4 }) })
    .apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: inp, outputs: x });
}
const data: TrainingSample[] = Array.from({ length: 12 }, (_, i) => ({
  image: { data: new Float32Array(S * S).map((_, p) => Math.sin(i + p) + (i % 2 ? 0.5 : -0.5)), width: S, height: S },
  target: i % 2,
}));

/** A stream that records what is written (and what cli-progress asks of a terminal). */
function fakeStream(isTTY: boolean) {
  let text = '';
  const append = (s: string) => {
    text += s;
    return true;
  };
  const stream = {
    isTTY,
    columns: 120,
    write: append,
    cursorTo: (x: number) => append(`\x1b[${x + 1}G`),
    clearLine: () => append('\x1b[2K'),
    moveCursor: () => true,
    on: () => stream,
    removeListener: () => stream,
  };
  return { stream: stream as unknown as NodeJS.WritableStream & { isTTY: boolean }, text: () => text };
}

test('on a terminal: a bar per epoch with samples, running loss and ETA, then the epoch line', async () => {
  const { stream, text } = fakeStream(true);
  const bar = createProgressBar({ stream });
  await train(net(), { train: data }, { epochs: 2, batchSize: 4, seed: 1, callbacks: bar });
  bar.stop();
  const out = text();
  assert.match(out, /epoch 1\/2 \|[█░]+\| \d+\/12 samples \| loss (-|\d\.\d{4}) \| ETA /);
  assert.match(out, /epoch 1\/2 loss \d\.\d{4} lr 1\.00e-3 [\d.]+s \*best\*\n/);
  assert.match(out, /epoch 2\/2 loss \d\.\d{4} lr 1\.00e-3/);
});

test('elsewhere (a log, CI): one line per epoch and per note, no bar', async () => {
  const { stream, text } = fakeStream(false);
  const bar = createProgressBar({ stream });
  // nothing improves by minDelta 1: early stopping after epoch 2, reported as a note
  await train(
    net(),
    { train: data },
    {
      epochs: 5,
      batchSize: 2,
      seed: 1,
      learningRate: 1e-9,
      monitor: 'loss',
      earlyStopping: { patience: 1, minDelta: 1 },
      callbacks: bar,
    },
  );
  const lines = text().trim().split('\n');
  assert.equal(lines.length, 3, text());
  assert.match(lines[0]!, /^epoch 1\/5 loss \d\.\d{4} lr 1\.00e-9 [\d.]+s \*best\*$/);
  assert.match(lines[1]!, /^epoch 2\/5 loss \d\.\d{4} lr 1\.00e-9 [\d.]+s$/);
  assert.match(lines[2]!, /^\[cxrkit\/train\] early stopping: loss did not improve for 1 epochs/);
});
