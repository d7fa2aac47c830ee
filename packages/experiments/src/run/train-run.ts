// One run of a study: build the model, take its starting weights (ImageNet .h5, another run, or none),
// freeze as the run says, train (checkpointed, so a killed run resumes), score every image it is
// evaluated on, save the model with its model card, and record what it did. Data flow: StudyRecord[] →
// training samples → train() → model → predictions.json + model/ + result.json (written last: a run
// with result.json is finished and is never redone).
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { type GrayImage, deriveSeed, sampleBalanced, thesisAugmentation } from '@cxrkit/core';
import {
  type FreezePolicy,
  type FusionInput,
  SCREENING_HEAD_LAYERS,
  type TrainingSample,
  applyFreezePolicy,
  buildScreeningModel,
  createTfjsPredictor,
  loadKerasWeights,
  loadModel,
  saveModel,
  train,
  transferWeights,
  withSeededRandom,
} from '@cxrkit/models';
import { CXRKIT_VERSION, type ModelCardInput } from '@cxrkit/models/card';
import { chooseThreshold, rocAuc } from '@cxrkit/metrics';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  type SplitName,
  STUDY_PREPROCESSING,
  type StudyData,
  type StudyRecord,
  taskTarget,
} from '../dataset/study-data.js';
import { experimentsError } from '../errors.js';
import { featureCacheSkipReason } from './feature-cache-hook.js';
import type { ResolvedExperiment, RunSpec } from '../schema/load-experiment.js';

/** Scores of one run on the images it was evaluated on (parallel arrays). */
export interface RunPredictions {
  ids: string[];
  split: SplitName[];
  target: number[];
  score: number[];
}

/** What a finished run recorded (result.json). */
export interface RunRecord {
  id: string;
  status: 'done' | 'skipped';
  /** Why a run was skipped (e.g. no ImageNet weights file at this width). */
  reason?: string;
  spec: RunSpec;
  seed: number;
  versions: { cxrkit: string; tfjs: string; backend: string; node: string };
  timings: {
    startedAt: string;
    finishedAt: string;
    trainSeconds: number;
    predictSeconds: number;
    totalSeconds: number;
    resumed: boolean;
  };
  counts: { train: number; tune: number; test: number; trainPositives?: number };
  training?: { epochs: number; bestEpoch: number; bestValue: number; monitor: string; history: unknown[] };
  transfer?: { source: string; copiedLayers: number; copiedParams: number };
  freeze?: { trainableParams: number; frozenParams: number };
  /** Whether train() ran from the frozen-prefix feature cache (its folder), or why not. */
  featureCache?: { used: true; dir: string } | { used: false; reason: string };
  threshold?: { value: number; rule: unknown; sensitivity: number; specificity: number };
  cardId?: string;
}

/** Progress of a study, for a bar or log lines (no library writes to stderr by itself). */
export interface ExperimentProgress {
  kind: 'run-start' | 'epoch' | 'run-done' | 'run-skipped' | 'report';
  run?: string;
  /** 1-based position of the run and how many there are. */
  index?: number;
  total?: number;
  epoch?: number;
  epochs?: number;
  message: string;
}

/** What a run needs from the study. */
export interface RunContext {
  experiment: ResolvedExperiment;
  data: StudyData;
  runsDir: string;
  onProgress?: (p: ExperimentProgress) => void;
  index: number;
  total: number;
  /**
   * Extra options merged into train()'s options for a run: the runner passes the frozen-prefix feature
   * cache (`featureCache: { dir }`) for `freeze: last-block` runs (featureCacheHook).
   */
  trainOptionsFor?: (run: RunSpec, runDir: string) => Record<string, unknown>;
}

const FREEZE: Record<RunSpec['freeze'], FreezePolicy> = {
  all: 'all-trainable',
  'last-block': 'last-block',
  head: 'head-only',
};
const FUSION: Record<RunSpec['fusion'], FusionInput[]> = {
  none: [],
  age: ['age'],
  sex: ['sex'],
  both: ['age', 'sex'],
  'predicted-age': ['predictedAge'],
};
/** Fusion encodings written into every card (cxrkit's: years × 0.01, F = 0, M = 1). */
const AGE_SCALE = 0.01;

/** The folder of a run. */
export const runDirOf = (runsDir: string, id: string) => join(runsDir, id);

/** Reads a finished run's record, or undefined when it has not finished. */
export async function readRunRecord(runsDir: string, id: string): Promise<RunRecord | undefined> {
  const p = join(runDirOf(runsDir, id), 'result.json');
  if (!existsSync(p)) return undefined;
  return JSON.parse(await readFile(p, 'utf8')) as RunRecord;
}

/** Reads a finished run's predictions. */
export async function readRunPredictions(runsDir: string, id: string): Promise<RunPredictions> {
  return JSON.parse(await readFile(join(runDirOf(runsDir, id), 'predictions.json'), 'utf8')) as RunPredictions;
}

async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, `${JSON.stringify(value, null, 1)}\n`);
  await rename(tmp, path);
}

const versions = () => ({
  cxrkit: CXRKIT_VERSION,
  tfjs: tf.version_core,
  backend: tf.getBackend(),
  node: process.versions.node,
});

/** The records a run trains and tunes on (all labelled images of the split, or a sex × age matched sample). */
function trainingSets(
  run: RunSpec,
  data: StudyData,
  seed: number,
): { train: StudyRecord[]; tune: StudyRecord[]; test: StudyRecord[] } {
  const labelled = (s: SplitName) => data.records.filter((r) => r.split === s && taskTarget(run.task, r) !== undefined);
  let [tr, tu] = [labelled('train'), labelled('tune')];
  const test = labelled('test');
  if (run.trainSample) {
    const classOf = (r: StudyRecord) => taskTarget(run.task, r);
    const draw = (pool: StudyRecord[], perClass: number, which: string) => {
      const withAge = pool.filter((r) => r.age !== undefined && (r.sex === 'M' || r.sex === 'F'));
      try {
        return sampleBalanced(withAge, { perClass, classOf, seed: deriveSeed(seed, run.id, which) }).records;
      } catch (cause) {
        throw experimentsError(
          'EXPERIMENT_SAMPLE_TOO_LARGE',
          `run '${run.id}': cannot draw ${perClass} ${which} images per class with men and women matched in number and age`,
          {
            received: perClass,
            fix: `ask for fewer (trainSample.perClass), or use a larger cohort: ${(cause as Error).message.split('\n')[0]}`,
            cause,
          },
        );
      }
    };
    if (run.task.kind === 'regression') {
      tr = tr.slice(0, run.trainSample.perClass);
    } else {
      tr = draw(tr, run.trainSample.perClass, 'train');
      if (run.trainSample.tunePerClass) tu = draw(tu, run.trainSample.tunePerClass, 'tune');
    }
  }
  return { train: tr, tune: tu, test };
}

/** Fusion values of a record (years × 0.01, F 0 / M 1; the age model's prediction for predicted-age). */
function fusionInputs(
  run: RunSpec,
  r: StudyRecord,
  predictedAge: Map<string, number> | undefined,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of FUSION[run.fusion]) {
    if (f === 'age') out.age = (r.age ?? Number.NaN) * AGE_SCALE;
    else if (f === 'sex') out.sex = r.sex === 'M' ? 1 : 0;
    else out.predictedAge = (predictedAge?.get(r.id) ?? Number.NaN) * AGE_SCALE;
  }
  return out;
}

async function startingWeights(run: RunSpec, model: tfl.LayersModel, ctx: RunContext): Promise<RunRecord['transfer']> {
  const t = run.transfer;
  if (t === 'none') return undefined;
  const notHead = (name: string) => !(SCREENING_HEAD_LAYERS as readonly string[]).includes(name);
  if ('run' in t) {
    const source = await loadModel(join(runDirOf(ctx.runsDir, t.run), 'model'));
    try {
      const report = transferWeights(source, model, { layers: notHead });
      return { source: `run ${t.run}`, copiedLayers: report.copied.length, copiedParams: report.copiedParams };
    } finally {
      source.dispose();
    }
  }
  const file = resolve(ctx.experiment.dir, t.imagenet);
  const report = await loadKerasWeights(model, file, { rgbToGray: 'sum', skipMismatch: true, layers: notHead });
  if (report.copied.length === 0) {
    throw experimentsError(
      'EXPERIMENT_WEIGHTS_MISMATCH',
      `run '${run.id}': no layer of ${t.imagenet} fits the model (${run.backbone}, width ${run.width})`,
      {
        received: report.skipped.slice(0, 3).map((s) => s.detail),
        fix: 'ImageNet weights exist for width 1 only: set width: 1 for this run',
      },
    );
  }
  return { source: `imagenet ${t.imagenet}`, copiedLayers: report.copied.length, copiedParams: report.copiedParams };
}

/**
 * Runs (or resumes) one run; a run whose result.json exists is returned as it is. Needed runs must be
 * finished first (the runner orders them).
 */
export async function trainRun(run: RunSpec, ctx: RunContext): Promise<RunRecord> {
  const done = await readRunRecord(ctx.runsDir, run.id);
  if (done) return done;
  const started = Date.now();
  const dir = runDirOf(ctx.runsDir, run.id);
  await mkdir(dir, { recursive: true });
  const seed = deriveSeed(run.training.seed, run.id) % 2 ** 31;
  const note = (p: Omit<ExperimentProgress, 'run' | 'index' | 'total'>) =>
    ctx.onProgress?.({ ...p, run: run.id, index: ctx.index, total: ctx.total });
  const sets = trainingSets(run, ctx.data, seed);
  const counts = { train: sets.train.length, tune: sets.tune.length, test: sets.test.length };
  const base = { id: run.id, spec: run, seed, versions: versions(), counts };
  const skip = async (reason: string): Promise<RunRecord> => {
    const rec: RunRecord = {
      ...base,
      status: 'skipped',
      reason,
      timings: {
        startedAt: new Date(started).toISOString(),
        finishedAt: new Date().toISOString(),
        trainSeconds: 0,
        predictSeconds: 0,
        totalSeconds: 0,
        resumed: false,
      },
    };
    await writeJsonAtomic(join(dir, 'result.json'), rec);
    note({ kind: 'run-skipped', message: `${run.id}: skipped — ${reason}` });
    return rec;
  };
  if (
    run.transfer !== 'none' &&
    'imagenet' in run.transfer &&
    !existsSync(resolve(ctx.experiment.dir, run.transfer.imagenet))
  ) {
    return skip(`the ImageNet weights file ${run.transfer.imagenet} is not there (see examples/thesis/README.md)`);
  }
  if (sets.train.length < 2 || sets.tune.length < 2)
    return skip(`too few labelled images (train ${sets.train.length}, tune ${sets.tune.length})`);
  note({
    kind: 'run-start',
    message: `${run.id}: ${run.taskName} on ${run.backbone} ×${run.width} at ${run.inputSize} px, ${counts.train} train / ${counts.tune} tune images`,
  });

  let predictedAge: Map<string, number> | undefined;
  if (run.fusion === 'predicted-age') {
    const p = await readRunPredictions(ctx.runsDir, run.ageModel!);
    predictedAge = new Map(p.ids.map((id, i) => [id, p.score[i]!]));
  }
  const kind = run.task.kind === 'regression' ? 'regression' : 'binary';
  const model = withSeededRandom(seed, () =>
    buildScreeningModel({
      backbone: run.backbone,
      inputShape: [run.inputSize, run.inputSize, 1],
      backboneOptions: { widthMultiplier: run.width },
      task: kind,
      fusion: FUSION[run.fusion],
      ...(run.head ? { head: run.head } : {}),
      name: run.id.replace(/[^a-zA-Z0-9_]/g, '_'),
    }),
  );
  try {
    const transfer = await startingWeights(run, model, ctx);
    const freeze = applyFreezePolicy(model, FREEZE[run.freeze]);
    const sample = (r: StudyRecord) => async (): Promise<TrainingSample> => ({
      image: await ctx.data.prepared(r, run.inputSize),
      target: taskTarget(run.task, r)!,
      inputs: fusionInputs(run, r, predictedAge),
    });
    const source = (rs: StudyRecord[]) => ({
      size: rs.length,
      get: (i: number) => sample(rs[i]!)(),
      target: (i: number) => taskTarget(run.task, rs[i]!)!,
    });
    const checkpointDir = join(dir, 'checkpoints');
    const resumable = existsSync(join(checkpointDir, 'manifest.json'));
    const augment = run.training.augment === 'thesis' ? thesisAugmentation() : undefined;
    const extraOptions = ctx.trainOptionsFor?.(run, dir) ?? {};
    const cacheOption = extraOptions.featureCache as { dir?: string } | undefined;
    const featureCache: RunRecord['featureCache'] = cacheOption?.dir
      ? { used: true, dir: relative(dir, cacheOption.dir) || '.' }
      : {
          used: false,
          reason: ctx.trainOptionsFor
            ? (featureCacheSkipReason(run) ?? 'trainOptionsFor passed no featureCache')
            : 'no trainOptionsFor',
        };
    const t0 = Date.now();
    const result = await train(
      model,
      { train: source(sets.train), tune: source(sets.tune) },
      {
        task: kind,
        epochs: run.training.epochs,
        batchSize: run.training.batchSize,
        accumulationSteps: run.training.accumulationSteps,
        learningRate: run.training.learningRate,
        seed,
        ...(augment ? { augment: (image: GrayImage, rng) => augment(image, rng) } : {}),
        preciseBatchNorm: run.training.preciseBatchNorm,
        reduceLrOnPlateau: run.training.reduceLrOnPlateau,
        initOutputBias: true,
        checkpointDir,
        checkpointEverySeconds: 60,
        ...(resumable ? { resumeFrom: checkpointDir } : {}),
        progress: 'none',
        callbacks: {
          onEpochEnd: (e) =>
            note({
              kind: 'epoch',
              epoch: e.epoch,
              epochs: run.training.epochs,
              message: `${run.id}: epoch ${e.epoch}/${run.training.epochs}, loss ${e.loss.toFixed(4)}, tune ${
                e.tune
                  ? Object.entries(e.tune)
                      .map(([k, v]) => `${k} ${Number(v).toFixed(3)}`)
                      .join(', ')
                  : '-'
              }`,
            }),
        },
        ...extraOptions,
      },
    );
    const trainSeconds = (Date.now() - t0) / 1000;

    // score: tune + test (binary); every image (regression: predicted age feeds other runs and the bio-age tables)
    const t1 = Date.now();
    const evalSet = kind === 'regression' ? ctx.data.records : [...sets.tune, ...sets.test];
    const predictor = createTfjsPredictor(model, { batchSize: 32 });
    const score: number[] = [];
    for (let start = 0; start < evalSet.length; start += 32) {
      const chunk = evalSet.slice(start, start + 32);
      const s = run.inputSize;
      const data = new Float32Array(chunk.length * s * s);
      for (const [k, r] of chunk.entries()) data.set((await ctx.data.prepared(r, s)).data, k * s * s);
      const inputs: Record<string, { data: Float32Array; shape: number[] }> = {
        image: { data, shape: [chunk.length, s, s, 1] },
      };
      for (const name of FUSION[run.fusion]) {
        inputs[name] = {
          data: Float32Array.from(chunk.map((r) => fusionInputs(run, r, predictedAge)[name]!)),
          shape: [chunk.length, 1],
        };
      }
      const out = await predictor.predict(inputs);
      score.push(...Array.from(out[predictor.outputNames[0]!]!.data));
    }
    const predictions: RunPredictions = {
      ids: evalSet.map((r) => r.id),
      split: evalSet.map((r) => r.split),
      target: evalSet.map((r) => taskTarget(run.task, r) ?? Number.NaN),
      score,
    };
    const predictSeconds = (Date.now() - t1) / 1000;

    // the threshold, chosen on the tuning set only
    let threshold: RunRecord['threshold'];
    const tuneIdx = predictions.split.map((s, i) => (s === 'tune' ? i : -1)).filter((i) => i >= 0);
    if (kind === 'binary') {
      const y = tuneIdx.map((i) => predictions.target[i]!);
      const c = chooseThreshold(
        y,
        tuneIdx.map((i) => predictions.score[i]!),
        ctx.experiment.spec.evaluation.threshold,
      );
      threshold = { value: c.threshold, rule: c.rule, sensitivity: c.sensitivity, specificity: c.specificity };
    }
    const card: ModelCardInput = {
      name: run.id,
      description: `Run '${run.id}' of experiment '${ctx.experiment.spec.name}' (${ctx.data.synthetic ? 'synthetic data: not for clinical use' : ctx.data.source}).`,
      architecture: {
        backbone: run.backbone as never,
        widthMultiplier: run.width,
        inputSize: run.inputSize,
        channels: 1,
      },
      preprocessing: STUDY_PREPROCESSING,
      fusion: FUSION[run.fusion].map((f) =>
        f === 'sex'
          ? { input: 'sex', source: 'sex' as const, codes: { F: 0, M: 1 } }
          : { input: f, source: f, scale: AGE_SCALE },
      ),
      task:
        kind === 'regression'
          ? { kind: 'regression', target: run.task.label, unit: run.task.label === 'age' ? 'years' : 'label units' }
          : {
              kind: 'binary',
              condition: run.task.label,
              positive: `${run.task.label}${run.task.positive ? ` = ${run.task.positive}` : ''} (score ≥ threshold)`,
            },
      ...(threshold
        ? {
            threshold: {
              value: threshold.value,
              rule:
                ctx.experiment.spec.evaluation.threshold.method === 'fixed'
                  ? { method: 'youden' as const }
                  : (ctx.experiment.spec.evaluation.threshold as never),
              chosenOn: {
                set: 'tuning' as const,
                n: tuneIdx.length,
                positives: tuneIdx.filter((i) => predictions.target[i] === 1).length,
              },
              operatingPoint: { sensitivity: threshold.sensitivity, specificity: threshold.specificity },
            },
          }
        : {}),
      trainingData: {
        source: ctx.data.source,
        synthetic: ctx.data.synthetic,
        counts,
        splitBy: 'patient',
      },
      info: {
        experiment: ctx.experiment.spec.name,
        run: run.id,
        seed,
        transfer: transfer?.source ?? 'none',
        freeze: run.freeze,
        epochs: result.history.length,
        bestEpoch: result.bestEpoch,
        tuneAuc:
          kind === 'binary'
            ? rocAuc(
                tuneIdx.map((i) => predictions.target[i]!),
                tuneIdx.map((i) => predictions.score[i]!),
              )
            : undefined,
      },
    };
    const saved = await saveModel(model, join(dir, 'model'), { card });
    await writeJsonAtomic(join(dir, 'predictions.json'), predictions);
    const finished = Date.now();
    const record: RunRecord = {
      ...base,
      status: 'done',
      timings: {
        startedAt: new Date(started).toISOString(),
        finishedAt: new Date(finished).toISOString(),
        trainSeconds,
        predictSeconds,
        totalSeconds: (finished - started) / 1000,
        resumed: resumable,
      },
      ...(kind === 'binary'
        ? { counts: { ...counts, trainPositives: sets.train.filter((r) => taskTarget(run.task, r) === 1).length } }
        : {}),
      training: {
        epochs: result.history.length,
        bestEpoch: result.bestEpoch,
        bestValue: result.bestValue,
        monitor: result.monitor,
        history: result.history,
      },
      ...(transfer ? { transfer } : {}),
      freeze: { trainableParams: freeze.trainableParams, frozenParams: freeze.frozenParams },
      featureCache,
      ...(threshold ? { threshold } : {}),
      ...(saved.card ? { cardId: saved.card.id } : {}),
    };
    await writeJsonAtomic(join(dir, 'config.json'), {
      run,
      experiment: ctx.experiment.spec.name,
      file: ctx.experiment.file,
      quick: ctx.experiment.quick,
    });
    await writeJsonAtomic(join(dir, 'result.json'), record);
    note({
      kind: 'run-done',
      message: `${run.id}: done in ${record.timings.totalSeconds.toFixed(0)} s (best tune ${result.monitor} ${result.bestValue.toFixed(3)} at epoch ${result.bestEpoch})`,
    });
    return record;
  } finally {
    model.dispose();
  }
}
