// The screening card: everything a service needs to know to turn a DICOM into the model's input and
// the model's output into a recommendation. It travels with the model as `screening.json`.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CxrkitError, assertKnownKeys, writeFileAtomic } from '@cxrkit/core/tfjs-free';

/** Name of the card file inside a model directory. */
export const SCREENING_CARD_FILE = 'screening.json';

export interface ScreeningConfig {
  /** What a positive result means, for the report. Default 'osteoporosis'. */
  condition: string;
  /** Square input size in pixels (the model's image input is [batch, size, size, channels]). */
  inputSize: number;
  /** 1 (gray) or 3 (gray stacked to RGB, the thesis's choice for ImageNet-initialised models). */
  channels: 1 | 3;
  /**
   * Per-image normalisation, as the model was trained: 'zscore' (thesis Part 2, osteoporosis) or
   * 'percentile' (clip 0.5/99.5 % then min-max, thesis Part 1, age/sex).
   */
  normalize: 'zscore' | 'percentile';
  /**
   * Score at or above which the screen is positive (refer for DXA). Choose it on the tuning set
   * (e.g. Youden's J or a target sensitivity with `chooseThreshold` from @cxrkit/metrics).
   */
  threshold: number;
  /** Fusion inputs are fed as age × ageScale (years) and sex as F = 0, M = 1. Default 0.01. */
  ageScale: number;
  /** Youngest age (years) the screen is intended for; younger patients get a warning. Thesis Part 4: 50. */
  minAge: number;
  /** Free text shown with every result. */
  disclaimer: string;
  /** Anything else worth recording (model name, training data, tuning AUC, …). */
  info?: Record<string, unknown>;
}

/** Defaults; `inputSize` and `threshold` have none: they belong to a trained model. */
export const SCREENING_DEFAULTS = {
  condition: 'osteoporosis',
  channels: 1,
  normalize: 'zscore',
  ageScale: 0.01,
  minAge: 50,
  disclaimer:
    'Screening aid, not a diagnosis: a positive screen recommends a DXA scan. Intended for adults aged 50 or more with a normal PA chest radiograph.',
} as const satisfies Partial<ScreeningConfig>;

const KEYS = ['condition', 'inputSize', 'channels', 'normalize', 'threshold', 'ageScale', 'minAge', 'disclaimer', 'info'] as const;

function bad(message: string, received: unknown, fix: string): never {
  throw new CxrkitError('SCREENING_CONFIG_INVALID', message, { received, fix, pkg: 'serve' });
}

/** Fills defaults and checks every field; throws `SCREENING_CONFIG_INVALID` naming the field. */
export function resolveScreeningConfig(input: Partial<ScreeningConfig>): ScreeningConfig {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) bad('the screening config must be an object', input, 'pass e.g. { inputSize: 512, threshold: 0.5 }');
  const fix = `use only ${KEYS.join(', ')}`;
  assertKnownKeys(input, KEYS, { code: 'SCREENING_CONFIG_INVALID', pkg: 'serve', what: 'field', fix });
  const c = { ...SCREENING_DEFAULTS, ...input } as ScreeningConfig;
  if (!Number.isInteger(c.inputSize) || c.inputSize < 32 || c.inputSize > 4096) bad('inputSize must be an integer from 32 to 4096', c.inputSize, 'use the size the model was trained at, e.g. 512');
  if (c.channels !== 1 && c.channels !== 3) bad('channels must be 1 or 3', c.channels, 'use the channel count of the model input');
  if (c.normalize !== 'zscore' && c.normalize !== 'percentile') bad("normalize must be 'zscore' or 'percentile'", c.normalize, "use the normalisation the model was trained with");
  if (typeof c.threshold !== 'number' || !Number.isFinite(c.threshold)) bad('threshold must be a finite number', c.threshold, 'choose it on the tuning set (chooseThreshold in @cxrkit/metrics)');
  if (typeof c.ageScale !== 'number' || !(c.ageScale > 0)) bad('ageScale must be a positive number', c.ageScale, 'use 0.01 (age in years / 100) unless the model was trained otherwise');
  if (typeof c.minAge !== 'number' || !(c.minAge >= 0)) bad('minAge must be a non-negative number of years', c.minAge, 'use 50 (thesis Part 4)');
  if (typeof c.condition !== 'string' || c.condition === '') bad('condition must be a non-empty string', c.condition, "use e.g. 'osteoporosis'");
  if (typeof c.disclaimer !== 'string') bad('disclaimer must be a string', c.disclaimer, 'pass a sentence or leave it out');
  return c;
}

/** Reads and validates `<dir>/screening.json`. Throws `SCREENING_CONFIG_MISSING` or `SCREENING_CONFIG_INVALID`. */
export async function readScreeningConfig(dir: string): Promise<ScreeningConfig> {
  const path = join(dir, SCREENING_CARD_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new CxrkitError('SCREENING_CONFIG_MISSING', `no screening card at ${path}`, {
      received: path,
      fix: 'write one with writeScreeningConfig(dir, { inputSize, threshold, … }) next to the saved model',
      pkg: 'serve',
      cause,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new CxrkitError('SCREENING_CONFIG_INVALID', `${path} is not valid JSON (half-written?)`, { received: text.slice(0, 60), fix: 'write it again with writeScreeningConfig', pkg: 'serve', cause });
  }
  return resolveScreeningConfig(parsed as Partial<ScreeningConfig>);
}

/**
 * Validates and writes `<dir>/screening.json` atomically and durably (core's writeFileAtomic: temp file,
 * fsync, rename, fsync of the folder). Returns the resolved card.
 */
export async function writeScreeningConfig(dir: string, config: Partial<ScreeningConfig>): Promise<ScreeningConfig> {
  const resolved = resolveScreeningConfig(config);
  const path = join(dir, SCREENING_CARD_FILE);
  await writeFileAtomic(path, `${JSON.stringify(resolved, null, 2)}\n`);
  return resolved;
}
