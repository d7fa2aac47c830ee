// Every number of the report, from a study's folder: per-run test metrics at the threshold chosen on the
// tuning set (AUC with DeLong CI; accuracy, sensitivity, specificity, PPV, NPV with Wilson CIs; F1),
// regression metrics, strata by sex and age band, DeLong tests between the runs the file names, the
// baseline table and the biological-age-gap tables. All statistics come from @cxrkit/metrics.
import {
  type BinaryMetrics,
  biologicalAgeAnalysis,
  binaryMetrics,
  delongCi,
  delongTest,
  regressionMetrics,
} from '@cxrkit/metrics';
import type { StudyData, StudyRecord } from '../dataset/study-data.js';
import type { ResolvedExperiment } from '../schema/load-experiment.js';
import { transferLabel } from '../schema/load-experiment.js';
import type { RunPredictions, RunRecord } from '../run/train-run.js';
import type {
  BinarySummary,
  RegressionSummary,
  ReportBioAge,
  ReportComparison,
  ReportRun,
  StratumRow,
} from './report-types.js';

const prop = (p: BinaryMetrics['accuracy']) => ({ value: p.value, ci: p.ci, k: p.k, n: p.n });

/** AUC + DeLong CI and the metrics at `threshold` with Wilson CIs (NaN AUC for a one-class set). */
export function binarySummary(y: number[], s: number[], threshold: number): BinarySummary {
  const positives = y.filter((v) => v === 1).length;
  const m = binaryMetrics(y, s, { threshold });
  let auc = { value: Number.NaN, lower: Number.NaN, upper: Number.NaN, se: Number.NaN };
  if (positives >= 1 && positives < y.length) {
    const c = delongCi(y, s);
    auc = { value: c.auc, lower: c.lower, upper: c.upper, se: c.se };
  }
  return {
    n: y.length,
    positives,
    auc,
    accuracy: prop(m.accuracy),
    sensitivity: prop(m.sensitivity),
    specificity: prop(m.specificity),
    ppv: prop(m.ppv),
    npv: prop(m.npv),
    f1: m.f1,
    confusion: { tp: m.tp, fn: m.fn, fp: m.fp, tn: m.tn },
  };
}

/** R², MAE, RMSE and the shares within ±4 and ±9 (years). */
export function regressionSummary(y: number[], p: number[]): RegressionSummary {
  const m = regressionMetrics(y, p, [4, 9]);
  return { n: m.n, r2: m.r2, mae: m.mae, rmse: m.rmse, within4: m.within[4]!, within9: m.within[9]! };
}

/** The age band of `age` for cut points `cuts` (e.g. [50, 65] → '<50', '50–64', '≥65'). */
export function ageBand(age: number | undefined, cuts: readonly number[]): string | undefined {
  if (age === undefined) return undefined;
  const sorted = [...cuts].sort((a, b) => a - b);
  if (sorted.length === 0) return 'all';
  if (age < sorted[0]!) return `<${sorted[0]}`;
  for (let i = 1; i < sorted.length; i++) if (age < sorted[i]!) return `${sorted[i - 1]}–${sorted[i]! - 1}`;
  return `≥${sorted[sorted.length - 1]}`;
}

function bandOrder(cuts: readonly number[]): string[] {
  const s = [...cuts].sort((a, b) => a - b);
  if (s.length === 0) return ['all'];
  return [`<${s[0]}`, ...s.slice(1).map((c, i) => `${s[i]}–${c - 1}`), `≥${s[s.length - 1]}`];
}

/** The test-set part of a run's predictions. */
export function testPart(p: RunPredictions): { ids: string[]; y: number[]; s: number[] } {
  const idx = p.split.map((v, i) => (v === 'test' && Number.isFinite(p.target[i]!) ? i : -1)).filter((i) => i >= 0);
  return { ids: idx.map((i) => p.ids[i]!), y: idx.map((i) => p.target[i]!), s: idx.map((i) => p.score[i]!) };
}

/** One run's report entry. */
export function reportRun(
  exp: ResolvedExperiment,
  rec: RunRecord,
  pred: RunPredictions | undefined,
  byId: Map<string, StudyRecord>,
): ReportRun {
  const run = rec.spec;
  const entry: ReportRun = {
    id: rec.id,
    status: rec.status,
    ...(rec.reason ? { reason: rec.reason } : {}),
    task: run.taskName,
    kind: run.task.kind,
    backbone: run.backbone,
    inputSize: run.inputSize,
    width: run.width,
    transfer: transferLabel(run.transfer),
    freeze: run.freeze,
    fusion: run.fusion,
    ...(run.trainSample ? { trainSample: run.trainSample } : {}),
    counts: rec.counts,
    seed: rec.seed,
    seconds: { train: rec.timings.trainSeconds, predict: rec.timings.predictSeconds, total: rec.timings.totalSeconds },
    resumed: rec.timings.resumed,
    strata: [],
  };
  if (rec.training) {
    entry.epochs = rec.training.epochs;
    entry.bestEpoch = rec.training.bestEpoch;
  }
  if (rec.cardId) entry.cardId = rec.cardId;
  if (rec.status !== 'done' || !pred) return entry;
  const t = testPart(pred);
  const cuts = exp.spec.evaluation.strata.ageBands;
  const strataOf = (ids: string[]) => {
    const groups: Array<{ by: 'sex' | 'age'; stratum: string; idx: number[] }> = [];
    if (exp.spec.evaluation.strata.sex) {
      for (const sex of ['F', 'M'])
        groups.push({
          by: 'sex',
          stratum: sex,
          idx: ids.map((id, i) => (byId.get(id)?.sex === sex ? i : -1)).filter((i) => i >= 0),
        });
    }
    for (const band of bandOrder(cuts)) {
      groups.push({
        by: 'age',
        stratum: band,
        idx: ids.map((id, i) => (ageBand(byId.get(id)?.age, cuts) === band ? i : -1)).filter((i) => i >= 0),
      });
    }
    return groups.filter((g) => g.idx.length > 0);
  };
  if (run.task.kind === 'binary' && rec.threshold) {
    const thr = rec.threshold.value;
    entry.threshold = {
      value: thr,
      rule: rec.threshold.rule,
      tuneSensitivity: rec.threshold.sensitivity,
      tuneSpecificity: rec.threshold.specificity,
    };
    const tu = pred.split.map((v, i) => (v === 'tune' ? i : -1)).filter((i) => i >= 0);
    const ty = tu.map((i) => pred.target[i]!);
    if (ty.some((v) => v === 1) && ty.some((v) => v === 0))
      entry.tuneAuc = delongCi(
        ty,
        tu.map((i) => pred.score[i]!),
      ).auc;
    entry.test = binarySummary(t.y, t.s, thr);
    entry.strata = strataOf(t.ids).map(
      (g): StratumRow => ({
        by: g.by,
        stratum: g.stratum,
        binary: binarySummary(
          g.idx.map((i) => t.y[i]!),
          g.idx.map((i) => t.s[i]!),
          thr,
        ),
      }),
    );
  } else if (run.task.kind === 'regression') {
    entry.regression = regressionSummary(t.y, t.s);
    entry.strata = strataOf(t.ids)
      .filter((g) => g.idx.length >= 2)
      .map(
        (g): StratumRow => ({
          by: g.by,
          stratum: g.stratum,
          regression: regressionSummary(
            g.idx.map((i) => t.y[i]!),
            g.idx.map((i) => t.s[i]!),
          ),
        }),
      );
  }
  return entry;
}

/** DeLong's test between two binary runs, on the test cases both scored. */
export function compareRuns(a: string, b: string, pa: RunPredictions, pb: RunPredictions): ReportComparison {
  const ta = testPart(pa);
  const tb = testPart(pb);
  const sb = new Map(tb.ids.map((id, i) => [id, tb.s[i]!]));
  const keep = ta.ids.map((id, i) => (sb.has(id) ? i : -1)).filter((i) => i >= 0);
  const y = keep.map((i) => ta.y[i]!);
  const r = delongTest(
    y,
    keep.map((i) => ta.s[i]!),
    keep.map((i) => sb.get(ta.ids[i]!)!),
  );
  return { a, b, n: y.length, aucA: r.aucA, aucB: r.aucB, difference: r.difference, ci: r.ci, z: r.z, p: r.p };
}

const ORDER = ['F', 'M', 'normal', 'osteopenia', 'osteoporosis', 'no', 'yes'];
/** Categories in a reader's order (sex F/M, WHO normal → osteoporosis, no/yes), others as they came. */
const ordered = (cats: string[]) =>
  [...cats].sort((a, b) => (ORDER.indexOf(a) + 1 || 99) - (ORDER.indexOf(b) + 1 || 99));

/** The biological-age-gap analysis of an age run on the test set (groups by predicted − chronological age). */
export function bioAgeTables(
  run: string,
  threshold: number,
  pred: RunPredictions,
  byId: Map<string, StudyRecord>,
): ReportBioAge {
  const t = testPart(pred);
  const recs = t.ids.map((id) => byId.get(id)!);
  const categorical: Record<string, Array<string | undefined>> = { sex: recs.map((r) => r.sex) };
  if (recs.some((r) => r.who)) categorical['WHO class'] = recs.map((r) => r.who);
  if (recs.some((r) => r.osteoporosis !== undefined))
    categorical.osteoporosis = recs.map((r) =>
      r.osteoporosis === undefined ? undefined : r.osteoporosis ? 'yes' : 'no',
    );
  const continuous: Record<string, Array<number | undefined>> = { 'chronological age (y)': recs.map((r) => r.age) };
  if (recs.some((r) => r.tScore !== undefined)) continuous['lowest T-score'] = recs.map((r) => r.tScore);
  const a = biologicalAgeAnalysis({
    chronological: t.y,
    predicted: t.s,
    threshold,
    categorical,
    continuous: continuous as Record<string, Array<number | null | undefined>>,
  });
  return {
    run,
    threshold,
    sizes: a.sizes,
    accuracy: regressionSummary(t.y, t.s),
    categorical: Object.fromEntries(
      Object.entries(a.categorical).map(([k, c]) => [
        k,
        {
          categories: ordered(c.categories),
          counts: c.counts,
          percents: c.percents,
          chiSquare: { statistic: c.test.statistic, dof: c.test.dof, p: c.test.p },
        },
      ]),
    ),
    continuous: Object.fromEntries(
      Object.entries(a.continuous).map(([k, c]) => [
        k,
        { summary: c.summary, kruskal: { statistic: c.test.statistic, dof: c.test.dof, p: c.test.p } },
      ]),
    ),
  };
}

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const sd = (v: number[]) => {
  const m = mean(v);
  return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, v.length - 1));
};
const pctOf = (k: number, n: number) => `${k} (${n ? ((100 * k) / n).toFixed(1) : '—'} %)`;

/** The baseline-characteristics table (thesis Tables 2.1 / 4.1): per split and overall. */
export function baselineTable(data: StudyData): {
  columns: string[];
  rows: Array<{ label: string; values: string[] }>;
} {
  const splits = ['train', 'tune', 'test'] as const;
  const groups = [...splits.map((s) => data.records.filter((r) => r.split === s)), data.records];
  const rows: Array<{ label: string; values: string[] }> = [];
  const add = (label: string, f: (rs: StudyRecord[]) => string) => rows.push({ label, values: groups.map(f) });
  add('images', (rs) => String(rs.length));
  add('patients', (rs) => String(new Set(rs.map((r) => r.patientId)).size));
  add('age, years: mean ± SD', (rs) => {
    const a = rs.flatMap((r) => (r.age === undefined ? [] : [r.age]));
    return a.length ? `${mean(a).toFixed(1)} ± ${sd(a).toFixed(1)}` : '—';
  });
  add('age, years: range', (rs) => {
    const a = rs.flatMap((r) => (r.age === undefined ? [] : [r.age]));
    return a.length ? `${Math.min(...a)}–${Math.max(...a)}` : '—';
  });
  add('women', (rs) => pctOf(rs.filter((r) => r.sex === 'F').length, rs.length));
  add('men', (rs) => pctOf(rs.filter((r) => r.sex === 'M').length, rs.length));
  if (data.records.some((r) => r.who)) {
    for (const w of ['normal', 'osteopenia', 'osteoporosis'] as const)
      add(`WHO ${w}`, (rs) => pctOf(rs.filter((r) => r.who === w).length, rs.length));
  }
  if (data.records.some((r) => r.tScore !== undefined)) {
    add('lowest T-score: mean ± SD', (rs) => {
      const t = rs.flatMap((r) => (r.tScore === undefined ? [] : [r.tScore]));
      return t.length ? `${mean(t).toFixed(2)} ± ${sd(t).toFixed(2)}` : '—';
    });
  }
  return { columns: ['train', 'tune', 'test', 'all'], rows };
}
