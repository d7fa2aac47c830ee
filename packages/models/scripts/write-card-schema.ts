// Writes packages/models/model-card.schema.json, the JSON Schema of the model card, from the zod schema.
// A test (src/card/json-schema.test.ts) fails when the committed file is stale.
//   npx tsx --conditions=cxrkit-source packages/models/scripts/write-card-schema.ts
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { modelCardJsonSchema } from '../src/card/json-schema.js';

const file = fileURLToPath(new URL('../model-card.schema.json', import.meta.url));
writeFileSync(file, `${JSON.stringify(modelCardJsonSchema(), null, 2)}\n`);
console.log(`wrote ${file}`);
