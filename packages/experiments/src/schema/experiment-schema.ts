// The experiment file's schema (zod 4): what a study may say, with defaults. The committed JSON Schema
// (packages/experiments/experiment.schema.json) is generated from it; cross-field rules (run ids that
// exist, one dataset source) are checked in validate-experiment.ts.
import * as z from 'zod';

/** Backbones an experiment can train (registry keys of @cxrkit/models). */
export const BACKBONES = ['inception_v3', 'densenet121', 'densenet169', 'densenet201', 'resnet50'] as const;
/** Freeze policies (@cxrkit/models applyFreezePolicy: all-trainable, last-block, head-only). */
export const FREEZE_POLICIES = ['all', 'last-block', 'head'] as const;
/** Demographic fusion variants of the thesis (Tables 4.13/4.14). */
export const FUSIONS = ['none', 'age', 'sex', 'both', 'predicted-age'] as const;
/** Task kinds. */
export const TASK_KINDS = ['regression', 'binary', 'multiclass'] as const;
/** Synthetic difficulty levels (@cxrkit/core SYNTHETIC_DIFFICULTY). */
export const DIFFICULTIES = ['none', 'easy', 'moderate', 'hard'] as const;
/** How the synthetic T-score depends on age and sex: the generator's caricature, twice as steep, or not at all. */
export const BONE_DENSITY_MODELS = ['default', 'age-sex', 'independent'] as const;

const id = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'lower-case letters, digits, - and _ (it names a folder)')
  .max(80);

/** A synthetic cohort made by @cxrkit/core synthesizeDataset, split by patient. */
export const syntheticCohortSchema = z
  .strictObject({
    n: z.int().min(20).max(200_000).describe('Number of images.'),
    size: z.int().min(32).max(1024).default(192).describe('Rendered size in pixels (square).'),
    seed: z.union([z.string(), z.int()]).default('cohort').describe('Seed of the cohort.'),
    imagesPerPatient: z.int().min(1).max(20).default(1),
    osteoporosisFraction: z.number().min(0).max(1).default(0.5).describe('Share of patients with osteoporosis.'),
    femaleFraction: z.number().min(0).max(1).default(0.5),
    ageRange: z.tuple([z.int().min(18), z.int().max(100)]).default([40, 85]),
    signalRegion: z.enum(['all-bones', 'humeral-heads', 'spine', 'ribs', 'clavicles']).default('all-bones'),
    difficulty: z
      .union([z.enum(DIFFICULTIES), z.number().min(0).max(5)])
      .default('moderate')
      .describe('Gap (σ, T-score units) between the density the bones show and the DXA T-score.'),
    boneDensity: z
      .enum(BONE_DENSITY_MODELS)
      .default('default')
      .describe("'age-sex': the T-score depends on age and sex twice as steeply; 'independent': not at all."),
    split: z.tuple([z.number(), z.number(), z.number()]).default([0.7, 0.1, 0.2]).describe('train / tune / test.'),
  })
  .describe('A synthetic cohort (@cxrkit/core synthesizeDataset), split 70/10/20 by patient.');

/** Where the images come from: a `cxrkit dataset scan` output, or a synthetic cohort. */
export const datasetSchema = z
  .strictObject({
    manifest: z
      .string()
      .optional()
      .describe('A `cxrkit dataset scan` output folder (or its manifest.csv), relative to this file.'),
    synthetic: syntheticCohortSchema.optional(),
  })
  .describe('Exactly one of manifest or synthetic.');

/** One task: what a run predicts, and from which label column. */
export const taskSchema = z.strictObject({
  kind: z.enum(TASK_KINDS),
  label: z.string().describe('A label: age, sex, osteoporosis, who, or a manifest column.'),
  positive: z.string().optional().describe("Binary: the label value counted positive (e.g. 'M' for sex)."),
  classes: z.array(z.string()).min(2).optional().describe('Multiclass: the class values in order.'),
});

/** Where a run's starting weights come from. */
export const transferSchema = z.union([
  z.literal('none'),
  z.strictObject({ run: id.describe('A run of this experiment (its backbone weights).') }),
  z.strictObject({ imagenet: z.string().describe('A Keras .h5 weights file (relative to this file).') }),
]);

/** N per class, men and women equal in number and age (core sampleBalanced): the thesis's stress sets. */
export const trainSampleSchema = z.strictObject({
  perClass: z.int().min(2).describe('Training images per class.'),
  tunePerClass: z.int().min(2).optional().describe('Tuning images per class (default: all tuning images).'),
});

/** Training settings (@cxrkit/models train). */
export const trainingSchema = z.strictObject({
  epochs: z.int().min(1).max(1000).default(10),
  batchSize: z.int().min(1).max(512).default(16),
  accumulationSteps: z.int().min(1).max(64).default(1),
  learningRate: z.number().positive().max(1).default(0.001),
  augment: z.enum(['thesis', 'none']).default('thesis'),
  preciseBatchNorm: z.int().min(0).default(256),
  reduceLrOnPlateau: z
    .union([
      z.literal(false),
      z.strictObject({ patience: z.int().min(1), factor: z.number().gt(0).lt(1).default(0.3) }),
    ])
    .default({ patience: 2, factor: 0.3 }),
  seed: z.int().min(0).default(7),
});

/** The screening head's two dense layers and dropouts (@cxrkit/models; default [256, 128], [0.5, 0.25]). */
export const headSchema = z.strictObject({
  units: z.tuple([z.int().min(1), z.int().min(1)]),
  dropout: z.tuple([z.number().min(0).lt(1), z.number().min(0).lt(1)]),
});

const runFields = {
  head: headSchema,
  task: z.string().describe('A task name from tasks.'),
  backbone: z.enum(BACKBONES),
  inputSize: z.int().min(32).max(1024).describe('Model input size in pixels (InceptionV3: ≥ 75).'),
  width: z.number().gt(0).max(1).describe('Width multiplier of the backbone (1 = Keras).'),
  transfer: transferSchema,
  freeze: z.enum(FREEZE_POLICIES),
  fusion: z.enum(FUSIONS),
  trainSample: trainSampleSchema,
  ageModel: id.describe("The age run whose prediction 'predicted-age' fuses (default: the first age regression run)."),
  training: trainingSchema.partial(),
};

/** Settings every run starts from. */
export const runDefaultsSchema = z.strictObject({
  backbone: runFields.backbone.default('inception_v3'),
  inputSize: runFields.inputSize.default(192),
  width: runFields.width.default(0.125),
  transfer: transferSchema.default('none'),
  freeze: runFields.freeze.default('all'),
  fusion: runFields.fusion.default('none'),
  head: headSchema.optional(),
});

/** One run. */
export const runSchema = z.strictObject({ id, ...partialFields() });

const oneOrMany = <T extends z.ZodType>(t: T) => z.union([t, z.array(t).min(1)]);

/** A grid: every combination of the listed values, named by `id` with {field} placeholders. */
export const gridSchema = z.strictObject({
  grid: z.strictObject({
    id: z.string().describe('Template, e.g. osteo-{transfer}-{freeze}-{fusion}.'),
    task: oneOrMany(runFields.task),
    backbone: oneOrMany(runFields.backbone).optional(),
    inputSize: oneOrMany(runFields.inputSize).optional(),
    width: oneOrMany(runFields.width).optional(),
    transfer: oneOrMany(transferSchema).optional(),
    freeze: oneOrMany(runFields.freeze).optional(),
    fusion: oneOrMany(runFields.fusion).optional(),
    trainSample: trainSampleSchema.optional(),
    ageModel: id.optional(),
    head: headSchema.optional(),
    training: trainingSchema.partial().optional(),
  }),
});

function partialFields() {
  return {
    task: runFields.task,
    backbone: runFields.backbone.optional(),
    inputSize: runFields.inputSize.optional(),
    width: runFields.width.optional(),
    transfer: transferSchema.optional(),
    freeze: runFields.freeze.optional(),
    fusion: runFields.fusion.optional(),
    trainSample: trainSampleSchema.optional(),
    ageModel: id.optional(),
    head: headSchema.optional(),
    training: trainingSchema.partial().optional(),
  };
}

/** Evaluation: threshold rule, strata, the biological-age analysis and the CAM atlases. */
export const evaluationSchema = z.strictObject({
  threshold: z
    .union([
      z.strictObject({ method: z.literal('youden') }),
      z.strictObject({ method: z.literal('fixed'), threshold: z.number().min(0).max(1) }),
      z.strictObject({ method: z.literal('sensitivity'), target: z.number().gt(0).max(1) }),
      z.strictObject({ method: z.literal('specificity'), target: z.number().gt(0).max(1) }),
    ])
    .default({ method: 'youden' })
    .describe('Chosen on the tuning set, applied unchanged to the test set.'),
  strata: z
    .strictObject({
      sex: z.boolean().default(true),
      ageBands: z.array(z.int().min(1).max(120)).default([50, 65]).describe('Cut points in years.'),
    })
    .default({ sex: true, ageBands: [50, 65] }),
  bioAge: z
    .strictObject({ run: id, threshold: z.number().positive().default(5) })
    .optional()
    .describe('The biological-age-gap tables (thesis Tables 3.4–3.6) from an age run on the test set.'),
  atlas: z
    .strictObject({ runs: z.array(id).min(1), maxCases: z.int().min(1).default(64) })
    .optional()
    .describe('Grad-CAM atlases over true positives (mixed10 convolutions), side by side.'),
});

/** What `--quick` changes (merged over the file). */
export const quickSchema = z.strictObject({
  dataset: z.strictObject({ synthetic: syntheticCohortSchema.partial().optional() }).optional(),
  defaults: runDefaultsSchema.partial().optional(),
  training: trainingSchema.partial().optional(),
  runs: z.array(id).optional().describe('Only these runs (and the runs they need) under --quick.'),
});

/** A whole experiment file. */
export const experimentSchema = z.strictObject({
  $schema: z.string().optional(),
  name: id,
  description: z.string().optional(),
  dataset: datasetSchema,
  tasks: z.record(id, taskSchema),
  defaults: runDefaultsSchema.default({
    backbone: 'inception_v3',
    inputSize: 192,
    width: 0.125,
    transfer: 'none',
    freeze: 'all',
    fusion: 'none',
  }),
  training: trainingSchema.default(() => trainingSchema.parse({})),
  runs: z.array(z.union([runSchema, gridSchema])).min(1),
  evaluation: evaluationSchema.default(() => evaluationSchema.parse({})),
  compare: z
    .array(z.tuple([id, id]))
    .default([])
    .describe('Pairs of runs compared by DeLong’s test (same test cases).'),
  quick: quickSchema.optional(),
});

/** An experiment file as written (before defaults). */
export type ExperimentInput = z.input<typeof experimentSchema>;
/** An experiment file after validation and defaults. */
export type Experiment = z.output<typeof experimentSchema>;
/** One task. */
export type TaskSpec = z.output<typeof taskSchema>;
/** A transfer source. */
export type TransferSpec = z.output<typeof transferSchema>;
/** Training settings after defaults. */
export type TrainingSpec = z.output<typeof trainingSchema>;
/** A synthetic cohort after defaults. */
export type SyntheticCohortSpec = z.output<typeof syntheticCohortSchema>;
