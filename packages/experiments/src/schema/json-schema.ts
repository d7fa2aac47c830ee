// The experiment file as a JSON Schema (draft 2020-12) for editors (`$schema:` in a YAML/JSON file) and
// tools outside TypeScript. The committed copy (packages/experiments/experiment.schema.json) is written
// by scripts/write-experiment-schema.ts and checked for staleness by a test. Cross-field rules (run ids
// that exist, one dataset source) are checked by loadExperiment, not expressible here.
import * as z from 'zod';
import { experimentSchema } from './experiment-schema.js';

/** The JSON Schema of an experiment file (defaults shown, not required). */
export function experimentJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(experimentSchema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
  const { $schema, ...rest } = schema;
  return {
    $schema,
    $id: 'urn:cxrkit:experiment:v1',
    title: 'cxrkit experiment file',
    description:
      'A declarative cxrkit study: dataset, tasks, runs, training, evaluation, comparisons. Run it with `cxrkit experiment FILE --out DIR`.',
    ...rest,
  };
}
