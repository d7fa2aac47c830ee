// `cxrkit dataset …`: commands on a user's own data. Today: `scan` (see dataset-scan.ts).
import { Command } from 'commander';
import type { CliContext } from '../context.js';
import { datasetScanCommand } from './dataset-scan.js';

/** `cxrkit dataset`: bring your own data. */
export function datasetCommand(ctx: CliContext): Command {
  return new Command('dataset')
    .summary('bring your own data: scan a DICOM folder + labels into a manifest, split and baseline table')
    .description('Commands on your own data. `cxrkit dataset scan --help` for the scan.')
    .addCommand(datasetScanCommand(ctx));
}
