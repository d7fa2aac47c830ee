// `cxrkit dataset scan DIR --labels FILE --key col=Keyword [--tscore …] --out OUT`: a DICOM folder and a
// labels spreadsheet → OUT/manifest.csv, OUT/exclusions.csv, OUT/summary.json, OUT/baseline.{csv,md,html}
// and, with --cache SIZE, OUT/cache/. All the work is @cxrkit/dataset's; this file parses options, shows
// progress and prints the summary (counts only: no patient identifier is ever printed).
import { resolve } from 'node:path';
import {
  DEFAULT_MIN_AGE,
  baselineMarkdown,
  checkOutputFolder,
  parseLabelKey,
  prepareOutputFolder,
  scanDataset,
  type ScanSummary,
  writeScanOutputs,
} from '@cxrkit/dataset';
import { Command } from 'commander';
import type { CliContext } from '../context.js';
import { choiceOption, integerOption, listOption, numberOption, splitOption } from '../io/option-parsers.js';
import { createProgress } from '../io/progress.js';

interface ScanFlags {
  labels: string;
  key: string;
  tscore?: string[];
  out: string;
  minAge: number;
  views: string[];
  split: number[];
  seed: string;
  workers?: number;
  cache?: number;
  cacheNormalize: 'zscore' | 'percentile';
  cacheDtype: 'float32' | 'float16';
  force?: boolean;
  json?: boolean;
  progress?: boolean;
  quiet?: boolean;
}

const patients = (n: number) => `${n} patient${n === 1 ? '' : 's'}`;

function summaryText(s: ScanSummary, out: string): string {
  const c = s.counts;
  const lines = [
    `scanned ${c.files} file(s) in ${s.seconds.read.toFixed(1)} s (${s.seconds.filesPerSecond.toFixed(1)} files/s): ` +
      `${c.readable} readable DICOM, ${c.included} included (${patients(c.patients)}), ${c.excludedFiles} excluded`,
  ];
  const groups = Object.entries(c.byGroup).sort((a, b) => b[1] - a[1]);
  if (groups.length) lines.push(`excluded: ${groups.map(([g, n]) => `${g} ${n}`).join(', ')}`);
  lines.push(
    `split: ${Object.entries(s.splits)
      .map(([k, v]) => `${k} ${v.images} (${patients(v.patients)})`)
      .join(', ')}`,
  );
  lines.push('', baselineMarkdown(s.baseline));
  lines.push(
    `wrote ${out}/manifest.csv, exclusions.csv, summary.json, baseline.csv/.md/.html${s.settings.cache ? ', cache/' : ''}`,
  );
  return `${lines.join('\n')}\n`;
}

/** `cxrkit dataset scan`. */
export function datasetScanCommand(ctx: CliContext): Command {
  return new Command('scan')
    .summary('a DICOM folder + labels CSV/TSV → manifest, exclusions, patient split, baseline table')
    .description(
      [
        'Reads every DICOM under DIR in parallel, joins the labels file by the key you name, and writes:',
        '  OUT/manifest.csv    one row per included image (SOP Instance UID, path, patient ID, age, sex, view,',
        '                      modality, manufacturer, split, WHO class, lowest T-score, the labels columns)',
        '  OUT/exclusions.csv  one row per excluded file (path, code, reason) and per labels row without image',
        '  OUT/summary.json    counts by reason and split, settings, timings (no identifiers)',
        '  OUT/baseline.*      baseline characteristics per split (CSV, Markdown, HTML; thesis Tables 2.1/4.1)',
        '  OUT/cache/          with --cache SIZE: preprocessed pixels at the model size (see the README)',
        'Excluded, in this order: unreadable (the reader’s code), no SOP Instance UID / Patient ID, duplicate',
        'image (same SOP Instance UID or identical pixels), not PA, no age or under --min-age, missing label.',
        'The split is by patient, seeded, stratified by WHO class (with --tscore) and sex.',
      ].join('\n'),
    )
    .argument('<dir>', 'folder of DICOM files (subfolders included)')
    .requiredOption('--labels <file>', 'labels CSV or TSV (one header row)')
    .requiredOption(
      '--key <column=Keyword>',
      'join labels to images: a labels column = PatientID | AccessionNumber | SOPInstanceUID',
    )
    .option('--tscore <columns>', 'labels columns with DXA T-scores; WHO class from the lowest', listOption('--tscore'))
    .requiredOption('--out <dir>', 'output folder (new or empty, or --force)')
    .option(
      '--min-age <years>',
      'youngest age included (0 keeps all, and images without an age)',
      numberOption('--min-age', 0, 130),
      DEFAULT_MIN_AGE,
    )
    .option('--views <list>', 'accepted View Position values', listOption('--views'), ['PA'])
    .option('--split <train/tune/test>', 'split by patient, percent or fractions', splitOption, [0.7, 0.1, 0.2])
    .option('--seed <seed>', 'seed of the split', '0')
    .option(
      '--workers <n>',
      'reading threads (0: read in the main thread; default min(4, cores))',
      integerOption('--workers', 0, 64),
    )
    .option(
      '--cache <size>',
      'cache preprocessed pixels at this model input size (pixels)',
      integerOption('--cache', 32, 4096),
    )
    .option(
      '--cache-normalize <kind>',
      'cache normalisation: zscore (thesis Part 2) or percentile (Part 1)',
      choiceOption('--cache-normalize', ['zscore', 'percentile'] as const),
      'zscore',
    )
    .option(
      '--cache-dtype <dtype>',
      'cache values: float32 or float16',
      choiceOption('--cache-dtype', ['float32', 'float16'] as const),
      'float32',
    )
    .option('--force', 'replace the scan files in a non-empty output folder (other files are left alone)')
    .option('--json', 'print summary.json on stdout instead of the text summary')
    .option('--progress', 'draw a progress bar even when stderr is not a terminal')
    .option('--quiet', 'no progress output')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  $ cxrkit dataset scan /data/cxr --labels dxa.csv --key mrn=PatientID --tscore ls_t,fn_t,th_t --out dataset/',
        '  $ cxrkit dataset scan /data/cxr --labels dxa.tsv --key acc=AccessionNumber --tscore t_min --out ds --cache 512',
        '  $ cxrkit dataset scan ./dicoms --labels ages.csv --key uid=SOPInstanceUID --min-age 0 --views PA,AP --out ds --json',
        '',
        'Exit codes: 0 ok, 1 failure (unreadable labels, a T-score that is not a number, no DICOM in DIR, …),',
        '2 usage (unknown option, bad --key, a --key/--tscore column the labels file lacks), 3 OUT holds files.',
      ].join('\n'),
    )
    .action(async (dir: string, flags: ScanFlags) => {
      const key = parseLabelKey(flags.key); // a bad --key fails before anything is written
      const out = resolve(flags.out);
      // a folder that holds files is refused before the scan starts; created only once the labels check out
      await checkOutputFolder(out, flags.force);
      const progress = createProgress(ctx, 'scan', flags);
      let result: Awaited<ReturnType<typeof scanDataset>>;
      try {
        result = await scanDataset({
          dir,
          labels: flags.labels,
          key,
          tScoreColumns: flags.tscore,
          minAge: flags.minAge,
          views: flags.views,
          split: {
            fractions: flags.split,
            names: flags.split.length === 3 ? ['train', 'tune', 'test'] : flags.split.map((_, i) => `split${i}`),
            seed: flags.seed,
          },
          workers: flags.workers,
          cache: flags.cache
            ? {
                root: resolve(out, 'cache'),
                size: flags.cache,
                normalize: flags.cacheNormalize,
                dtype: flags.cacheDtype,
              }
            : undefined,
          onProgress: (p) => progress.update(p.stage, p.done, p.total),
          beforeRead: () => prepareOutputFolder(out, flags.force),
        });
      } finally {
        progress.stop();
      }
      const { summary } = await writeScanOutputs(out, result);
      ctx.io.stdout(flags.json ? `${JSON.stringify(summary, null, 2)}\n` : summaryText(summary, flags.out));
    });
}
