// Every `cxrkit` command, in the order `cxrkit --help` lists them: one line per command, each made by
// the factory in its own file (or exported by the package that implements it). Add a command here.
import type { CommandFactory } from '../context.js';
import { archiveCommands } from './archive.js';
import { datasetCommand } from './dataset.js';
import { delegatedCommand } from './delegated.js';
import { evaluateCommand } from './evaluate.js';
import { explainCommand } from './explain.js';
import { exportCommand } from './export.js';
import { inspectCommand } from './inspect.js';

/** The one-line summaries of the commands @cxrkit/experiments implements. */
const EXPERIMENT_SUMMARIES = {
  train: 'train the runs of an experiment file (or the named ones), each saved with its model card',
  experiment: 'run a declarative study (YAML/JSON): every run of its grid, resumable, then the report',
  report: 'render a study folder as report.html (self-contained) and report.json (every number)',
} as const;

/** @cxrkit/experiments' runner, imported when one of its commands runs. */
async function loadExperiments() {
  return (await import('@cxrkit/experiments')).runExperimentsCli;
}

/** The commands of `cxrkit`. */
export const COMMANDS: CommandFactory[] = [
  datasetCommand,
  ...(['train', 'experiment', 'report'] as const).map((name) =>
    delegatedCommand({ name, summary: EXPERIMENT_SUMMARIES[name], load: loadExperiments }),
  ),
  evaluateCommand,
  explainCommand,
  ...archiveCommands,
  exportCommand,
  inspectCommand,
];
