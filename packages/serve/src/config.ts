// The pre-card screening file (`screening.json`), kept so that old code and old model folders keep working.
// @deprecated: a model is described by its model card (`model-card.json`, @cxrkit/models/card), which the
// service reads; `readModelCard(dir)` also reads (and migrates) a screening.json.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CxrkitError, describeValue, isCxrkitError, writeFileAtomic } from '@cxrkit/core/tfjs-free';
import {
  LEGACY_SCREENING_DEFAULTS,
  LEGACY_SCREENING_FILE,
  MODEL_CARD_FILE,
  parseLegacyScreeningConfig,
  readModelCard,
  type LegacyScreeningConfig,
  type ModelCard,
} from '@cxrkit/models/card';

/**
 * Name of the pre-card file inside a model directory.
 * @deprecated the model card is `model-card.json` (MODEL_CARD_FILE in @cxrkit/models/card).
 */
export const SCREENING_CARD_FILE = LEGACY_SCREENING_FILE;

/**
 * The pre-card description of a screening model (condition, inputSize, channels, normalize, threshold,
 * ageScale, minAge, disclaimer, info).
 * @deprecated use `ModelCard` from @cxrkit/models/card; `parseModelCard` migrates this shape.
 */
export type ScreeningConfig = LegacyScreeningConfig;

/**
 * Defaults of the pre-card file; `inputSize` and `threshold` have none.
 * @deprecated the model card has its own defaults (DEFAULT_INTENDED_USE, DEFAULT_DISCLAIMER).
 */
export const SCREENING_DEFAULTS = LEGACY_SCREENING_DEFAULTS;

/** The same error under this module's code, its message without the card error's prefix and suffixes. */
function recode(e: CxrkitError, code: string): CxrkitError {
  let body = e.message.replace(/^\[cxrkit\/[^\]]+\] [A-Z0-9_]+: /, '');
  const fix = e.fix ? ` Fix: ${e.fix}` : '';
  if (fix && body.endsWith(fix)) body = body.slice(0, -fix.length);
  const received = ` (received: ${describeValue(e.received)})`;
  if (body.endsWith(received)) body = body.slice(0, -received.length);
  return new CxrkitError(code, body, { received: e.received, fix: e.fix, pkg: 'serve', cause: e });
}

/**
 * Fills defaults and checks every field; throws `SCREENING_CONFIG_INVALID` naming the field.
 * @deprecated use `parseModelCard` (@cxrkit/models/card), which migrates this shape to a model card.
 */
export function resolveScreeningConfig(input: Partial<ScreeningConfig>): ScreeningConfig {
  try {
    return parseLegacyScreeningConfig(input, 'screening config');
  } catch (e) {
    throw isCxrkitError(e) ? recode(e, 'SCREENING_CONFIG_INVALID') : e;
  }
}

/**
 * The pre-card view of a binary model card (what old callers of readScreeningConfig expect).
 * @deprecated read the card itself.
 */
export function screeningConfigFromCard(card: ModelCard): ScreeningConfig {
  if (card.task.kind !== 'binary' || card.threshold === undefined) {
    throw new CxrkitError('SCREENING_CONFIG_INVALID', `a ${card.task.kind} model card has no screening config`, {
      received: card.task.kind,
      fix: 'read the card with readModelCard (@cxrkit/models/card)',
      pkg: 'serve',
    });
  }
  const age = card.fusion.find((f) => f.source === 'age');
  return {
    condition: card.task.condition,
    inputSize: card.architecture.inputSize,
    channels: card.architecture.channels,
    normalize: card.preprocessing.normalize,
    threshold: card.threshold.value,
    ageScale: age && 'scale' in age ? age.scale : LEGACY_SCREENING_DEFAULTS.ageScale,
    minAge: card.intendedUse.minAge,
    disclaimer: card.disclaimer,
    ...(card.info ? { info: card.info } : {}),
  };
}

/**
 * Reads and validates `<dir>/screening.json`; a folder with only a `model-card.json` gives that card's
 * pre-card view. Throws `SCREENING_CONFIG_MISSING` or `SCREENING_CONFIG_INVALID`.
 * @deprecated use `readModelCard(dir)` (@cxrkit/models/card): it reads model-card.json and migrates screening.json.
 */
export async function readScreeningConfig(dir: string): Promise<ScreeningConfig> {
  const path = join(dir, SCREENING_CARD_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    const card = await readModelCard(dir).catch(() => undefined);
    if (card) return screeningConfigFromCard(card);
    throw new CxrkitError('SCREENING_CONFIG_MISSING', `no screening card at ${path} (nor ${MODEL_CARD_FILE})`, {
      received: path,
      fix: 'save the model with its card: saveModel(model, dir, { card }) (@cxrkit/models)',
      pkg: 'serve',
      cause,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new CxrkitError('SCREENING_CONFIG_INVALID', `${path} is not valid JSON (half-written?)`, {
      received: text.slice(0, 60),
      fix: 'write it again with writeScreeningConfig',
      pkg: 'serve',
      cause,
    });
  }
  return resolveScreeningConfig(parsed as Partial<ScreeningConfig>);
}

/**
 * Validates and writes `<dir>/screening.json` atomically and durably (core's writeFileAtomic: temp file,
 * fsync, rename, fsync of the folder). Returns the resolved config.
 * @deprecated write a model card: `saveModel(model, dir, { card })` or `writeModelCard(dir, card)`.
 */
export async function writeScreeningConfig(dir: string, config: Partial<ScreeningConfig>): Promise<ScreeningConfig> {
  const resolved = resolveScreeningConfig(config);
  const path = join(dir, SCREENING_CARD_FILE);
  await writeFileAtomic(path, `${JSON.stringify(resolved, null, 2)}\n`);
  return resolved;
}
