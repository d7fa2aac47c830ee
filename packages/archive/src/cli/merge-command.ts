// `screen-merge DIR... --out OUT`: the output folders of several runs (shards) into one, one record per SOP
// Instance UID (see store/merge-results.ts).
import { Command, CommanderError } from 'commander';
import { isCxrkitError } from '@cxrkit/core/tfjs-free';
import { mergeResults } from '../store/merge-results.js';
import { EXIT, type CliCommand, type CliIo } from './command.js';

const EXAMPLES = `
Examples:
  cxrkit screen-merge /results/shard-* --out /results/all

Exit codes: 0 merged, 1 a folder could not be read (or is locked by a running screen), 2 usage.
`;

function program(io: CliIo): Command {
  return new Command('screen-merge')
    .description('merge the output folders of several screen runs (shards) into one, one record per UID')
    .argument('<dirs...>', 'output folders of `screen` (results.jsonl, errors.jsonl)')
    .requiredOption('--out <dir>', 'merged output folder (continued if it exists)')
    .option('--json', 'print the summary as JSON')
    .addHelpText('after', EXAMPLES)
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
}

function helpText(): string {
  let text = '';
  const cmd = program({ stdout: () => {}, stderr: () => {} });
  cmd.configureOutput({
    writeOut: (t) => {
      text += t;
    },
  });
  cmd.outputHelp();
  return text;
}

/** `screen-merge`: shard folders into one. */
export const mergeCommand: CliCommand = {
  name: 'screen-merge',
  summary: 'merge the output folders of several screen runs (e.g. shards) into one',
  help: helpText(),
  async run(args, io) {
    const cmd = program(io);
    let parsed: [string[], { out: string; json?: boolean }] | undefined;
    cmd.action((dirs: string[], flags: { out: string; json?: boolean }) => {
      parsed = [dirs, flags];
    });
    try {
      await cmd.parseAsync(args, { from: 'user' });
    } catch (e) {
      if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
      throw e;
    }
    const [dirs, flags] = parsed!;
    try {
      const s = await mergeResults(dirs, flags.out);
      io.stdout(
        flags.json
          ? `${JSON.stringify(s)}\n`
          : `${s.results} results, ${s.errors} errors (${s.duplicates} duplicate instances) → ${flags.out}\n`,
      );
      return EXIT.ok;
    } catch (e) {
      io.stderr(`cxrkit screen-merge: ${isCxrkitError(e) ? e.message : String(e)}\n`);
      return EXIT.failed;
    }
  },
};
