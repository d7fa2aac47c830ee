// parseModelCard: JSON (text or object) → a validated ModelCard with its content id. Accepts the current
// format and migrates older ones (the pre-card screening.json).
import { computeCardId } from './card-id.js';
import { issuesError } from './card-issues.js';
import { cardFail } from './errors.js';
import { isLegacyScreeningJson, migrateScreeningConfig, parseLegacyScreeningConfig } from './legacy-screening.js';
import { modelCardSchema, type ModelCard, type ModelCardInput } from './refine-card.js';
import { MODEL_CARD_SCHEMA_VERSION } from './version.js';

/** Options of {@link parseModelCard}. */
export interface ParseModelCardOptions {
  /**
   * The model's input names, image first (`model.inputNames`, `predictor.inputNames`): used only to
   * migrate a screening.json, which did not record the fusion inputs.
   */
  inputNames?: readonly string[];
  /** Where the card came from (a file path), named in error messages. */
  source?: string;
}

/**
 * Validates a model card (JSON text or a parsed object), fills its defaults and computes its content id
 * (see card-id.ts). A screening.json object is migrated first. The returned card's keys are in a fixed
 * order (schemaVersion, id, then the fields), ready to be written.
 * @throws CxrkitError `CARD_NOT_JSON`, `CARD_NOT_OBJECT`, `CARD_VERSION_UNSUPPORTED` (a newer format),
 *   `CARD_FIELD_UNKNOWN` (with "did you mean …?"), `CARD_FIELD_MISSING`, `CARD_FIELD_INVALID`,
 *   `CARD_THRESHOLD_MISSING` (a binary screen without threshold), `CARD_ID_MISMATCH` (the content changed
 *   but the id did not: an edited card), `CARD_LEGACY_INPUT_UNSUPPORTED`.
 */
export function parseModelCard(json: unknown, options: ParseModelCardOptions = {}): ModelCard {
  const what = options.source ? `model card ${options.source}` : 'model card';
  let input = json;
  if (typeof json === 'string') {
    try {
      input = JSON.parse(json);
    } catch (cause) {
      cardFail(
        'CARD_NOT_JSON',
        `the ${what} is not valid JSON (half-written?)`,
        json.slice(0, 60),
        'write it again with writeModelCard',
        cause,
      );
    }
  }
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    cardFail(
      'CARD_NOT_OBJECT',
      `the ${what} must be a JSON object`,
      input,
      'pass the object writeModelCard wrote (model-card.json)',
    );
  }
  if (isLegacyScreeningJson(input))
    input = migrateScreeningConfig(parseLegacyScreeningConfig(input, options.source), options);
  const version = (input as { schemaVersion?: unknown }).schemaVersion;
  if (typeof version === 'number' && version > MODEL_CARD_SCHEMA_VERSION) {
    cardFail(
      'CARD_VERSION_UNSUPPORTED',
      `the ${what} is format version ${version}; this cxrkit reads up to ${MODEL_CARD_SCHEMA_VERSION}`,
      version,
      'upgrade @cxrkit/models',
    );
  }
  const r = modelCardSchema.safeParse(input);
  if (!r.success) throw issuesError(r.error.issues, input, modelCardSchema, what);
  const { schemaVersion, id: given, ...fields } = r.data;
  const id = computeCardId(r.data);
  if (given !== undefined && given !== id) {
    cardFail(
      'CARD_ID_MISMATCH',
      `the ${what}'s id ${given} does not match its content (${id}): it was edited after it was written`,
      given,
      'remove the "id" field (it is recomputed), or restore the original card',
    );
  }
  return { schemaVersion, id, ...fields };
}

/** A card from typed input (defaults filled, id computed): `parseModelCard` for code that writes a card. */
export function createModelCard(input: ModelCardInput): ModelCard {
  return parseModelCard(input);
}
