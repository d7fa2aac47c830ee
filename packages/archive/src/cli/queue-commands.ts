// The queue commands: `screen-enqueue` (the producer), `screen-worker` (a worker process; run as many as
// you like, on any machines that see the same paths) and `screen-export` (the results out of Redis into
// results.jsonl / results.csv / errors.jsonl).
import { availableParallelism } from 'node:os';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { isCxrkitError } from '@cxrkit/core/tfjs-free';
import { classifyInputs } from '../sources/instances.js';
import type { Shard } from '../sources/shard.js';
import { parseRedisUrl, type RedisConnection } from '../queue/connection.js';
import { enqueueArchive } from '../queue/enqueue.js';
import { exportQueueResults } from '../queue/export-results.js';
import { runQueueWorker } from '../queue/queue-worker.js';
import { EXIT, type CliCommand, type CliIo } from './command.js';
import { ENGINES, openEngine, type EngineLoaders, type EngineName } from './engines.js';
import { shardOption, wholeNumber } from './parse-options.js';

const EXIT_CODES = `
Exit codes: 0 done, 1 stopped by an error (Redis unreachable, model), 2 usage.`;

function redisOption(value: string): RedisConnection {
  try {
    return parseRedisUrl(value);
  } catch {
    throw new InvalidArgumentError('expected redis://host[:port][/db]');
  }
}

function base(name: string, description: string, io: CliIo, examples: string): Command {
  return new Command(name)
    .description(description)
    .addOption(
      new Option('--redis <url>', 'Redis URL')
        .argParser(redisOption)
        .default(parseRedisUrl('redis://127.0.0.1:6379'), 'redis://127.0.0.1:6379'),
    )
    .option('--queue <name>', 'queue name', 'cxrkit-screen')
    .option('--json', 'machine-readable output (JSON lines)')
    .addHelpText('after', `${examples}${EXIT_CODES}\n`)
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
}

/** The full --help text of a command definition (commander's, with the examples and exit codes). */
function helpOf(program: (io: CliIo) => Command): string {
  const silent: CliIo = { stdout: () => {}, stderr: () => {} };
  const cmd = program(silent);
  let text = '';
  cmd.configureOutput({
    writeOut: (t) => {
      text += t;
    },
  });
  cmd.outputHelp();
  return text;
}

/** Parses `args` with `cmd`; the parsed action arguments, or an exit code for --help / usage errors. */
async function parse(cmd: Command, args: string[]): Promise<unknown[] | number> {
  let got: unknown[] | undefined;
  cmd.action((...a: unknown[]) => {
    got = a;
  });
  try {
    await cmd.parseAsync(args, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    throw e;
  }
  return got!;
}

function failed(io: CliIo, name: string, e: unknown, json?: boolean): number {
  const message = isCxrkitError(e) ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e);
  const code = isCxrkitError(e) ? e.code : ((e as { code?: string })?.code ?? 'ARCHIVE_RUN_FAILED');
  io.stderr(json ? `${JSON.stringify({ error: { code, message } })}\n` : `cxrkit ${name}: ${message}\n`);
  return EXIT.failed;
}

const ENQUEUE_EXAMPLES = `
Examples:
  cxrkit screen-enqueue /pacs/export --redis redis://queue:6379 --queue osteo
  cxrkit screen-enqueue manifest.csv --redis redis://queue:6379 --queue osteo --attempts 5`;

function enqueueProgram(io: CliIo): Command {
  return base('screen-enqueue', 'add every instance the inputs name to the queue', io, ENQUEUE_EXAMPLES)
    .argument('<inputs...>', 'folders, manifests, DICOM files, WADO-RS URLs (paths as the workers see them)')
    .addOption(new Option('--attempts <n>', 'attempts per job').argParser(wholeNumber(1)).default(3))
    .addOption(new Option('--shard <i/n>', 'only shard i of n').argParser(shardOption));
}

/** `screen-enqueue INPUT... --redis URL --queue NAME`: one job per instance not yet done. */
export const enqueueCommand: CliCommand = {
  name: 'screen-enqueue',
  summary: 'add an archive to a BullMQ screening queue (one job per instance not done yet)',
  help: helpOf(enqueueProgram),
  async run(args, io) {
    const cmd = enqueueProgram(io);
    const parsed = await parse(cmd, args);
    if (typeof parsed === 'number') return parsed;
    const [inputs, flags] = parsed as [
      string[],
      { redis: RedisConnection; queue: string; json?: boolean; attempts: number; shard?: Shard },
    ];
    try {
      await classifyInputs(inputs);
    } catch (e) {
      io.stderr(`${(e as Error).message}\n`);
      return EXIT.usage;
    }
    try {
      const s = await enqueueArchive({
        connection: flags.redis,
        queue: flags.queue,
        inputs,
        attempts: flags.attempts,
        shard: flags.shard,
      });
      io.stdout(flags.json ? `${JSON.stringify(s)}\n` : `enqueued ${s.enqueued}, already done ${s.done}\n`);
      return EXIT.ok;
    } catch (e) {
      return failed(io, 'screen-enqueue', e, flags.json);
    }
  },
};

const WORKER_EXAMPLES = `
Examples:
  cxrkit screen-worker models/osteo --redis redis://queue:6379 --queue osteo --workers 3
  # quick stalled-job takeover (a killed worker's jobs are retaken after ~lock-ms)
  cxrkit screen-worker models/osteo --redis redis://queue:6379 --lock-ms 5000 --stalled-ms 2500

Stops on SIGINT/SIGTERM after finishing the jobs it holds.`;

/** Options of {@link createWorkerCommand}. */
export interface WorkerCommandOptions {
  engines: EngineLoaders;
}

function workerProgram(io: CliIo): Command {
  return base('screen-worker', 'take jobs from the queue and screen them', io, WORKER_EXAMPLES)
    .argument('<model-dir>', 'model folder')
    .addOption(
      new Option('--workers <n>', 'decode/preprocess threads')
        .argParser(wholeNumber(0))
        .default(Math.max(1, availableParallelism() - 1)),
    )
    .addOption(new Option('--engine <name>', 'inference engine').choices(ENGINES).default('onnx'))
    .addOption(new Option('--batch-size <n>', 'images per model call').argParser(wholeNumber(1)).default(8))
    .addOption(new Option('--threads <n>', 'onnxruntime threads').argParser(wholeNumber(1)))
    .addOption(new Option('--lock-ms <n>', 'BullMQ lockDuration').argParser(wholeNumber(1000)).default(30_000))
    .addOption(new Option('--stalled-ms <n>', 'BullMQ stalledInterval').argParser(wholeNumber(500)).default(15_000))
    .option('--patient-facts', 'put age and sex into the records');
}

/** `screen-worker MODEL_DIR --redis URL --queue NAME`: a worker process of a queue run. */
export function createWorkerCommand(options: WorkerCommandOptions): CliCommand {
  return {
    name: 'screen-worker',
    summary: 'run a worker of a BullMQ screening queue (any number, on any machines)',
    help: helpOf(workerProgram),
    async run(args, io) {
      const cmd = workerProgram(io);
      const parsed = await parse(cmd, args);
      if (typeof parsed === 'number') return parsed;
      const [modelDir, flags] = parsed as [
        string,
        {
          redis: RedisConnection;
          queue: string;
          json?: boolean;
          workers: number;
          engine: EngineName;
          batchSize: number;
          threads?: number;
          lockMs: number;
          stalledMs: number;
          patientFacts?: boolean;
        },
      ];
      const print = (e: object) => {
        if (flags.json) io.stdout(`${JSON.stringify(e)}\n`);
      };
      try {
        const engine = await openEngine(flags.engine, modelDir, options.engines, { threads: flags.threads });
        const worker = await runQueueWorker({
          connection: flags.redis,
          queue: flags.queue,
          modelDir,
          card: engine.card,
          createPredictor: engine.createPredictor,
          workers: flags.workers,
          batchSize: flags.batchSize,
          lockDuration: flags.lockMs,
          stalledInterval: flags.stalledMs,
          patientFacts: flags.patientFacts,
          onEvent: print,
        });
        if (!flags.json) io.stdout(`worker ready on queue ${flags.queue}; SIGTERM or SIGINT to stop\n`);
        await new Promise<void>((resolveStop) => {
          const stop = () => {
            process.off('SIGINT', stop);
            process.off('SIGTERM', stop);
            resolveStop();
          };
          process.on('SIGINT', stop);
          process.on('SIGTERM', stop);
        });
        await worker.close();
        return EXIT.ok;
      } catch (e) {
        return failed(io, 'screen-worker', e, flags.json);
      }
    },
  };
}

const EXPORT_EXAMPLES = `
Examples:
  cxrkit screen-export --redis redis://queue:6379 --queue osteo --out results/`;

function exportProgram(io: CliIo): Command {
  return base('screen-export', "write the queue's results and errors to files", io, EXPORT_EXAMPLES).requiredOption(
    '--out <dir>',
    'output folder',
  );
}

/** `screen-export --redis URL --queue NAME --out OUT`: the queue's results into files. */
export const exportCommand: CliCommand = {
  name: 'screen-export',
  summary: "write a screening queue's results to OUT/results.jsonl, results.csv and errors.jsonl",
  help: helpOf(exportProgram),
  async run(args, io) {
    const cmd = exportProgram(io);
    const parsed = await parse(cmd, args);
    if (typeof parsed === 'number') return parsed;
    const [flags] = parsed as [{ redis: RedisConnection; queue: string; json?: boolean; out: string }];
    try {
      const s = await exportQueueResults({ connection: flags.redis, queue: flags.queue, out: flags.out });
      io.stdout(flags.json ? `${JSON.stringify(s)}\n` : `${s.results} results, ${s.errors} errors → ${s.out}\n`);
      return EXIT.ok;
    } catch (e) {
      return failed(io, 'screen-export', e, flags.json);
    }
  },
};
