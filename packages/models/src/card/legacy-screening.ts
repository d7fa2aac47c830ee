// The pre-card `screening.json` (written by @cxrkit/serve's writeScreeningConfig up to 0.1.0): its schema,
// and its migration to a model card. That file did not record the fusion inputs: the service fed whatever
// the model asked for among age (× ageScale) and sex (F = 0, M = 1), so the migration needs the model's
// input names to write them down.
import * as z from 'zod';
import { issuesError } from './card-issues.js';
import { cardFail } from './errors.js';
import { DEFAULT_DISCLAIMER, DEFAULT_INTENDED_USE } from './schema.js';
import type { ModelCardInput } from './refine-card.js';

/** Name of the pre-card file inside a model folder. */
export const LEGACY_SCREENING_FILE = 'screening.json';

/** The defaults screening.json had; `inputSize` and `threshold` had none. */
export const LEGACY_SCREENING_DEFAULTS = {
  condition: 'osteoporosis',
  channels: 1,
  normalize: 'zscore',
  ageScale: 0.01,
  minAge: 50,
  disclaimer: DEFAULT_DISCLAIMER,
} as const;

/** The fields of screening.json, with its defaults. */
export const legacyScreeningSchema = z.strictObject({
  condition: z.string().min(1).default(LEGACY_SCREENING_DEFAULTS.condition),
  inputSize: z.number().int().min(32).max(4096),
  channels: z.union([z.literal(1), z.literal(3)]).default(LEGACY_SCREENING_DEFAULTS.channels),
  normalize: z.enum(['zscore', 'percentile']).default(LEGACY_SCREENING_DEFAULTS.normalize),
  threshold: z.number(),
  ageScale: z.number().positive().default(LEGACY_SCREENING_DEFAULTS.ageScale),
  minAge: z.number().min(0).default(LEGACY_SCREENING_DEFAULTS.minAge),
  disclaimer: z.string().default(LEGACY_SCREENING_DEFAULTS.disclaimer),
  info: z.record(z.string(), z.unknown()).optional(),
});

/** A validated screening.json, defaults filled (the old `ScreeningConfig` of @cxrkit/serve). */
export type LegacyScreeningConfig = z.output<typeof legacyScreeningSchema>;

const LEGACY_KEYS = Object.keys(legacyScreeningSchema.shape);

/** True for an object in the screening.json shape (no schemaVersion/architecture/task, legacy fields). */
export function isLegacyScreeningJson(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const o = value as Record<string, unknown>;
  if ('schemaVersion' in o || 'architecture' in o || 'task' in o) return false;
  return typeof o['threshold'] === 'number' || LEGACY_KEYS.some((k) => k !== 'threshold' && k !== 'info' && k in o);
}

/**
 * Validates a screening.json object and fills its defaults (`source` names it in messages).
 * @throws CxrkitError `CARD_FIELD_UNKNOWN` (with "did you mean …?"), `CARD_FIELD_MISSING`, `CARD_FIELD_INVALID`.
 */
export function parseLegacyScreeningConfig(input: unknown, source = LEGACY_SCREENING_FILE): LegacyScreeningConfig {
  const r = legacyScreeningSchema.safeParse(input);
  if (!r.success) throw issuesError(r.error.issues, input, legacyScreeningSchema, source);
  return r.data;
}

/**
 * The model card a screening.json stands for: its preprocessing (0.5 % clip, bicubic resize, its
 * normalisation: what the service did), a binary task with its threshold (rule unrecorded), its intended
 * use and disclaimer, and the fusion inputs named in `inputNames` (the model's inputs, image first;
 * 'age' → years × ageScale, 'sex' → F = 0, M = 1, as the service fed them). Without `inputNames` the
 * card has no fusion inputs and the image input is named 'image'.
 * @throws CxrkitError `CARD_LEGACY_INPUT_UNSUPPORTED` for a model input the old service could not feed.
 */
export function migrateScreeningConfig(
  config: LegacyScreeningConfig,
  options: { inputNames?: readonly string[] } = {},
): ModelCardInput {
  const [imageName = 'image', ...extra] = options.inputNames ?? [];
  const fusion = extra.map((name) => {
    if (name === 'age') return { input: 'age', source: 'age' as const, scale: config.ageScale };
    if (name === 'sex') return { input: 'sex', source: 'sex' as const, codes: { F: 0, M: 1 } };
    return cardFail(
      'CARD_LEGACY_INPUT_UNSUPPORTED',
      `screening.json cannot describe the model input '${name}' (the old service fed only age and sex)`,
      name,
      'write a model card for this model (writeModelCard) with its fusion inputs',
    );
  });
  return {
    name: 'screening model (migrated from screening.json)',
    architecture: { inputSize: config.inputSize, channels: config.channels, inputName: imageName },
    preprocessing: { normalize: config.normalize },
    fusion,
    task: {
      kind: 'binary',
      condition: config.condition,
      positive: `high risk of ${config.condition}: refer for a DXA scan`,
    },
    threshold: { value: config.threshold, rule: { method: 'unrecorded' } },
    intendedUse: { ...DEFAULT_INTENDED_USE, minAge: config.minAge },
    disclaimer: config.disclaimer,
    migratedFrom: LEGACY_SCREENING_FILE,
    ...(config.info ? { info: config.info } : {}),
  };
}
