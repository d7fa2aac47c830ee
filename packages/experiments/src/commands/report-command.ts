// `cxrkit report <run-dir>`: (re)renders a study's report.json and report.html from its folder.
import { Command } from 'commander';
import { renderReport } from '../report/render-report.js';
import type { CommandContext } from './command-context.js';

/** `cxrkit report`. */
export function reportCommand(ctx: CommandContext): Command {
  return new Command('report')
    .summary('render a study folder as report.html (self-contained) and report.json (every number)')
    .description(
      [
        'Reads RUN-DIR (the --out of `cxrkit experiment` or `cxrkit train`) and writes RUN-DIR/report.json and',
        'RUN-DIR/report.html: baseline table, per-run AUC with DeLong CI and metrics with Wilson CIs,',
        'DeLong tests, age metrics, strata, biological-age tables, ROC / confusion / scatter / density',
        'plots and the CAM atlases. Needs no model and no network.',
      ].join('\n'),
    )
    .argument('<run-dir>', 'a study folder')
    .option('--json', 'print report.json on stdout')
    .addHelpText(
      'after',
      ['', 'Examples:', '  cxrkit report out/part2-quick', '  cxrkit report out/part1 --json | jq .runs'].join('\n'),
    )
    .action(async (runDir: string, flags: { json?: boolean }) => {
      const report = await renderReport(runDir);
      ctx.io.stdout(
        flags.json ? `${JSON.stringify(report, null, 1)}\n` : `${runDir}/report.html\n${runDir}/report.json\n`,
      );
    });
}
