/**
 * @cxrkit/experiments — the thesis's study design as a declarative, validated file: a dataset (a
 * `cxrkit dataset scan` folder or a synthetic cohort), tasks, a grid of runs (backbone × input size ×
 * transfer × freeze × fusion), training and evaluation settings and the runs to compare; a resumable runner
 * that records every run (model card, config, seed, versions, timings); and one self-contained HTML
 * report with the thesis's tables and plots (+ report.json). Data flow: experiment file → runs → report.
 */
export {
  experimentSchema,
  syntheticCohortSchema,
  datasetSchema,
  taskSchema,
  transferSchema,
  trainingSchema,
  evaluationSchema,
  BACKBONES,
  FREEZE_POLICIES,
  FUSIONS,
  TASK_KINDS,
  DIFFICULTIES,
  BONE_DENSITY_MODELS,
} from './schema/experiment-schema.js';
export type {
  Experiment,
  ExperimentInput,
  TaskSpec,
  TransferSpec,
  TrainingSpec,
  SyntheticCohortSpec,
} from './schema/experiment-schema.js';
export { experimentJsonSchema } from './schema/json-schema.js';
export { loadExperiment, parseExperiment, transferLabel } from './schema/load-experiment.js';
export type { ResolvedExperiment, RunSpec, LoadExperimentOptions } from './schema/load-experiment.js';
export { syntheticStudyData, manifestStudyData, taskTarget, STUDY_PREPROCESSING } from './dataset/study-data.js';
export type { StudyData, StudyRecord, SplitName } from './dataset/study-data.js';
export { runExperiment, loadStudyData, featureCacheHook, featureCacheSkipReason } from './run/run-experiment.js';
export type { RunExperimentOptions, ExperimentResult } from './run/run-experiment.js';
export { trainRun, readRunRecord, readRunPredictions } from './run/train-run.js';
export type { RunRecord, RunPredictions, ExperimentProgress } from './run/train-run.js';
export { camLayers } from './run/cam-atlas.js';
export type { AtlasRecord } from './run/cam-atlas.js';
export { renderReport } from './report/render-report.js';
export type { RenderReportOptions, RenderedPlot } from './report/render-report.js';
export type * from './report/report-types.js';
export { binarySummary, regressionSummary, ageBand, baselineTable } from './report/compute-report.js';
export { trainCommand } from './commands/train-command.js';
export { experimentCommand } from './commands/experiment-command.js';
export { reportCommand } from './commands/report-command.js';
export { runExperimentsCli } from './commands/run-commands.js';
export type { CommandContext } from './commands/command-context.js';
