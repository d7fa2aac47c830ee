// The model card as a zod 4 schema: the one typed, versioned description of a trained model that
// training writes and every consumer (saveModel/loadModel, ONNX export, the service, the browser) reads.
// Cross-field rules (a binary screen needs a threshold, …) are in refine-card.ts.
import * as z from 'zod';
import { BACKBONE_KEYS } from './backbones.js';
import { CXRKIT_VERSION, MODEL_CARD_SCHEMA_VERSION } from './version.js';

const text = z.string().min(1);
const count = z.number().int().min(0);
const proportion = z.number().min(0).max(1);

/** The disclaimer a card carries unless it says otherwise (thesis Part 4: a screening aid). */
export const DEFAULT_DISCLAIMER =
  'Screening aid, not a diagnosis: a positive screen recommends a DXA scan. ' +
  'Intended for adults aged 50 or more with a normal PA chest radiograph.';

/** Intended use of the thesis's screen (Part 4): adults ≥ 50, PA chest radiographs, CR or DX. */
export const DEFAULT_INTENDED_USE = {
  minAge: 50,
  views: ['PA'],
  modalities: ['CR', 'DX'],
  bodyParts: ['CHEST', 'THORAX'],
};

/** `card.architecture`: the network and its image input. */
export const architectureSchema = z
  .strictObject({
    backbone: z
      .union([z.enum(BACKBONE_KEYS), z.templateLiteral(['custom:', z.string().min(1)])])
      .optional()
      .describe("Registry key of the backbone (createModel), or 'custom:<name>' for another feature extractor"),
    widthMultiplier: z
      .number()
      .positive()
      .optional()
      .describe('Width multiplier the backbone was built with (1 = Keras)'),
    inputSize: z
      .number()
      .int()
      .min(32)
      .max(4096)
      .describe('Square image input side, pixels: input is [batch, size, size, channels]'),
    channels: z
      .union([z.literal(1), z.literal(3)])
      .describe('1 (gray) or 3 (gray stacked to RGB for ImageNet backbones)'),
    inputName: text.default('image').describe("Name of the model's image input"),
  })
  .describe('The network and the shape of its image input');

/** `card.preprocessing`: radiograph → image input, as core's preprocessRadiograph does it. */
export const preprocessingSchema = z
  .strictObject({
    photometric: z
      .literal('bone-bright')
      .default('bone-bright')
      .describe(
        'Pixel polarity the model expects: bone bright (MONOCHROME1 inverted, as readDicom().grayscale() gives)',
      ),
    clipPercent: z
      .number()
      .min(0)
      .lt(50)
      .default(0.5)
      .describe('Percent of the darkest and of the brightest pixels clipped before min-max (thesis: 0.5)'),
    resize: z
      .literal('bicubic')
      .default('bicubic')
      .describe('Interpolation used to resize to inputSize (aspect ratio not kept)'),
    normalize: z
      .enum(['zscore', 'percentile'])
      .describe(
        "'zscore': clip, resize, per-image z-score (Part 2); 'percentile': clip, min-max to [0, 1], resize (Part 1)",
      ),
  })
  .describe('How a radiograph becomes the image input (core preprocessRadiograph)');

const ageLike = (source: 'age' | 'predictedAge', what: string) =>
  z
    .strictObject({
      input: text.describe('Name of the model input fed with it'),
      source: z.literal(source),
      unit: z.literal('years').default('years'),
      scale: z.number().positive().describe(`The input is ${what} in years × scale (cxrkit: 0.01)`),
    })
    .describe(`${what}: value = years × scale, shape [batch, 1]`);

/** One entry of `card.fusion`: a scalar model input and its encoding, keyed by `source`. */
export const fusionInputSchema = z.discriminatedUnion('source', [
  ageLike('age', "the patient's age at the study"),
  ageLike('predictedAge', "an age model's predicted age"),
  z
    .strictObject({
      input: text.describe('Name of the model input fed with it'),
      source: z.literal('sex'),
      codes: z.strictObject({ F: z.number(), M: z.number() }).describe('Value fed for each sex (cxrkit: F = 0, M = 1)'),
    })
    .describe("The patient's sex, coded as data: shape [batch, 1]"),
]);

/** `card.task`: what the output means (binary, regression or multiclass). */
export const taskSchema = z.discriminatedUnion('kind', [
  z
    .strictObject({
      kind: z.literal('binary'),
      condition: text.describe("What the screen detects, e.g. 'osteoporosis'"),
      positive: text.describe('What a positive screen (score ≥ threshold) means'),
    })
    .describe('One sigmoid score in [0, 1] per image'),
  z
    .strictObject({
      kind: z.literal('regression'),
      target: text.describe("What the output estimates, e.g. 'age'"),
      unit: text.describe("Unit of the output, e.g. 'years'"),
    })
    .describe('One linear output per image'),
  z
    .strictObject({
      kind: z.literal('multiclass'),
      classes: z.array(text).min(2).describe('Class names in output order (softmax)'),
    })
    .describe('One softmax probability per class'),
]);

/** `card.threshold.rule`: how the threshold was chosen (the rules of chooseThreshold in @cxrkit/metrics). */
export const thresholdRuleSchema = z.discriminatedUnion('method', [
  z.strictObject({ method: z.literal('youden') }).describe("Maximises Youden's J on the tuning set"),
  z
    .strictObject({ method: z.literal('sensitivity'), target: z.number().gt(0).max(1) })
    .describe('Most specific point reaching the sensitivity'),
  z
    .strictObject({ method: z.literal('specificity'), target: z.number().gt(0).max(1) })
    .describe('Most sensitive point reaching the specificity'),
  z.strictObject({ method: z.literal('fixed') }).describe('Set by hand'),
  z.strictObject({ method: z.literal('unrecorded') }).describe('Not recorded (a card migrated from screening.json)'),
]);

/** `card.threshold`: the operating point of a binary screen and where it came from. */
export const thresholdSchema = z
  .strictObject({
    value: proportion.describe('Score at or above which the screen is positive'),
    rule: thresholdRuleSchema.describe('How the value was chosen (chooseThreshold in @cxrkit/metrics)'),
    chosenOn: z
      .strictObject({
        set: text.describe("The split it was chosen on, e.g. 'tuning' (never the test set)"),
        n: count.describe('Images in that split'),
        positives: count.optional().describe('Positives among them'),
      })
      .optional(),
    operatingPoint: z
      .strictObject({ sensitivity: proportion, specificity: proportion })
      .optional()
      .describe('Sensitivity and specificity at the value on that split'),
  })
  .describe('The operating threshold of a binary screen');

const splitCounts = z.strictObject({ train: count, tune: count.optional(), test: count.optional() });

/** `card.trainingData`: a summary of the data the model was trained and tuned on. */
export const trainingDataSchema = z
  .strictObject({
    source: text.describe('Where the images came from'),
    synthetic: z.boolean().describe('True for synthetic radiographs (no clinical meaning)'),
    counts: splitCounts.describe('Images per split'),
    positives: splitCounts.partial().optional().describe('Positive images per split (binary tasks)'),
    splitBy: z.enum(['patient', 'image']).optional().describe('Unit the splits were drawn by'),
    description: z.string().optional(),
  })
  .describe('What the model was trained and tuned on');

const setMetricsSchema = z.strictObject({
  n: count.describe('Images in the set'),
  positives: count.optional(),
  auc: z
    .strictObject({
      value: proportion,
      ci: z.tuple([proportion, proportion]).optional().describe('Confidence interval [lower, upper]'),
      level: z.number().gt(0).lt(1).optional().describe('Confidence level of ci, e.g. 0.95'),
      method: z.enum(['delong', 'bootstrap']).optional(),
    })
    .optional(),
  sensitivity: proportion.optional(),
  specificity: proportion.optional(),
  ppv: proportion.optional(),
  npv: proportion.optional(),
  accuracy: proportion.optional(),
  f1: proportion.optional(),
  r2: z.number().max(1).optional(),
  mae: z.number().min(0).optional().describe('Mean absolute error in the output unit'),
});

/** `card.metrics`: figures per evaluation set (tuning, test, external). */
export const metricsSchema = z
  .strictObject({
    tuning: setMetricsSchema.optional(),
    test: setMetricsSchema.optional(),
    external: setMetricsSchema.optional(),
  })
  .describe('Figures measured at the threshold (binary) on each set');

/** `card.intendedUse`: who and what the model is for (defaults: thesis Part 4). */
export const intendedUseSchema = z
  .strictObject({
    minAge: z
      .number()
      .min(0)
      .default(DEFAULT_INTENDED_USE.minAge)
      .describe('Youngest age (years) the model is intended for'),
    views: z
      .array(text)
      .min(1)
      .default(DEFAULT_INTENDED_USE.views)
      .describe('View positions it was trained on; others are warned about'),
    modalities: z.array(text).min(1).default(DEFAULT_INTENDED_USE.modalities).describe('DICOM modalities expected'),
    bodyParts: z
      .array(text)
      .min(1)
      .default(DEFAULT_INTENDED_USE.bodyParts)
      .describe('Body Part Examined values accepted'),
    population: z.string().optional().describe('Who the model is for, in words'),
  })
  .describe('Who and what the model is for; results outside it carry warnings');

/** The card's fields, before cross-field rules (see `modelCardSchema`). */
export const modelCardShape = z.strictObject({
  schemaVersion: z.literal(MODEL_CARD_SCHEMA_VERSION).default(MODEL_CARD_SCHEMA_VERSION),
  id: z
    .string()
    .regex(/^sha256:[0-9a-f]{64}$/)
    .optional()
    .describe("Content id: 'sha256:' + SHA-256 of the canonical JSON of the card without id (computed when absent)"),
  cxrkitVersion: text.default(CXRKIT_VERSION).describe('cxrkit version that wrote the card'),
  name: text.describe('Model name'),
  description: z.string().optional(),
  architecture: architectureSchema,
  preprocessing: preprocessingSchema,
  fusion: z
    .array(fusionInputSchema)
    .default([])
    .describe('Scalar inputs concatenated with the image features, in model input order'),
  task: taskSchema,
  threshold: thresholdSchema.optional(),
  trainingData: trainingDataSchema.optional(),
  metrics: metricsSchema.optional(),
  intendedUse: intendedUseSchema.default(DEFAULT_INTENDED_USE),
  disclaimer: z.string().default(DEFAULT_DISCLAIMER).describe('Shown with every result'),
  migratedFrom: z.literal('screening.json').optional().describe('Set when the card was migrated from a pre-card file'),
  info: z.record(z.string(), z.unknown()).optional().describe('Anything else worth recording (free-form JSON)'),
});
