// A `cxrkit` command implemented by another package that brings its own commander program (train,
// experiment and report from @cxrkit/experiments): `cxrkit train …` hands every word after `train`,
// `--help` included, to that package's runner, which parses, runs and settles the exit code. The package
// is imported only when the command runs, so `cxrkit --help` and usage errors load no TensorFlow.js.
import { Command } from 'commander';
import type { CliContext, CliIo } from '../context.js';

/** A package's in-process runner: the words after its program name → the exit code. */
export type DelegateRunner = (
  argv: readonly string[],
  ctx: { io: CliIo; env: Record<string, string | undefined>; exitCode: number },
  programName: string,
) => Promise<number>;

/** What a delegated command is: its name, the one-line summary `cxrkit --help` lists, and its runner. */
export interface DelegatedCommandSpec {
  name: string;
  summary: string;
  /** Loads the runner (a dynamic import, so the package loads only when the command runs). */
  load: () => Promise<DelegateRunner>;
}

/** Makes the `cxrkit` command factory of a delegated command. */
export function delegatedCommand(spec: DelegatedCommandSpec): (ctx: CliContext) => Command {
  return (ctx) =>
    new Command(spec.name)
      .summary(spec.summary)
      .description(`${spec.summary}\n(\`cxrkit ${spec.name} --help\` lists its options)`)
      .helpOption(false)
      .allowUnknownOption()
      .allowExcessArguments()
      .argument('[args...]', `arguments of \`cxrkit ${spec.name}\``)
      .action(async (_args: string[], _flags: unknown, command: Command) => {
        const run = await spec.load();
        ctx.exitCode = await run(
          [spec.name, ...command.args],
          {
            io: ctx.io,
            env: ctx.env,
            exitCode: ctx.exitCode,
          },
          'cxrkit',
        );
      });
}
