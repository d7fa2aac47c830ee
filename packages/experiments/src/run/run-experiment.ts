// A whole study: load and check the file, make the data, run every run in order (finished runs are kept,
// a killed run resumes from its checkpoint), build the CAM atlases, and render the report. Data flow:
// experiment file → ResolvedExperiment → StudyData → runs/<id>/ (model + card, predictions, record) →
// atlas/ → report.json + report.html.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type StudyData, checkTaskLabel, manifestStudyData, syntheticStudyData } from '../dataset/study-data.js';
import { experimentsError } from '../errors.js';
import { renderReport } from '../report/render-report.js';
import type { ReportJson } from '../report/report-types.js';
import { type ResolvedExperiment, type RunSpec, loadExperiment } from '../schema/load-experiment.js';
import { buildRunAtlas } from './cam-atlas.js';
import { featureCacheHook } from './feature-cache-hook.js';
import { type ExperimentProgress, type RunRecord, readRunPredictions, trainRun } from './train-run.js';

export { featureCacheHook, featureCacheSkipReason } from './feature-cache-hook.js';

/** Options of {@link runExperiment}. */
export interface RunExperimentOptions {
  /** Output folder (created; an existing one of the same experiment is resumed). */
  out: string;
  /** Apply the file's `quick` section. Default false. */
  quick?: boolean;
  /** Progress events (the CLI draws bars or lines from them). */
  onProgress?: (p: ExperimentProgress) => void;
  /** Only these runs (and the runs they need); the report covers what has finished. */
  only?: readonly string[];
  /** Render report.json / report.html at the end. Default true. */
  report?: boolean;
  /** Resume into a folder that holds another experiment's runs (they are kept, not deleted). Default false. */
  force?: boolean;
  /**
   * Extra train() options per run. Default {@link featureCacheHook}: train()'s frozen-prefix feature cache
   * (`featureCache: { dir: <run>/feature-cache }`) on `freeze: last-block` runs without augmentation. Pass
   * `() => ({})` to train every run end to end.
   */
  trainOptionsFor?: (run: RunSpec, runDir: string) => Record<string, unknown>;
}

/** What a finished study returns. */
export interface ExperimentResult {
  out: string;
  experiment: ResolvedExperiment;
  runs: RunRecord[];
  /** The report (absent with `report: false`). */
  report?: ReportJson;
}

/** Makes the data a study names (paths relative to the experiment file). */
export async function loadStudyData(experiment: ResolvedExperiment): Promise<StudyData> {
  const d = experiment.spec.dataset;
  const data = d.synthetic
    ? syntheticStudyData(d.synthetic)
    : await manifestStudyData(resolve(experiment.dir, d.manifest!));
  const used = new Set(experiment.runs.map((r) => r.taskName));
  for (const [name, task] of Object.entries(experiment.spec.tasks))
    if (used.has(name)) checkTaskLabel(name, task, data);
  return data;
}

/**
 * Runs the study in `file` into `out`: `out/runs/<id>/` per run (model + model card, predictions, config,
 * result.json with seed, versions and timings), `out/atlas/`, then `out/report.json` and
 * `out/report.html`. Rerunning into the same folder continues where it stopped.
 * @throws CxrkitError `EXPERIMENT_OUT_MISMATCH` when `out` holds another experiment (pass force), and the
 *   errors of loadExperiment and the runs.
 */
export async function runExperiment(file: string, options: RunExperimentOptions): Promise<ExperimentResult> {
  const experiment = await loadExperiment(file, {
    quick: options.quick,
    ...(options.only ? { only: options.only } : {}),
  });
  const out = resolve(options.out);
  await mkdir(out, { recursive: true });
  const stamp = {
    name: experiment.spec.name,
    file: experiment.file,
    quick: experiment.quick,
    text: await readFile(experiment.file, 'utf8'),
  };
  const stampPath = join(out, 'experiment.json');
  if (existsSync(stampPath) && !options.force) {
    const before = JSON.parse(await readFile(stampPath, 'utf8')) as typeof stamp;
    if (before.text !== stamp.text || before.quick !== stamp.quick) {
      throw experimentsError(
        'EXPERIMENT_OUT_MISMATCH',
        `${out} holds runs of ${before.name}${before.quick ? ' (--quick)' : ''} from another version of the file or settings`,
        {
          received: out,
          fix: 'choose another --out, or pass --force to reuse it (finished runs there are kept)',
        },
      );
    }
  }
  await writeFile(
    stampPath,
    `${JSON.stringify({ ...stamp, resolved: experiment.spec, runs: experiment.runs }, null, 1)}\n`,
  );
  const data = await loadStudyData(experiment);
  const runsDir = join(out, 'runs');
  const records: RunRecord[] = [];
  for (const [k, run] of experiment.runs.entries()) {
    records.push(
      await trainRun(run, {
        experiment,
        data,
        runsDir,
        index: k + 1,
        total: experiment.runs.length,
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        trainOptionsFor: options.trainOptionsFor ?? featureCacheHook,
      }),
    );
  }
  const atlas = experiment.spec.evaluation.atlas;
  if (atlas) {
    for (const id of atlas.runs) {
      const run = experiment.runs.find((r) => r.id === id)!;
      const rec = records.find((r) => r.id === id)!;
      if (rec.status !== 'done') continue;
      options.onProgress?.({ kind: 'report', run: id, message: `${id}: Grad-CAM atlas over test true positives` });
      await buildRunAtlas(run, rec, await readRunPredictions(runsDir, id), data, runsDir, out, atlas.maxCases);
    }
  }
  if (options.report === false) return { out, experiment, runs: records };
  options.onProgress?.({ kind: 'report', message: 'rendering report.json and report.html' });
  const report = await renderReport(out, { data });
  return { out, experiment, runs: records, report };
}
