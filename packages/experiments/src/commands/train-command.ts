// `cxrkit train <config> --out DIR [--run ID]`: trains runs of an experiment file (all, or the named ones
// and the runs they need), each saved with its model card; no report.
import { Command, Option } from 'commander';
import { runExperiment } from '../run/run-experiment.js';
import { type CommandContext, progressLines, startBackend } from './command-context.js';

interface TrainFlags {
  out: string;
  run?: string[];
  quick?: boolean;
  force?: boolean;
  backend?: string;
  json?: boolean;
  quiet?: boolean;
}

/** `cxrkit train`. */
export function trainCommand(ctx: CommandContext): Command {
  return new Command('train')
    .summary('train the runs of an experiment file (or the named ones), each saved with its model card')
    .description(
      [
        'Trains the runs of CONFIG (an experiment file: dataset, tasks, runs, training settings) into --out,',
        'one folder per run: model/ (weights + model-card.json, ready for `cxrkit evaluate`, `explain`,',
        '`export` and serving), predictions.json, config.json and result.json (seed, versions, timings).',
        'Resumable like `cxrkit experiment`; `cxrkit report DIR` renders what has finished.',
      ].join('\n'),
    )
    .argument('<config>', 'experiment file (.yaml, .yml or .json)')
    .requiredOption('-o, --out <dir>', 'output folder')
    .option('-r, --run <id...>', 'only these runs (and the runs they need)')
    .option('--quick', "apply the file's quick section")
    .option('--force', 'reuse an output folder that holds another version of the file')
    .addOption(new Option('--backend <kind>', 'tfjs backend').choices(['wasm', 'cpu']))
    .option('--json', 'print the run records as JSON on stdout')
    .option('-q, --quiet', 'no progress lines on stderr')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  cxrkit train examples/thesis/part1.yaml --run age-inception --out out/age',
        '  cxrkit train my-study.yaml --out runs/ --quick',
      ].join('\n'),
    )
    .action(async (config: string, flags: TrainFlags) => {
      await startBackend(flags.backend, ctx.env);
      const onProgress = progressLines(ctx, flags.quiet === true);
      const result = await runExperiment(config, {
        out: flags.out,
        quick: flags.quick === true,
        force: flags.force === true,
        report: false,
        ...(flags.run ? { only: flags.run } : {}),
        ...(onProgress ? { onProgress } : {}),
      });
      if (flags.json) ctx.io.stdout(`${JSON.stringify(result.runs, null, 1)}\n`);
      else for (const r of result.runs) ctx.io.stdout(`${r.id}\t${r.status}\t${result.out}/runs/${r.id}/model\n`);
    });
}
