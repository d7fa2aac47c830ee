// zod's validation issues → one CxrkitError that names the field, the value received and the fix, with
// "did you mean …?" for a misspelt field or option (core's didYouMean over the keys the schema allows there).
import type * as z from 'zod';
import { didYouMean, type CxrkitError } from '@cxrkit/core/tfjs-free';
import { cardError } from './errors.js';

type Issue = z.core.$ZodIssue;
type Path = readonly PropertyKey[];
// zod 4 keeps a schema's definition at `_zod.def` (its documented introspection point).
type Def = { type: string; [k: string]: unknown };
const defOf = (s: unknown): Def => (s as { _zod: { def: Def } })._zod.def;

/** What to do about a bad field, by field path (array indices written `[]`). */
const FIXES: Record<string, string> = {
  name: "name the model, e.g. 'osteoporosis_inception_v3'",
  'architecture.backbone': "use a registry key (listModels()) or 'custom:<name>'",
  'architecture.inputSize': 'use the square size the model was trained at, e.g. 512',
  'architecture.channels': 'use the channel count of the model input: 1 (gray) or 3 (stacked gray)',
  'preprocessing.normalize': "use the normalisation the model was trained with: 'zscore' or 'percentile'",
  'preprocessing.clipPercent': 'use the percent clipped at each end before min-max: 0.5 as in the thesis',
  'fusion[].scale': 'use 0.01 (age in years / 100) unless the model was trained otherwise',
  'fusion[].codes': 'give the value fed for each sex, e.g. { "F": 0, "M": 1 }',
  'fusion[].source': "use 'age', 'sex' or 'predictedAge'",
  'task.kind': "use 'binary', 'regression' or 'multiclass'",
  threshold: 'choose it on the tuning set (chooseThreshold in @cxrkit/metrics) and record it',
  'threshold.value': 'a threshold on a sigmoid score lies in [0, 1]',
  'threshold.rule.method': "use 'youden', 'sensitivity', 'specificity', 'fixed' or 'unrecorded'",
  'intendedUse.minAge': 'use 50 (thesis Part 4)',
  schemaVersion: 'write the current version, or leave it out',
  inputSize: 'use the size the model was trained at, e.g. 512',
  ageScale: 'use 0.01 (age in years / 100) unless the model was trained otherwise',
  minAge: 'use 50 (thesis Part 4)',
  normalize: 'use the normalisation the model was trained with',
};

/** `fusion[1].scale` for the path ['fusion', 1, 'scale']. */
export function fieldName(path: Path): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${String(p)}`;
  return out;
}

const fixKey = (path: Path) => fieldName(path).replace(/\[\d+\]/g, '[]');

function valueAt(input: unknown, path: Path): unknown {
  let v = input;
  for (const p of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[p] : undefined;
  return v;
}

function unwrap(schema: unknown): unknown {
  let s = schema;
  for (;;) {
    const d = defOf(s);
    if (['optional', 'default', 'prefault', 'nullable', 'readonly', 'catch'].includes(d.type)) s = d['innerType'];
    else if (d.type === 'pipe') s = d['in'];
    else return s;
  }
}

/** The option of a (discriminated) union that `value` selects, else the schema itself. */
function pickOption(schema: unknown, value: unknown): unknown {
  const d = defOf(schema);
  if (d.type !== 'union') return schema;
  const disc = d['discriminator'] as string | undefined;
  const options = d['options'] as unknown[];
  if (!disc || value === null || typeof value !== 'object') return schema;
  const tag = (value as Record<string, unknown>)[disc];
  return (
    options.find((o) => {
      const field =
        defOf(unwrap(o)).type === 'object' ? (defOf(unwrap(o))['shape'] as Record<string, unknown>)[disc] : undefined;
      return field !== undefined && ((defOf(field)['values'] as unknown[] | undefined) ?? []).includes(tag);
    }) ?? schema
  );
}

/** The field names the schema allows in the object at `path` (for did-you-mean), if it is an object there. */
export function keysAt(schema: unknown, path: Path, input: unknown): string[] | undefined {
  let s = unwrap(schema);
  let v = input;
  for (const p of path) {
    s = unwrap(pickOption(s, v));
    const d = defOf(s);
    if (d.type === 'object') s = (d['shape'] as Record<string, unknown>)[String(p)];
    else if (d.type === 'array') s = d['element'];
    else if (d.type === 'record') s = d['valueType'];
    else return undefined;
    if (s === undefined) return undefined;
    s = unwrap(s);
    v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[p] : undefined;
  }
  const d = defOf(unwrap(pickOption(s, v)));
  return d.type === 'object' ? Object.keys(d['shape'] as object) : undefined;
}

/** Allowed string values an issue lists (an enum, a literal, a union's discriminator or member enum). */
function allowedValues(issue: Issue): string[] {
  if (issue.code === 'invalid_value') return issue.values.filter((v): v is string => typeof v === 'string');
  if (issue.code === 'invalid_union') {
    const options = (issue as { options?: unknown[] }).options;
    if (options) return options.filter((v): v is string => typeof v === 'string');
    return issue.errors.flat().flatMap((e) => allowedValues(e));
  }
  return [];
}

function requirement(issue: Issue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `must be ${issue.expected === 'int' ? 'an integer' : `of type ${issue.expected}`}`;
    case 'too_small': {
      if (issue.origin === 'array') return `must have at least ${String(issue.minimum)} items`;
      if (issue.origin === 'string') return `must be at least ${String(issue.minimum)} characters long`;
      return `must be ${issue.inclusive ? '≥' : '>'} ${String(issue.minimum)}`;
    }
    case 'too_big':
      return `must be ${issue.inclusive ? '≤' : '<'} ${String(issue.maximum)}`;
    case 'invalid_value':
      return `must be ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}`;
    case 'invalid_union': {
      const allowed = allowedValues(issue);
      return allowed.length
        ? `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`
        : 'matches none of the allowed forms';
    }
    default:
      return issue.message;
  }
}

interface Problem {
  code: string;
  message: string;
  received: unknown;
  fix: string;
}

function problems(issue: Issue, input: unknown, schema: unknown, what: string): Problem[] {
  const field = fieldName(issue.path);
  const label = field ? `field '${field}'` : `the ${what}`;
  const received = valueAt(input, issue.path);
  const schemaHint = what.startsWith('model card') ? ' (see model-card.schema.json in @cxrkit/models)' : '';
  const fix =
    FIXES[fixKey(issue.path)] ?? (field ? `correct '${field}'${schemaHint}` : `pass a JSON object${schemaHint}`);
  if (issue.code === 'unrecognized_keys') {
    const known = keysAt(schema, issue.path, input) ?? [];
    return issue.keys.map((key) => {
      const guess = didYouMean(key, known);
      const at = (k: string) => fieldName([...issue.path, k]);
      return {
        code: 'CARD_FIELD_UNKNOWN',
        message: `unknown field '${at(key)}'${guess ? ` — did you mean '${at(guess)}'?` : ''}`,
        received: key,
        fix: known.length ? `use only ${known.join(', ')}${field ? ` in '${field}'` : ''}` : 'remove it',
      };
    });
  }
  if (issue.code === 'custom' && issue.params && typeof issue.params['code'] === 'string') {
    return [
      {
        code: issue.params['code'],
        message: `${field ? `'${field}': ` : ''}${issue.message}`,
        received,
        fix: String(issue.params['fix']),
      },
    ];
  }
  if (
    received === undefined &&
    (issue.code === 'invalid_type' || issue.code === 'invalid_union' || issue.code === 'invalid_value')
  ) {
    return [{ code: 'CARD_FIELD_MISSING', message: `${label} is missing`, received, fix }];
  }
  const guess = typeof received === 'string' ? didYouMean(received, allowedValues(issue)) : undefined;
  return [
    {
      code: 'CARD_FIELD_INVALID',
      message: `${label} ${requirement(issue)}${guess ? ` — did you mean '${guess}'?` : ''}`,
      received,
      fix,
    },
  ];
}

const rank = (p: Problem) => (p.code === 'CARD_FIELD_UNKNOWN' ? 0 : 1);

/**
 * One CxrkitError for every issue zod found in `input`: the code, value and fix of the first
 * (`CARD_FIELD_UNKNOWN`, `CARD_FIELD_MISSING`, `CARD_FIELD_INVALID`, `CARD_THRESHOLD_MISSING`), the message
 * listing up to six of them. `what` names the document, e.g. 'model card' or 'screening.json'.
 */
export function issuesError(issues: readonly Issue[], input: unknown, schema: unknown, what: string): CxrkitError {
  // a misspelt field explains the "missing" one beside it: unknown fields first
  const all = issues.flatMap((i) => problems(i, input, schema, what)).sort((a, b) => rank(a) - rank(b));
  const first = all[0] ?? {
    code: 'CARD_FIELD_INVALID',
    message: 'invalid',
    received: input,
    fix: 'see model-card.schema.json in @cxrkit/models',
  };
  const shown = all.slice(0, 6).map((p) => p.message);
  if (all.length > 6) shown.push(`and ${all.length - 6} more`);
  return cardError(first.code, `invalid ${what}: ${shown.join('; ')}`, first.received, first.fix);
}
