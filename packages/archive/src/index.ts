/**
 * @cxrkit/archive — screen a whole archive of chest radiographs: worker threads read, decode and preprocess
 * (core's readDicom + the model card's modelInputs, no TensorFlow.js), a batched predictor scores (injected:
 * onnxruntime, tfjs, …), results are appended durably, one per SOP Instance UID, and a rerun continues where
 * a run stopped. On one machine (`screenArchive`), split for batch schedulers (`shard`), or across machines
 * on a BullMQ queue in Redis (`enqueueArchive` + `runQueueWorker`). Data flow: folder / manifest / WADO-RS
 * URLs → instances → prepared model inputs → batched scores → results.jsonl / results.csv / errors.jsonl.
 */
export { screenArchive } from './screen-archive.js';
export type { ScreenArchiveOptions, ArchiveSummary } from './screen-archive.js';
export type { ArchiveProgress } from './progress.js';
export type { ScreenRecord, ErrorRecord, PreparedInstance, StageTimings } from './types.js';
export type { ScreeningPredictor, PredictorFactory, PredictorContext, ArrayBatch } from './pipeline/predictor.js';
export { prepareInstance, readSource } from './pipeline/prepare.js';
export type { PrepareOptions } from './pipeline/prepare.js';
export { createPreparePool } from './pipeline/worker-pool.js';
export type { PreparePool, PreparePoolOptions } from './pipeline/worker-pool.js';
export { prepareWorkerScript } from './pipeline/worker-script.js';
export type { WorkerScript } from './pipeline/worker-script.js';
export { createBatchScorer, batchInputs } from './pipeline/batch-scorer.js';
export type { BatchScorer, BatchScorerOptions, Scored } from './pipeline/batch-scorer.js';
export { toRecord } from './pipeline/to-record.js';
export { listInstances, classifyInputs } from './sources/instances.js';
export type { InputKind } from './sources/instances.js';
export { walkFolder } from './sources/walk-folder.js';
export { readManifest, isManifest, MANIFEST_EXTENSIONS } from './sources/read-manifest.js';
export { fetchWadoRsInstance, dicomPart, isUrl } from './sources/wado-rs.js';
export type { WadoRsOptions } from './sources/wado-rs.js';
export { parseShard, shardOf } from './sources/shard.js';
export type { Shard } from './sources/shard.js';
export { openFileStore, RESULT_FILES } from './store/file-store.js';
export type { ResultStore, StoreRecovery } from './store/file-store.js';
export { recoverJsonl } from './store/recover-jsonl.js';
export { RESULT_CSV_COLUMNS } from './store/csv-columns.js';
export { writeResultsParquet, RESULTS_PARQUET } from './store/write-parquet.js';
export { mergeResults } from './store/merge-results.js';
export type { MergeSummary } from './store/merge-results.js';
export { FingerprintSet, fingerprint } from './store/fingerprint-set.js';
export { OUT_LOCK_FILE } from './store/out-lock.js';
export { ARCHIVE_ERROR_CODES } from './errors.js';
export type { ArchiveErrorCode } from './errors.js';
export { enqueueArchive, jobIdOf } from './queue/enqueue.js';
export type { EnqueueOptions, EnqueueSummary, ScreenJobData } from './queue/enqueue.js';
export { runQueueWorker, TRANSIENT_CODES } from './queue/queue-worker.js';
export type { QueueWorker, QueueWorkerOptions, QueueWorkerEvent } from './queue/queue-worker.js';
export { exportQueueResults } from './queue/export-results.js';
export type { ExportOptions } from './queue/export-results.js';
export { RedisResultStore } from './queue/redis-store.js';
export type { PutOutcome } from './queue/redis-store.js';
export { parseRedisUrl, storeKeys } from './queue/connection.js';
export type { RedisConnection } from './queue/connection.js';
export { createScreenCommand } from './cli/screen-command.js';
export type { ScreenCommandOptions } from './cli/screen-command.js';
export { createWorkerCommand, enqueueCommand, exportCommand } from './cli/queue-commands.js';
export type { WorkerCommandOptions } from './cli/queue-commands.js';
export { runArchiveCli, archiveCommands } from './cli/run-archive-cli.js';
export { mergeCommand } from './cli/merge-command.js';
export { addArchiveCommands, archiveCommandFactories, commanderCommand } from './cli/mount-commands.js';
export type { MountContext } from './cli/mount-commands.js';
export type { ArchiveCliOptions } from './cli/run-archive-cli.js';
export { openEngine, ENGINES } from './cli/engines.js';
export type { Engine, EngineLoaders, EngineName, EngineSettings } from './cli/engines.js';
export { EXIT, processIo } from './cli/command.js';
export type { CliCommand, CliIo } from './cli/command.js';
