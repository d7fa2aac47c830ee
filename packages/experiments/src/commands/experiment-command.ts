// `cxrkit experiment <file> --out RUN [--quick]`: runs a declarative study and renders its report.
import { Command, Option } from 'commander';
import { runExperiment } from '../run/run-experiment.js';
import { type CommandContext, progressLines, startBackend } from './command-context.js';

interface ExperimentFlags {
  out: string;
  run?: string[];
  quick?: boolean;
  force?: boolean;
  backend?: string;
  json?: boolean;
  quiet?: boolean;
}

/** `cxrkit experiment`. */
export function experimentCommand(ctx: CommandContext): Command {
  return new Command('experiment')
    .summary('run a declarative study (YAML/JSON): every run of its grid, resumable, then the report')
    .description(
      [
        'Runs the study in FILE (see packages/experiments/experiment.schema.json and examples/thesis/) into',
        '--out: one folder per run (model + model card, predictions, config, seed, versions, timings), the',
        'Grad-CAM atlases, then RUN/report.json and RUN/report.html. Rerun the same command after a crash or',
        'kill: finished runs are kept and an interrupted one resumes from its last checkpoint.',
      ].join('\n'),
    )
    .argument('<file>', 'experiment file (.yaml, .yml or .json)')
    .requiredOption('-o, --out <dir>', 'output folder (created; resumed when it holds this experiment)')
    .option('--quick', "apply the file's quick section (small cohort, model and training)")
    .option('-r, --run <id...>', 'only these runs (and the runs they need); the report covers the finished runs')
    .option('--force', 'reuse an output folder that holds another version of the experiment')
    .addOption(new Option('--backend <kind>', 'tfjs backend').choices(['wasm', 'cpu']))
    .option('--json', 'print report.json’s summary (runs and comparisons) as JSON on stdout')
    .option('-q, --quiet', 'no progress lines on stderr')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  cxrkit experiment examples/thesis/part2.yaml --quick --out out/part2-quick',
        '  cxrkit experiment examples/thesis/part1.yaml --out out/part1 && cxrkit report out/part1',
        '',
        'Exit codes: 0 done, 1 failure (typed error naming the field, value and fix), 2 usage, 3 output holds another experiment.',
      ].join('\n'),
    )
    .action(async (file: string, flags: ExperimentFlags) => {
      await startBackend(flags.backend, ctx.env);
      const onProgress = progressLines(ctx, flags.quiet === true);
      const result = await runExperiment(file, {
        out: flags.out,
        quick: flags.quick === true,
        force: flags.force === true,
        ...(flags.run ? { only: flags.run } : {}),
        ...(onProgress ? { onProgress } : {}),
      });
      const report = result.report!;
      if (flags.json) {
        ctx.io.stdout(
          `${JSON.stringify({ out: result.out, runs: report.runs, comparisons: report.comparisons }, null, 1)}\n`,
        );
      } else {
        ctx.io.stdout(`${result.out}/report.html\n${result.out}/report.json\n`);
      }
    });
}
