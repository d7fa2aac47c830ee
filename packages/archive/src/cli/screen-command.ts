// `cxrkit screen MODEL_DIR INPUT... --out OUT [--workers N] [--engine onnx|tfjs] [--shard i/n]`: screenArchive
// from the command line. Parsing by commander; the engines come from the application (createScreenCommand).
import { availableParallelism } from 'node:os';
import { Command, CommanderError, Option } from 'commander';
import { isCxrkitError } from '@cxrkit/core/tfjs-free';
import type { ArchiveProgress } from '../progress.js';
import { screenArchive, type ArchiveSummary } from '../screen-archive.js';
import { classifyInputs } from '../sources/instances.js';
import type { Shard } from '../sources/shard.js';
import { EXIT, type CliCommand, type CliIo } from './command.js';
import { ENGINES, openEngine, type EngineLoaders, type EngineName } from './engines.js';
import { headerOption, shardOption, wholeNumber } from './parse-options.js';
import { progressDisplay } from './progress-bar.js';

const EXAMPLES = `
Examples:
  # every DICOM under /pacs/export, results in out/ (a rerun finishes what is missing)
  cxrkit screen models/osteo /pacs/export --out out
  # a manifest (CSV with a path column, JSONL, or one path per line), 3 decode workers, batches of 16
  cxrkit screen models/osteo manifest.csv --out out --workers 3 --batch-size 16
  # DICOMweb WADO-RS instance URLs
  cxrkit screen models/osteo https://pacs/dicom-web/studies/1.2/series/1.3/instances/1.4 --out out
  # shard 3 of 16 of a Kubernetes Indexed Job (one --out per shard)
  cxrkit screen models/osteo /pacs/export --shard $JOB_COMPLETION_INDEX/16 --out /results/shard-$JOB_COMPLETION_INDEX

Output: OUT/results.jsonl (one JSON object per SOP Instance UID: sopInstanceUID, path, score, positive,
recommendation, warnings, cardId, timings, …), OUT/results.csv (the same, flat), OUT/errors.jsonl (one
object per file that could not be screened: path, code, message), and OUT/results.parquet (a snapshot of
the results, rewritten when a run completes).

Exit codes:
  0    finished: every instance has a result or an error line
  1    stopped by an error of the run itself (model, output folder): what was stored stays
  2    usage: unknown option, missing argument, an input that does not exist
  3    finished, some files failed, and --strict was given
  130  interrupted (SIGINT/SIGTERM): in-flight batches were stored; run again to continue
`;

interface ScreenFlags {
  out: string;
  workers: number;
  engine: EngineName;
  shard?: Shard;
  batchSize: number;
  threads?: number;
  json?: boolean;
  progress: boolean;
  strict?: boolean;
  patientFacts?: boolean;
  wadoHeader?: Record<string, string>;
  parquet: boolean;
}

/** The commander definition of `screen` (also used to render --help). */
function program(io: CliIo): Command {
  return new Command('screen')
    .description('screen every chest radiograph of an archive (folder, manifest or WADO-RS URLs) with a model')
    .argument('<model-dir>', 'model folder: model.onnx (card embedded) and/or model.json + model-card.json')
    .argument('<inputs...>', 'folders, manifests (.csv/.tsv/.jsonl/.txt), DICOM files, WADO-RS instance URLs')
    .requiredOption('--out <dir>', 'output folder (results.jsonl, results.csv, errors.jsonl)')
    .addOption(
      new Option('--workers <n>', 'decode/preprocess worker threads')
        .argParser(wholeNumber(0))
        .default(Math.max(1, availableParallelism() - 1)),
    )
    .addOption(new Option('--engine <name>', 'inference engine').choices(ENGINES).default('onnx'))
    .addOption(
      new Option('--shard <i/n>', 'only shard i of n (0 ≤ i < n), by SHA-1 of the path').argParser(shardOption),
    )
    .addOption(new Option('--batch-size <n>', 'images per model call').argParser(wholeNumber(1)).default(8))
    .addOption(new Option('--threads <n>', 'onnxruntime threads (default: all cores)').argParser(wholeNumber(1)))
    .option('--json', 'print the summary as one JSON object on stdout')
    .option('--no-progress', 'no progress bar (it is drawn only on a terminal anyway)')
    .option('--strict', 'exit 3 when any file failed')
    .option('--no-parquet', 'do not write the results.parquet snapshot at the end')
    .option('--patient-facts', 'put the age and sex the model was fed into the records (patient data)')
    .addOption(
      new Option('--wado-header <header>', "WADO-RS request header 'Name: value' (repeatable)").argParser(headerOption),
    )
    .addHelpText('after', EXAMPLES)
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError('(run `cxrkit screen --help` for usage)');
}

function summaryText(s: ArchiveSummary): string {
  const p = s.progress;
  const t = p.stageMs;
  const r = s.recovery;
  return [
    `screened ${p.screened}, failed ${p.failed}, skipped ${p.skipped} (done before)` +
      (p.otherShards ? `, ${p.otherShards} in other shards` : ''),
    `${p.imagesPerSecond.toFixed(2)} images/s over the last 30 s; ${p.elapsedSeconds.toFixed(1)} s in all`,
    `per image (ms): read ${t.read.toFixed(1)}, decode ${t.decode.toFixed(1)}, preprocess ${t.preprocess.toFixed(1)}` +
      ` (worker threads), predict ${t.predict.toFixed(1)} (batched), waiting ${t.wait.toFixed(1)}`,
    ...(r.results || r.errors || r.truncatedBytes
      ? [
          `continued: ${r.results} results and ${r.errors} errors were there` +
            (r.truncatedBytes ? `; a torn tail of ${r.truncatedBytes} bytes was cut off` : '') +
            (r.csvRebuilt ? '; results.csv was rebuilt from results.jsonl' : ''),
        ]
      : []),
    `engine ${s.engine}, card ${s.cardId}`,
    `results: ${s.out}/results.jsonl, ${s.out}/results.csv` +
      (s.parquetRows !== undefined ? `, ${s.out}/results.parquet` : '') +
      `; errors: ${s.out}/errors.jsonl`,
    ...(s.stopped ? ['interrupted: run the same command again to finish'] : []),
    '',
  ].join('\n');
}

/** Options of {@link createScreenCommand}. */
export interface ScreenCommandOptions {
  /** How to load each engine (the application's choice: this package imports none). */
  engines: EngineLoaders;
  /** Handle SIGINT/SIGTERM (finish in-flight batches, exit 130). Default true. */
  handleSignals?: boolean;
}

/**
 * The `screen` command, with the engines the application provides:
 * `createScreenCommand({ engines: { onnxruntime: () => import('onnxruntime-node') } })`.
 */
export function createScreenCommand(options: ScreenCommandOptions): CliCommand {
  let help = '';
  const cmd = program({ stdout: () => {}, stderr: () => {} });
  cmd.configureOutput({
    writeOut: (t) => {
      help += t;
    },
  });
  cmd.outputHelp();
  return {
    name: 'screen',
    summary: 'screen a whole archive (folder, manifest, WADO-RS URLs) into results.jsonl/csv, resumable',
    help,
    run: (args, io) => runScreen(args, io, options),
  };
}

async function runScreen(args: string[], io: CliIo, options: ScreenCommandOptions): Promise<number> {
  const cmd = program(io);
  let parsed: { modelDir: string; inputs: string[]; flags: ScreenFlags } | undefined;
  cmd.action((modelDir: string, inputs: string[], flags: ScreenFlags) => {
    parsed = { modelDir, inputs, flags };
  });
  try {
    await cmd.parseAsync(args, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    throw e;
  }
  const { modelDir, inputs, flags } = parsed!;
  try {
    await classifyInputs(inputs);
  } catch (e) {
    io.stderr(`${(e as Error).message}\n`);
    return EXIT.usage;
  }

  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(EXIT.interrupted);
    controller.abort();
  };
  if (options.handleSignals !== false) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  const bar = progressDisplay(flags.progress && !flags.json && io.isTTY === true);
  try {
    const engine = await openEngine(flags.engine, modelDir, options.engines, { threads: flags.threads });
    const summary = await screenArchive({
      inputs,
      out: flags.out,
      modelDir,
      card: engine.card,
      createPredictor: engine.createPredictor,
      workers: flags.workers,
      batchSize: flags.batchSize,
      shard: flags.shard,
      patientFacts: flags.patientFacts,
      parquet: flags.parquet,
      wado: flags.wadoHeader ? { headers: flags.wadoHeader } : undefined,
      onProgress: (p: ArchiveProgress) => bar.update(p),
      signal: controller.signal,
    });
    bar.stop();
    io.stdout(flags.json ? `${JSON.stringify(summary)}\n` : summaryText(summary));
    if (summary.stopped) return EXIT.interrupted;
    return flags.strict && summary.progress.failed > 0 ? EXIT.someFailed : EXIT.ok;
  } catch (e) {
    bar.stop();
    const message = isCxrkitError(e) ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e);
    if (flags.json) {
      const code = isCxrkitError(e) ? e.code : 'ARCHIVE_RUN_FAILED';
      io.stderr(`${JSON.stringify({ error: { code, message } })}\n`);
    } else io.stderr(`cxrkit screen: ${message}\n`);
    return EXIT.failed;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
