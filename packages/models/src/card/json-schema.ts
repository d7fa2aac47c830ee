// The model card as a JSON Schema (draft 2020-12), for editors and tools outside TypeScript. The
// committed copy (packages/models/model-card.schema.json) is written by scripts/write-card-schema.ts and
// checked for staleness by a test. Cross-field rules (refine-card.ts) are not expressible there.
import * as z from 'zod';
import { modelCardSchema } from './refine-card.js';
import { MODEL_CARD_SCHEMA_VERSION } from './version.js';

/** The JSON Schema of what a model card file may contain (defaults shown, not required). */
export function modelCardJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(modelCardSchema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
  const { $schema, ...rest } = schema;
  return {
    $schema,
    $id: `urn:cxrkit:model-card:v${MODEL_CARD_SCHEMA_VERSION}`,
    title: `cxrkit model card, format version ${MODEL_CARD_SCHEMA_VERSION}`,
    description:
      'The one description of a trained cxrkit model (model-card.json). ' +
      'Validate with parseModelCard in @cxrkit/models/card.',
    ...rest,
  };
}
