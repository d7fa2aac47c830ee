// `cxrkit evaluate <model> <manifest>`: a saved model on one split of a scanned dataset. Binary screens:
// AUC with DeLong 95 % CI, and sensitivity, specificity, PPV, NPV, accuracy (Wilson CIs) and F1 at the
// card's threshold; regression models (age): R², MAE, RMSE, share within ±4 / ±9 years. The numbers come
// from @cxrkit/metrics, the images from @cxrkit/dataset's predictRows (the card's own preprocessing).
import { dirname, resolve } from 'node:path';
import { predictRows, readScanManifest, type ScanManifestRow } from '@cxrkit/dataset';
import type { ModelCard } from '@cxrkit/models/card';
import { regressionMetrics, screeningSummary } from '@cxrkit/metrics';
import { Command } from 'commander';
import type { CliContext } from '../context.js';
import { cliError } from '../io/cli-error.js';
import { addModelRunOptions, type ModelRunFlags } from '../io/common-options.js';
import { numberOption } from '../io/option-parsers.js';
import { createProgress } from '../io/progress.js';

interface EvaluateFlags extends ModelRunFlags {
  label?: string;
  positive?: string;
  threshold?: number;
  json?: boolean;
}

/** Which manifest column holds the truth, and how its cells become numbers. */
function truthOf(
  card: ModelCard,
  flags: EvaluateFlags,
  rows: readonly ScanManifestRow[],
): { column: string; value: (r: ScanManifestRow) => number | undefined } {
  const columns = rows.length ? Object.keys(rows[0]!.cells) : [];
  const task = card.task;
  if (task.kind === 'multiclass') {
    throw cliError('CLI_TASK_UNSUPPORTED', 'evaluate handles binary and regression models; this card is multiclass', {
      received: task.kind,
      fix: 'evaluate a binary or regression model',
    });
  }
  const column = flags.label ?? (task.kind === 'binary' ? 'osteoporosis' : task.target);
  if (rows.length && !columns.includes(column)) {
    throw cliError('CLI_BAD_OPTION', `the manifest has no column ${JSON.stringify(column)} to take the truth from`, {
      received: column,
      fix: `pass --label <column>, one of ${columns.join(', ')}`,
    });
  }
  if (task.kind === 'regression') {
    return {
      column,
      value: (r) => (r.cells[column] === '' || r.cells[column] === undefined ? undefined : Number(r.cells[column])),
    };
  }
  return {
    column,
    value: (r) => {
      const cell = (r.cells[column] ?? '').trim();
      if (cell === '') return undefined;
      if (flags.positive !== undefined) return cell === flags.positive ? 1 : 0;
      if (cell === '1' || cell.toLowerCase() === 'true') return 1;
      if (cell === '0' || cell.toLowerCase() === 'false') return 0;
      throw cliError('CLI_BAD_LABEL', `column ${column} holds ${JSON.stringify(cell)}, not 0/1`, {
        received: cell,
        fix: `pass --positive <value> to say which value is positive (e.g. --label sex --positive M)`,
      });
    },
  };
}

const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)} %` : '—');
const ci = (c: [number, number]) => (Number.isFinite(c[0]) ? `${pct(c[0])}–${pct(c[1])}` : '—');

/** `cxrkit evaluate`. */
export function evaluateCommand(ctx: CliContext): Command {
  const cmd = new Command('evaluate')
    .summary(
      'a model on a split of a scanned dataset: AUC + DeLong CI, metrics with Wilson CIs at the card’s threshold',
    )
    .description(
      [
        'Runs MODEL (a saved model folder, or an ONNX export with --engine onnx) on the images of one split',
        'of MANIFEST (written by cxrkit dataset scan; its pixel cache is used when it matches the card) and',
        'prints, for a binary screen, AUC with its DeLong 95 % CI and sensitivity, specificity, PPV, NPV,',
        'accuracy (Wilson 95 % CIs) and F1 at the card’s threshold; for a regression model (age), R², MAE,',
        'RMSE and the share within ±4 / ±9 years.',
      ].join('\n'),
    )
    .argument('<model>', 'model folder (model.json + model-card.json) or .onnx file')
    .argument('<manifest>', 'manifest.csv from cxrkit dataset scan, or its folder')
    .option(
      '--label <column>',
      'manifest column with the truth (default: osteoporosis for binary, the card’s target for regression)',
    )
    .option('--positive <value>', 'the label value that is positive (e.g. --label sex --positive M); default 1/true')
    .option('--threshold <score>', 'operating threshold instead of the card’s', numberOption('--threshold', 0, 1))
    .option('--json', 'print one JSON object');
  addModelRunOptions(cmd, ctx);
  return cmd
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  $ cxrkit evaluate out/demo/model dataset/ --split test',
        '  $ cxrkit evaluate out/demo/model/model.onnx dataset/manifest.csv --engine onnx --json',
        '  $ cxrkit evaluate runs/sex/model dataset/ --label sex --positive M',
        '',
        'Exit codes: 0 ok, 1 failure (model or manifest unreadable, no image scored), 2 usage.',
      ].join('\n'),
    )
    .action(async (modelPath: string, manifestPath: string, flags: EvaluateFlags) => {
      const rows = await readScanManifest(manifestPath, flags.split === 'all' ? undefined : flags.split);
      const { loadModelForCli } = await import('../io/load-model.js');
      const loaded = await loadModelForCli(modelPath, flags);
      const { card } = loaded;
      const truth = truthOf(card, flags, rows);
      const progress = createProgress(ctx, 'evaluate', flags);
      const manifestFile = manifestPath.toLowerCase().endsWith('.csv')
        ? manifestPath
        : resolve(manifestPath, 'manifest.csv');
      let pred: Awaited<ReturnType<typeof predictRows>>;
      try {
        pred = await predictRows(rows, {
          predictor: loaded.predictor,
          card,
          cacheRoot: resolve(dirname(manifestFile), 'cache'),
          batchSize: flags.batchSize,
          onProgress: (done, total) => progress.update('score', done, total),
        });
      } finally {
        progress.stop();
        await loaded.predictor.dispose();
      }
      const y: number[] = [];
      const s: number[] = [];
      let noLabel = 0;
      rows.forEach((r, i) => {
        const out = pred.outputs[i];
        if (!out) return;
        const t = truth.value(r);
        if (t === undefined || !Number.isFinite(t)) {
          noLabel++;
          return;
        }
        y.push(t);
        s.push(out[0]!);
      });
      const failed: Record<string, number> = {};
      for (const f of pred.failures) failed[f.code] = (failed[f.code] ?? 0) + 1;
      if (y.length === 0) {
        throw cliError('CLI_NOTHING_SCORED', `no image of split ${flags.split} was scored with a label`, {
          received: { rows: rows.length, failed, noLabel },
          fix: 'check the split name, the --label column, and that the images are readable',
        });
      }
      const base = {
        model: { name: card.name, cardId: card.id ?? null, engine: loaded.engine, task: card.task },
        manifest: manifestFile,
        split: flags.split,
        label: truth.column,
        n: y.length,
        skipped: { noLabel, failed },
        fromCache: pred.fromCache,
      };
      if (card.task.kind === 'regression') {
        const m = regressionMetrics(y, s, [4, 9]);
        const result = { ...base, regression: m };
        ctx.io.stdout(
          flags.json
            ? `${JSON.stringify(result, null, 2)}\n`
            : [
                `${card.name} on ${flags.split} (n = ${m.n}, truth: ${truth.column})`,
                `R² ${m.r2.toFixed(4)}, MAE ${m.mae.toFixed(2)}, RMSE ${m.rmse.toFixed(2)}, within ±4 ${pct(m.within[4]!)}, within ±9 ${pct(m.within[9]!)}`,
                '',
              ].join('\n'),
        );
        return;
      }
      const threshold = flags.threshold ?? card.threshold?.value;
      if (threshold === undefined) {
        throw cliError('CLI_NO_THRESHOLD', 'the card has no threshold and none was given', {
          received: card.name,
          fix: 'pass --threshold <score> (e.g. chosen on the tuning split)',
        });
      }
      const sum = screeningSummary(y, s, { threshold });
      const m = sum.metrics;
      const p = (x: { value: number; ci: [number, number]; k: number; n: number }) => ({
        value: x.value,
        ci: x.ci,
        k: x.k,
        n: x.n,
      });
      const result = {
        ...base,
        positives: sum.nPos,
        negatives: sum.nNeg,
        auc: {
          value: sum.auc.auc,
          ci: [sum.auc.lower, sum.auc.upper],
          se: sum.auc.se,
          level: sum.auc.level,
          method: 'delong',
        },
        threshold: { value: threshold, source: flags.threshold === undefined ? 'card' : 'option' },
        metrics: {
          sensitivity: p(m.sensitivity),
          specificity: p(m.specificity),
          ppv: p(m.ppv),
          npv: p(m.npv),
          accuracy: p(m.accuracy),
          f1: m.f1,
        },
        confusion: { tp: m.tp, fp: m.fp, tn: m.tn, fn: m.fn },
      };
      if (flags.json) {
        ctx.io.stdout(`${JSON.stringify(result, null, 2)}\n`);
        return;
      }
      const rowsOut = [
        [
          'AUC (95 % DeLong CI)',
          Number.isFinite(sum.auc.auc)
            ? `${sum.auc.auc.toFixed(3)} (${sum.auc.lower.toFixed(3)}–${sum.auc.upper.toFixed(3)})`
            : '—',
        ],
        ['sensitivity', `${pct(m.sensitivity.value)} (${ci(m.sensitivity.ci)})`],
        ['specificity', `${pct(m.specificity.value)} (${ci(m.specificity.ci)})`],
        ['PPV', `${pct(m.ppv.value)} (${ci(m.ppv.ci)})`],
        ['NPV', `${pct(m.npv.value)} (${ci(m.npv.ci)})`],
        ['accuracy', `${pct(m.accuracy.value)} (${ci(m.accuracy.ci)})`],
        ['F1', pct(m.f1)],
        ['confusion', `TP ${m.tp}  FN ${m.fn}  FP ${m.fp}  TN ${m.tn}`],
      ];
      const w = Math.max(...rowsOut.map(([k]) => k!.length));
      ctx.io.stdout(
        [
          `${card.name} on ${flags.split}: n = ${sum.n} (${sum.nPos} positive), threshold ${threshold.toFixed(3)} (${result.threshold.source})`,
          ...rowsOut.map(([k, v]) => `  ${k!.padEnd(w)}  ${v}`),
          ...(Object.keys(failed).length
            ? [
                `  not scored: ${Object.entries(failed)
                  .map(([c, n]) => `${c} ${n}`)
                  .join(', ')}`,
              ]
            : []),
          '',
        ].join('\n'),
      );
    });
}
