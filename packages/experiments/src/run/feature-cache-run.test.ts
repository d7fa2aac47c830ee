// A `freeze: last-block` run of an experiment trains from train()'s frozen-prefix feature cache by default
// (issue 16: "the experiment runner uses the cache automatically"), and gets the model it would get end to end:
// the same study (no augmentation, no dropout: the two paths draw dropout masks apart) run twice — the runner's
// default, and `trainOptionsFor: () => ({})` — gives the same test scores (a float32 cache: equal within float
// rounding). A last-block run with augmentation trains end to end, and its record says why.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runExperiment } from './run-experiment.js';

const root = mkdtempSync(join(tmpdir(), 'cxrkit-exp-fcache-'));
after(() => rmSync(root, { recursive: true, force: true }));

const file = join(root, 'study.yaml');
writeFileSync(
  file,
  `name: fcache-study
dataset: { synthetic: { n: 60, size: 80, seed: fc, osteoporosisFraction: 0.5, ageRange: [40, 85] } }
tasks:
  age: { kind: regression, label: age }
  osteoporosis: { kind: binary, label: osteoporosis }
defaults: { backbone: inception_v3, inputSize: 80, width: 0.0625, head: { units: [16, 8], dropout: [0, 0] } }
training: { epochs: 2, batchSize: 8, learningRate: 0.002, seed: 3, augment: none }
runs:
  - { id: age-model, task: age, training: { epochs: 1 } }
  - { id: last-block, task: osteoporosis, transfer: { run: age-model }, freeze: last-block }
  - id: last-block-augmented
    task: osteoporosis
    transfer: { run: age-model }
    freeze: last-block
    training: { epochs: 1, augment: thesis }
evaluation: { threshold: { method: youden } }
`,
);

const scores = (out: string, id: string) =>
  (JSON.parse(readFileSync(join(out, 'runs', id, 'predictions.json'), 'utf8')) as { score: number[] }).score;

test('a last-block run trains from the feature cache by default, with the scores of end-to-end training', {
  timeout: 600_000,
}, async () => {
  const cached = join(root, 'cached');
  const plain = join(root, 'plain');
  await runExperiment(file, { out: cached, report: false });
  assert.ok(existsSync(join(cached, 'runs', 'last-block', 'feature-cache')), 'the last-block run built a cache');
  assert.ok(!existsSync(join(cached, 'runs', 'age-model', 'feature-cache')), 'a run with nothing frozen has none');
  const record = (id: string) => JSON.parse(readFileSync(join(cached, 'runs', id, 'result.json'), 'utf8'));
  assert.deepEqual(record('last-block').featureCache, { used: true, dir: 'feature-cache' });
  assert.deepEqual(record('age-model').featureCache, { used: false, reason: 'nothing is frozen (freeze: all)' });
  const augmented = record('last-block-augmented').featureCache;
  assert.equal(augmented.used, false, 'augmentation on: trained end to end');
  assert.match(augmented.reason, /augmentation is on/);
  assert.ok(!existsSync(join(cached, 'runs', 'last-block-augmented', 'feature-cache')));

  await runExperiment(file, { out: plain, report: false, trainOptionsFor: () => ({}) });
  assert.ok(!existsSync(join(plain, 'runs', 'last-block', 'feature-cache')));

  assert.deepEqual(scores(cached, 'age-model'), scores(plain, 'age-model'), 'the source run is the same');
  const a = scores(cached, 'last-block');
  const b = scores(plain, 'last-block');
  assert.equal(a.length, b.length);
  const worst = Math.max(...a.map((x, i) => Math.abs(x - b[i]!)));
  console.log(`last-block run, cache vs end to end: max |Δ score| ${worst.toExponential(1)} over ${a.length} images`);
  assert.ok(worst < 1e-4, `scores differ by ${worst}`);
});
