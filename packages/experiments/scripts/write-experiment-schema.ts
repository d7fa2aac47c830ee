// Writes packages/experiments/experiment.schema.json from the zod schema (a test checks it is not stale):
//   npx tsx --conditions=cxrkit-source packages/experiments/scripts/write-experiment-schema.ts
import { writeFileSync } from 'node:fs';
import { experimentJsonSchema } from '../src/schema/json-schema.js';

writeFileSync(
  new URL('../experiment.schema.json', import.meta.url),
  `${JSON.stringify(experimentJsonSchema(), null, 2)}\n`,
);
