// `cxrkit screen`, `screen-merge`, `screen-enqueue`, `screen-worker` and `screen-export`: the archive commands of
// @cxrkit/archive, mounted as delegated commands (every word after the name goes to that package's own parser).
// The CLI is the application, so it injects the engines: onnxruntime-node (an optional peer) and the
// TensorFlow.js backend $CXRKIT_BACKEND names (default wasm), both loaded by name only when a command runs.
import { delegatedCommand, type DelegateRunner } from './delegated.js';
import { ONNXRUNTIME_PACKAGE } from '../io/onnxruntime-package.js';

/** The one-line summaries `cxrkit --help` lists (archive's own; a test checks they agree). */
export const ARCHIVE_SUMMARIES = {
  screen: 'screen a whole archive (folder, manifest, WADO-RS URLs) into results.jsonl/csv, resumable',
  'screen-merge': 'merge the output folders of several screen runs (e.g. shards) into one',
  'screen-enqueue': 'add an archive to a BullMQ screening queue (one job per instance not done yet)',
  'screen-worker': 'run a worker of a BullMQ screening queue (any number, on any machines)',
  'screen-export': "write a screening queue's results to OUT/results.jsonl, results.csv and errors.jsonl",
} as const;

/** @cxrkit/archive's dispatcher with the CLI's engines, imported when one of its commands runs. */
async function loadArchive(): Promise<DelegateRunner> {
  const { runArchiveCli } = await import('@cxrkit/archive');
  return (argv, ctx, program) =>
    runArchiveCli([...argv], {
      io: ctx.io,
      program,
      engines: {
        onnxruntime: () => import(ONNXRUNTIME_PACKAGE),
        tfjs: { kind: ctx.env.CXRKIT_BACKEND ?? 'wasm' },
      },
    });
}

/** The command factories of the archive commands. */
export const archiveCommands = (Object.keys(ARCHIVE_SUMMARIES) as (keyof typeof ARCHIVE_SUMMARIES)[]).map((name) =>
  delegatedCommand({ name, summary: ARCHIVE_SUMMARIES[name], load: loadArchive }),
);
