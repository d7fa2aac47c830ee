// Every `cxrkit` command, in the order `cxrkit --help` lists them: one line per command, each made by
// the factory in its own file (or exported by the package that implements it). Add a command here.
import type { CommandFactory } from '../context.js';
import { datasetCommand } from './dataset.js';
import { evaluateCommand } from './evaluate.js';
import { explainCommand } from './explain.js';
import { exportCommand } from './export.js';
import { inspectCommand } from './inspect.js';

/** The commands of `cxrkit`. */
export const COMMANDS: CommandFactory[] = [
  datasetCommand,
  // train, experiment, report: from @cxrkit/experiments (coming)
  evaluateCommand,
  explainCommand,
  // screen: from @cxrkit/archive (coming)
  exportCommand,
  inspectCommand,
];
