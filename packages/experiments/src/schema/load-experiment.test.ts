// The experiment file: the committed JSON Schema is not stale, every example validates, grids expand and
// order, --quick merges, and every mistake a user can make is a typed error naming field, value and fix.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { test } from 'node:test';
import { isCxrkitError } from '@cxrkit/core/tfjs-free';
import { experimentJsonSchema, loadExperiment, parseExperiment } from '@cxrkit/experiments';
import { repoRoot } from '../../../../test/helpers.js';

const committed = new URL('../../experiment.schema.json', import.meta.url);

test('the committed experiment.schema.json is the one the zod schema gives (not stale)', () => {
  assert.equal(
    readFileSync(committed, 'utf8'),
    `${JSON.stringify(experimentJsonSchema(), null, 2)}\n`,
    'regenerate it: npx tsx --conditions=cxrkit-source packages/experiments/scripts/write-experiment-schema.ts',
  );
});

const MIN = `
name: t
dataset: { synthetic: { n: 40, size: 32 } }
tasks:
  osteo: { kind: binary, label: osteoporosis }
  age: { kind: regression, label: age }
runs:
  - { id: age-model, task: age }
  - grid: { id: "o-{transfer}-{fusion}", task: osteo, transfer: [none, { run: age-model }], fusion: [none, both] }
compare: [[o-scratch-both, o-scratch-none]]
`;

test('grids expand with their id templates, defaults apply, and a run comes after the runs it needs', () => {
  const e = parseExperiment(MIN, { file: '/tmp/x.yaml' });
  assert.deepEqual(
    e.runs.map((r) => r.id),
    ['age-model', 'o-scratch-none', 'o-scratch-both', 'o-age-model-none', 'o-age-model-both'],
  );
  const r = e.runs.find((x) => x.id === 'o-age-model-both')!;
  assert.deepEqual([r.backbone, r.inputSize, r.width, r.freeze, r.fusion], ['inception_v3', 192, 0.125, 'all', 'both']);
  assert.deepEqual(r.needs, ['age-model']);
  assert.equal(r.training.epochs, 10);
  assert.equal(e.spec.dataset.synthetic!.difficulty, 'moderate', 'studies default to the moderate difficulty');
  // a predicted-age run needs the age model even when it comes first in the file
  const p = parseExperiment(MIN.replace('runs:\n', 'runs:\n  - { id: pa, task: osteo, fusion: predicted-age }\n'), {
    file: '/tmp/x.yaml',
  });
  assert.ok(p.runs.findIndex((x) => x.id === 'age-model') < p.runs.findIndex((x) => x.id === 'pa'));
  assert.equal(p.runs.find((x) => x.id === 'pa')!.ageModel, 'age-model');
});

test('--quick merges the quick section and keeps the listed runs with the runs they need', () => {
  const text = `${MIN}quick:\n  dataset: { synthetic: { n: 20 } }\n  training: { epochs: 2 }\n  runs: [o-age-model-none]\n`;
  const q = parseExperiment(text, { file: '/tmp/x.yaml', quick: true });
  assert.deepEqual(
    q.runs.map((r) => r.id),
    ['age-model', 'o-age-model-none'],
  );
  assert.equal(q.spec.dataset.synthetic!.n, 20);
  assert.equal(q.spec.dataset.synthetic!.size, 32);
  assert.equal(q.runs[0]!.training.epochs, 2);
  assert.deepEqual(q.spec.compare, [], 'comparisons of runs left out are dropped under --quick');
  assert.equal(parseExperiment(text, { file: '/tmp/x.yaml' }).runs.length, 5);
});

const bad: Array<[string, string, string, RegExp, unknown]> = [
  [
    'a mistyped key',
    MIN.replace('tasks:', 'taks:'),
    'EXPERIMENT_UNKNOWN_KEY',
    /unknown field 'taks' — did you mean 'tasks'\?/,
    'taks',
  ],
  [
    'a mistyped nested key',
    MIN.replace('size: 32', 'sise: 32'),
    'EXPERIMENT_UNKNOWN_KEY',
    /'dataset\.synthetic\.sise' — did you mean 'size'/,
    'sise',
  ],
  [
    'a mistyped freeze policy',
    MIN.replace('fusion: [none, both]', 'freeze: last-blok'),
    'EXPERIMENT_INVALID',
    /freeze.*"last-blok".*did you mean 'last-block'/,
    'last-blok',
  ],
  [
    'a mistyped fusion',
    MIN.replace('fusion: [none, both]', 'fusion: [none, bothh]'),
    'EXPERIMENT_INVALID',
    /did you mean 'both'/,
    'bothh',
  ],
  [
    'a compared run that does not exist',
    MIN.replace('[[o-scratch-both, o-scratch-none]]', '[[o-scratch-both, o-scratch-non]]'),
    'EXPERIMENT_UNKNOWN_RUN',
    /compare refers to run 'o-scratch-non'.*did you mean 'o-scratch-none'/,
    'o-scratch-non',
  ],
  [
    'a transfer from a run that does not exist',
    MIN.replace('{ run: age-model }', '{ run: age-mode }'),
    'EXPERIMENT_UNKNOWN_RUN',
    /did you mean 'age-model'/,
    'age-mode',
  ],
  [
    'a task that does not exist',
    MIN.replace('task: osteo,', 'task: osteoo,'),
    'EXPERIMENT_UNKNOWN_TASK',
    /no task 'osteoo' — did you mean 'osteo'/,
    'osteoo',
  ],
  ['a missing required field', MIN.replace('name: t\n', ''), 'EXPERIMENT_INVALID', /name: missing/, undefined],
  [
    'two dataset sources',
    MIN.replace('dataset: {', 'dataset: { manifest: x, '),
    'EXPERIMENT_INVALID',
    /exactly one of manifest and synthetic/,
    ['manifest', 'synthetic'],
  ],
  [
    'a grid id that repeats',
    MIN.replace('"o-{transfer}-{fusion}"', '"o-{transfer}"'),
    'EXPERIMENT_DUPLICATE_RUN',
    /two runs are called 'o-scratch'/,
    'o-scratch',
  ],
  ['YAML that does not parse', 'name: [t', 'EXPERIMENT_PARSE', /not valid YAML/, '/tmp/x.yaml'],
];
for (const [what, text, code, message, received] of bad) {
  test(`bad input: ${what} → ${code}`, () => {
    assert.throws(
      () => parseExperiment(text, { file: '/tmp/x.yaml' }),
      (e: unknown) => {
        assert.ok(isCxrkitError(e, code), `${(e as Error).message}`);
        assert.match((e as Error).message, message);
        assert.match((e as Error).message, /^\[cxrkit\/experiments\]/);
        assert.deepEqual((e as { received?: unknown }).received, received);
        assert.ok((e as { fix?: string }).fix, 'names the fix');
        return true;
      },
    );
  });
}

test('every study in examples/thesis/ validates, full and --quick', async () => {
  const dir = `${repoRoot}/examples/thesis`;
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
  assert.ok(files.length >= 4, files.join(', '));
  for (const f of files) {
    for (const quick of [false, true]) {
      const e = await loadExperiment(`${dir}/${f}`, { quick });
      assert.ok(e.runs.length >= 1, `${f}${quick ? ' --quick' : ''}`);
    }
  }
  await assert.rejects(loadExperiment(`${dir}/missing.yaml`), (e) => isCxrkitError(e, 'EXPERIMENT_NOT_FOUND'));
});
