// An experiment file (YAML or JSON) → a validated, resolved study: defaults applied, `--quick` merged,
// grids expanded into runs, every reference (task, transfer run, age model, compared runs) checked, runs
// ordered so that a run comes after the runs it needs.
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { didYouMean } from '@cxrkit/core/tfjs-free';
import { parse as parseYaml } from 'yaml';
import { experimentsError } from '../errors.js';
import {
  type Experiment,
  type TaskSpec,
  type TrainingSpec,
  type TransferSpec,
  experimentSchema,
} from './experiment-schema.js';
import { issueToError } from './zod-issues.js';

/** One run, every setting resolved. */
export interface RunSpec {
  id: string;
  /** The task's name in the file. */
  taskName: string;
  task: TaskSpec;
  backbone: string;
  inputSize: number;
  width: number;
  transfer: TransferSpec;
  freeze: 'all' | 'last-block' | 'head';
  fusion: 'none' | 'age' | 'sex' | 'both' | 'predicted-age';
  trainSample?: { perClass: number; tunePerClass?: number };
  /** The age run fused by 'predicted-age'. */
  ageModel?: string;
  /** Head sizes (default: @cxrkit/models' [256, 128] units, [0.5, 0.25] dropout). */
  head?: { units: [number, number]; dropout: [number, number] };
  training: TrainingSpec;
  /** Runs this one needs first (transfer source, age model). */
  needs: string[];
}

/** A loaded experiment. */
export interface ResolvedExperiment {
  /** The file as validated (defaults applied, --quick merged). */
  spec: Experiment;
  /** Absolute path of the file, and its folder (relative paths in it resolve against the folder). */
  file: string;
  dir: string;
  quick: boolean;
  /** Runs in an order where every run comes after the runs it needs. */
  runs: RunSpec[];
}

/** Options of {@link loadExperiment}. */
export interface LoadExperimentOptions {
  /** Apply the file's `quick` section (smaller cohort, model and training). Default false. */
  quick?: boolean;
  /** Only these runs (and the runs they need). */
  only?: readonly string[];
}

/**
 * Reads and validates an experiment file (`.yaml`, `.yml` or `.json`).
 * @throws CxrkitError `EXPERIMENT_NOT_FOUND`, `EXPERIMENT_PARSE` (YAML/JSON syntax, with line), `EXPERIMENT_UNKNOWN_KEY`
 *   (with did-you-mean), `EXPERIMENT_INVALID` (field, value, fix), `EXPERIMENT_UNKNOWN_RUN`, `EXPERIMENT_UNKNOWN_TASK`,
 *   `EXPERIMENT_DUPLICATE_RUN`, `EXPERIMENT_CYCLE`.
 */
export async function loadExperiment(path: string, options: LoadExperimentOptions = {}): Promise<ResolvedExperiment> {
  const file = resolve(path);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw experimentsError('EXPERIMENT_NOT_FOUND', 'cannot read the experiment file', {
      received: file,
      fix: 'pass the path of a .yaml or .json experiment file (see examples/thesis/)',
      cause,
    });
  }
  return parseExperiment(text, { ...options, file });
}

/** Validates an experiment given as text (YAML or JSON); `file` names it in errors and anchors relative paths. */
export function parseExperiment(
  text: string,
  options: LoadExperimentOptions & { file?: string } = {},
): ResolvedExperiment {
  const file = resolve(options.file ?? 'experiment.yaml');
  let raw: unknown;
  try {
    raw = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text, { prettyErrors: true });
  } catch (cause) {
    throw experimentsError(
      'EXPERIMENT_PARSE',
      `${file}: not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(cause as Error).message.split('\n')[0]}`,
      {
        received: file,
        fix: 'fix the syntax at the line named',
        cause,
      },
    );
  }
  const parsed = experimentSchema.safeParse(raw);
  if (!parsed.success) throw issueToError(experimentSchema, raw, parsed.error.issues, file);
  const quick = options.quick === true;
  const spec = quick ? applyQuick(parsed.data, (raw as { quick?: RawQuick }).quick) : parsed.data;
  checkDataset(spec, file);
  const runs = orderRuns(expandRuns(spec, file), file);
  let kept = quick && spec.quick?.runs ? keepWithNeeds(runs, spec.quick.runs, file) : runs;
  if (options.only?.length) kept = keepWithNeeds(kept, options.only, file);
  checkReferences(spec, kept, file, quick || Boolean(options.only?.length));
  return { spec, file, dir: dirname(file), quick, runs: kept };
}

type RawQuick = { dataset?: { synthetic?: object }; defaults?: object; training?: object };

/** Only the fields the file wrote (the parsed partials carry defaults, which must not override). */
function written<T extends object>(parsed: T | undefined, raw: object | undefined): Partial<T> {
  if (!parsed || !raw) return {};
  return Object.fromEntries(Object.keys(raw).map((k) => [k, (parsed as Record<string, unknown>)[k]])) as Partial<T>;
}

function applyQuick(spec: Experiment, raw: RawQuick | undefined): Experiment {
  const q = spec.quick;
  if (!q) return spec;
  const synthetic = spec.dataset.synthetic
    ? { ...spec.dataset.synthetic, ...written(q.dataset?.synthetic, raw?.dataset?.synthetic) }
    : undefined;
  return {
    ...spec,
    dataset: { ...spec.dataset, ...(synthetic ? { synthetic } : {}) },
    defaults: { ...spec.defaults, ...written(q.defaults, raw?.defaults) },
    training: { ...spec.training, ...written(q.training, raw?.training) },
  };
}

function checkDataset(spec: Experiment, file: string): void {
  const n = Number(spec.dataset.manifest !== undefined) + Number(spec.dataset.synthetic !== undefined);
  if (n !== 1) {
    throw experimentsError(
      'EXPERIMENT_INVALID',
      `${file}: dataset: give exactly one of manifest and synthetic (got ${n})`,
      {
        received: Object.keys(spec.dataset),
        fix: 'dataset: { manifest: path/to/scan-folder } or dataset: { synthetic: { n: 1000 } }',
      },
    );
  }
}

const TEMPLATE_FIELDS = ['task', 'backbone', 'inputSize', 'width', 'transfer', 'freeze', 'fusion'] as const;

/** The short name of a transfer source in grid ids: scratch, imagenet, or the source run's id. */
export function transferLabel(t: TransferSpec): string {
  return t === 'none' ? 'scratch' : 'run' in t ? t.run : 'imagenet';
}

function expandRuns(spec: Experiment, file: string): RunSpec[] {
  const out: RunSpec[] = [];
  for (const entry of spec.runs) {
    if ('grid' in entry) {
      const g = entry.grid;
      const axes = TEMPLATE_FIELDS.map((f) => {
        const v = g[f];
        const values: unknown[] = v === undefined ? [undefined] : Array.isArray(v) ? v : [v];
        return [f, values] as const;
      });
      let combos: Array<Record<string, unknown>> = [{}];
      for (const [f, values] of axes)
        combos = combos.flatMap((c) => values.map((v) => (v === undefined ? c : { ...c, [f]: v })));
      for (const c of combos) {
        const id = g.id.replace(/\{(\w+)\}/g, (m, name: string) => {
          if (!(TEMPLATE_FIELDS as readonly string[]).includes(name)) {
            const guess = didYouMean(name, TEMPLATE_FIELDS);
            throw experimentsError(
              'EXPERIMENT_INVALID',
              `${file}: grid id '${g.id}': unknown placeholder ${m}${guess ? ` — did you mean '{${guess}}'?` : ''}`,
              {
                received: m,
                fix: `use ${TEMPLATE_FIELDS.map((f) => `{${f}}`).join(', ')}`,
              },
            );
          }
          const v = c[name] ?? (spec.defaults as Record<string, unknown>)[name];
          return name === 'transfer'
            ? transferLabel(v as TransferSpec)
            : String(v)
                .replace(/[^a-z0-9_-]/gi, '-')
                .toLowerCase();
        });
        out.push(
          resolveRun(
            spec,
            { ...c, id, trainSample: g.trainSample, ageModel: g.ageModel, head: g.head, training: g.training } as never,
            file,
          ),
        );
      }
    } else {
      out.push(resolveRun(spec, entry, file));
    }
  }
  const seen = new Set<string>();
  for (const r of out) {
    if (seen.has(r.id)) {
      throw experimentsError('EXPERIMENT_DUPLICATE_RUN', `${file}: two runs are called '${r.id}'`, {
        received: r.id,
        fix: 'give each run its own id (a grid id template needs a placeholder for every field it varies)',
      });
    }
    seen.add(r.id);
  }
  return out;
}

type RunEntry = Extract<Experiment['runs'][number], { id: string }>;

function resolveRun(spec: Experiment, entry: RunEntry, file: string): RunSpec {
  const d = spec.defaults;
  const task = spec.tasks[entry.task];
  if (!task) {
    const names = Object.keys(spec.tasks);
    const guess = didYouMean(entry.task, names);
    throw experimentsError(
      'EXPERIMENT_UNKNOWN_TASK',
      `${file}: run '${entry.id}': no task '${entry.task}'${guess ? ` — did you mean '${guess}'?` : ''}`,
      {
        received: entry.task,
        fix: `use one of the tasks the file defines: ${names.join(', ')}`,
      },
    );
  }
  const run: RunSpec = {
    id: entry.id,
    taskName: entry.task,
    task,
    backbone: entry.backbone ?? d.backbone,
    inputSize: entry.inputSize ?? d.inputSize,
    width: entry.width ?? d.width,
    transfer: entry.transfer ?? d.transfer,
    freeze: entry.freeze ?? d.freeze,
    fusion: entry.fusion ?? d.fusion,
    training: { ...spec.training, ...entry.training },
    needs: [],
  };
  if (entry.trainSample) run.trainSample = entry.trainSample;
  if (entry.ageModel) run.ageModel = entry.ageModel;
  const head = entry.head ?? d.head;
  if (head) run.head = head;
  if (run.transfer !== 'none' && 'run' in run.transfer) run.needs.push(run.transfer.run);
  return run;
}

function orderRuns(runs: RunSpec[], file: string): RunSpec[] {
  const byId = new Map(runs.map((r) => [r.id, r]));
  // the age model of predicted-age fusion: named, else the first age regression run
  for (const r of runs) {
    if (r.fusion !== 'predicted-age') continue;
    const age = r.ageModel ?? runs.find((x) => x.task.kind === 'regression' && x.task.label === 'age')?.id;
    if (!age) {
      throw experimentsError(
        'EXPERIMENT_UNKNOWN_RUN',
        `${file}: run '${r.id}' fuses the predicted age, but no run predicts age`,
        {
          received: r.fusion,
          fix: 'add a run of a regression task on label age, or name one with ageModel',
        },
      );
    }
    r.ageModel = age;
    r.needs.push(age);
  }
  for (const r of runs) {
    for (const n of r.needs) {
      if (!byId.has(n)) throw unknownRun(file, `run '${r.id}'`, n, [...byId.keys()]);
      if (n === r.id)
        throw experimentsError('EXPERIMENT_CYCLE', `${file}: run '${r.id}' needs itself`, {
          received: n,
          fix: 'transfer from another run',
        });
    }
  }
  const ordered: RunSpec[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (r: RunSpec, chain: string[]) => {
    if (state.get(r.id) === 'done') return;
    if (state.get(r.id) === 'visiting') {
      throw experimentsError(
        'EXPERIMENT_CYCLE',
        `${file}: runs need each other in a circle: ${[...chain, r.id].join(' → ')}`,
        {
          received: chain,
          fix: 'break the circle of transfer sources',
        },
      );
    }
    state.set(r.id, 'visiting');
    for (const n of r.needs) visit(byId.get(n)!, [...chain, r.id]);
    state.set(r.id, 'done');
    ordered.push(r);
  };
  for (const r of runs) visit(r, []);
  return ordered;
}

/** A typed error for a run id that does not exist, with did-you-mean. */
export function unknownRun(file: string, where: string, id: string, ids: readonly string[]) {
  const guess = didYouMean(id, ids);
  return experimentsError(
    'EXPERIMENT_UNKNOWN_RUN',
    `${file}: ${where} refers to run '${id}', which does not exist${guess ? ` — did you mean '${guess}'?` : ''}`,
    {
      received: id,
      fix: `use one of ${ids.join(', ')}`,
    },
  );
}

function keepWithNeeds(runs: RunSpec[], wanted: readonly string[], file: string): RunSpec[] {
  const byId = new Map(runs.map((r) => [r.id, r]));
  const keep = new Set<string>();
  const add = (id: string) => {
    if (keep.has(id)) return;
    const r = byId.get(id);
    if (!r) throw unknownRun(file, 'quick.runs', id, [...byId.keys()]);
    keep.add(id);
    r.needs.forEach(add);
  };
  wanted.forEach(add);
  return runs.filter((r) => keep.has(r.id));
}

function checkReferences(spec: Experiment, runs: RunSpec[], file: string, lenient: boolean): void {
  const ids = runs.map((r) => r.id);
  const all = new Set(ids);
  // With runs left out (--quick's list, or `only`) a reference to one is dropped; otherwise it is an error.
  const check = (where: string, id: string) => {
    if (all.has(id)) return true;
    if (lenient) return false;
    throw unknownRun(file, where, id, ids);
  };
  spec.compare = spec.compare.filter(([a, b]) => check('compare', a) && check('compare', b));
  const byId = new Map(runs.map((r) => [r.id, r]));
  for (const [a, b] of spec.compare) {
    const [ra, rb] = [byId.get(a)!, byId.get(b)!];
    if (ra.taskName !== rb.taskName || ra.task.kind !== 'binary') {
      throw experimentsError(
        'EXPERIMENT_INVALID',
        `${file}: compare [${a}, ${b}]: DeLong's test compares two binary runs of the same task`,
        {
          received: [ra.taskName, rb.taskName],
          fix: 'compare runs of one binary task (same test cases)',
        },
      );
    }
  }
  const ev = spec.evaluation;
  if (ev.bioAge && !check('evaluation.bioAge.run', ev.bioAge.run)) delete ev.bioAge;
  if (ev.bioAge && byId.get(ev.bioAge.run)!.task.kind !== 'regression') {
    throw experimentsError(
      'EXPERIMENT_INVALID',
      `${file}: evaluation.bioAge.run '${ev.bioAge.run}' is not an age regression run`,
      {
        received: ev.bioAge.run,
        fix: 'name a run of a regression task on age',
      },
    );
  }
  if (ev.atlas) {
    ev.atlas.runs = ev.atlas.runs.filter((id) => check('evaluation.atlas.runs', id));
    if (ev.atlas.runs.length === 0) delete ev.atlas;
  }
  for (const r of runs) {
    if (r.task.kind === 'multiclass') {
      throw experimentsError(
        'EXPERIMENT_TASK_UNSUPPORTED',
        `${file}: run '${r.id}': multiclass tasks are not trainable yet (@cxrkit/models train() handles binary and regression)`,
        {
          received: r.taskName,
          fix: 'use a binary task (e.g. osteoporosis vs normal + osteopenia) or an age regression',
        },
      );
    }
    if (
      r.task.kind === 'binary' &&
      r.fusion !== 'none' &&
      r.task.label === 'sex' &&
      (r.fusion === 'sex' || r.fusion === 'both')
    ) {
      throw experimentsError(
        'EXPERIMENT_INVALID',
        `${file}: run '${r.id}' would fuse sex into a model that predicts sex`,
        {
          received: r.fusion,
          fix: "use fusion 'none' or 'age' for a sex task",
        },
      );
    }
  }
}
