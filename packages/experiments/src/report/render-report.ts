// `renderReport(runDir)`: a study folder → report.json (every number) and report.html (one self-contained
// page: inline CSS, inline SVG plots, atlases as data URIs, no network). Needs no model and no tfjs: it
// reads the runs' records and predictions and re-derives the cohort's labels from the experiment file.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ageScatterSpec, confusionMatrixSpec, densitySpec, renderSvg, rocPlotSpec } from '@cxrkit/metrics/plots';
import type { StudyData } from '../dataset/study-data.js';
import { experimentsError } from '../errors.js';
import { type RunPredictions, type RunRecord, readRunPredictions, readRunRecord } from '../run/train-run.js';
import { type ResolvedExperiment, parseExperiment } from '../schema/load-experiment.js';
import { baselineTable, bioAgeTables, compareRuns, reportRun, testPart } from './compute-report.js';
import { reportHtml } from './report-html.js';
import type { ReportJson } from './report-types.js';

/** Options of {@link renderReport}. */
export interface RenderReportOptions {
  /** The study's data, when the caller has it (else re-derived from the experiment file's settings). */
  data?: StudyData;
}

/** A plot for the HTML: id, title and its SVG. */
export interface RenderedPlot {
  id: string;
  section: 'roc' | 'confusion' | 'scatter' | 'density';
  title: string;
  svg: string;
}

/**
 * Renders `runDir/report.json` and `runDir/report.html` from a study folder written by runExperiment.
 * @throws CxrkitError `REPORT_NOT_A_RUN` when the folder holds no experiment.json.
 */
export async function renderReport(runDir: string, options: RenderReportOptions = {}): Promise<ReportJson> {
  const stampPath = join(runDir, 'experiment.json');
  if (!existsSync(stampPath)) {
    throw experimentsError('REPORT_NOT_A_RUN', `${runDir} is not a study folder (no experiment.json)`, {
      received: runDir,
      fix: 'pass the --out folder of `cxrkit experiment`',
    });
  }
  const stamp = JSON.parse(await readFile(stampPath, 'utf8')) as { file: string; quick: boolean; text: string };
  const experiment: ResolvedExperiment = parseExperiment(stamp.text, { file: stamp.file, quick: stamp.quick });
  const { loadStudyData } = await import('../run/run-experiment.js');
  const data = options.data ?? (await loadStudyData(experiment));
  const byId = new Map(data.records.map((r) => [r.id, r]));
  const runsDir = join(runDir, 'runs');
  const records: RunRecord[] = [];
  const preds = new Map<string, RunPredictions>();
  for (const run of experiment.runs) {
    const rec = await readRunRecord(runsDir, run.id);
    if (!rec) continue;
    records.push(rec);
    if (rec.status === 'done') preds.set(run.id, await readRunPredictions(runsDir, run.id));
  }
  const runs = records.map((r) => reportRun(experiment, r, preds.get(r.id), byId));
  const comparisons = experiment.spec.compare
    .filter(([a, b]) => preds.has(a) && preds.has(b))
    .map(([a, b]) => compareRuns(a, b, preds.get(a)!, preds.get(b)!));
  const bio = experiment.spec.evaluation.bioAge;
  const bioAge =
    bio && preds.has(bio.run) ? bioAgeTables(bio.run, bio.threshold, preds.get(bio.run)!, byId) : undefined;
  const atlas: ReportJson['atlas'] = [];
  for (const id of experiment.spec.evaluation.atlas?.runs ?? []) {
    const p = join(runDir, 'atlas', `${id}.json`);
    if (existsSync(p)) atlas.push(JSON.parse(await readFile(p, 'utf8')));
  }

  // plots
  const plots: RenderedPlot[] = [];
  const tasks = [...new Set(runs.filter((r) => r.kind === 'binary' && r.test).map((r) => r.task))];
  for (const task of tasks) {
    const models = runs
      .filter((r) => r.task === task && r.test)
      .map((r) => {
        const t = testPart(preds.get(r.id)!);
        return { name: r.id, yTrue: t.y, yScore: t.s };
      });
    plots.push({
      id: `roc-${task}`,
      section: 'roc',
      title: `ROC curves, ${task} (test set)`,
      svg: await renderSvg(rocPlotSpec(models, { title: `${task}: test-set ROC`, size: 380 })),
    });
  }
  for (const r of runs) {
    if (r.test) {
      const c = r.test.confusion;
      const cm = { tp: c.tp, fn: c.fn, fp: c.fp, tn: c.tn };
      plots.push({
        id: `cm-${r.id}`,
        section: 'confusion',
        title: `Confusion matrix, ${r.id}`,
        svg: await renderSvg(
          confusionMatrixSpec(cm as never, { title: `${r.id} at ${r.threshold!.value.toFixed(3)}` }),
        ),
      });
    }
    if (r.regression) {
      const t = testPart(preds.get(r.id)!);
      const groups = t.ids.map((id) => byId.get(id)?.sex ?? '?');
      plots.push({
        id: `scatter-${r.id}`,
        section: 'scatter',
        title: `Predicted vs chronological age, ${r.id}`,
        svg: await renderSvg(ageScatterSpec(t.y, t.s, { title: `${r.id}: test set`, groups, size: 360 })),
      });
    }
  }
  if (bioAge) {
    const t = testPart(preds.get(bioAge.run)!);
    const gaps: Record<string, number[]> = {};
    const tscores: Record<string, number[]> = {};
    t.ids.forEach((id, i) => {
      const gap = t.s[i]! - t.y[i]!;
      const g =
        gap >= bioAge.threshold ? 'older-predicted' : gap <= -bioAge.threshold ? 'younger-predicted' : 'well-predicted';
      gaps[g] = [...(gaps[g] ?? []), gap];
      const ts = byId.get(id)?.tScore;
      if (ts !== undefined) tscores[g] = [...(tscores[g] ?? []), ts];
    });
    plots.push({
      id: 'density-gap',
      section: 'density',
      title: 'Age gap by group',
      svg: await renderSvg(densitySpec(gaps, { title: 'Predicted − chronological age', xTitle: 'years' })),
    });
    if (Object.keys(tscores).length) {
      plots.push({
        id: 'density-tscore',
        section: 'density',
        title: 'Lowest T-score by age-gap group',
        svg: await renderSvg(densitySpec(tscores, { title: 'Lowest T-score by age-gap group', xTitle: 'T-score' })),
      });
    }
  }
  const report: ReportJson = {
    format: 'cxrkit-experiment-report/1',
    experiment: {
      name: experiment.spec.name,
      ...(experiment.spec.description ? { description: experiment.spec.description } : {}),
      file: experiment.file,
      quick: experiment.quick,
      source: data.source,
    },
    generatedAt: new Date().toISOString(),
    baseline: baselineTable(data),
    runs,
    comparisons,
    ...(bioAge ? { bioAge } : {}),
    atlas,
    plots: plots.map((p) => ({ id: p.id, title: p.title })),
  };
  const atlasImages = await Promise.all(
    atlas.map(async (a) => ({
      run: a.run,
      overlay: `data:image/png;base64,${(await readFile(join(runDir, a.files.overlay))).toString('base64')}`,
    })),
  );
  await writeFile(join(runDir, 'report.json'), `${JSON.stringify(report, null, 1)}\n`);
  await writeFile(join(runDir, 'report.html'), reportHtml(report, plots, atlasImages));
  return report;
}
