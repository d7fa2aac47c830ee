// zod issues → one typed error naming the field, the value and the fix, with "did you mean" for a
// mistyped key or enum value (the candidates are read from the schema at the issue's path).
import { didYouMean } from '@cxrkit/core/tfjs-free';
import type * as z from 'zod';
import { experimentsError } from '../errors.js';

type Def = {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
  valueType?: z.ZodType;
  items?: z.ZodType[];
};

const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** The object schemas a value at `path` may be validated by (unions give several). */
function schemasAt(schema: z.ZodType, path: readonly PropertyKey[]): z.ZodType[] {
  let current: z.ZodType[] = [schema];
  const unwrap = (s: z.ZodType): z.ZodType[] => {
    const d = defOf(s);
    if (
      (d.type === 'optional' || d.type === 'default' || d.type === 'nullable' || d.type === 'prefault') &&
      d.innerType
    )
      return unwrap(d.innerType);
    if (d.type === 'union' && d.options) return d.options.flatMap(unwrap);
    return [s];
  };
  current = current.flatMap(unwrap);
  for (const key of path) {
    const next: z.ZodType[] = [];
    for (const s of current) {
      const d = defOf(s);
      if (d.type === 'object' && d.shape && typeof key === 'string' && d.shape[key]) next.push(d.shape[key]);
      else if (d.type === 'array' && d.element && typeof key === 'number') next.push(d.element);
      else if (d.type === 'tuple' && d.items && typeof key === 'number' && d.items[key]) next.push(d.items[key]);
      else if (d.type === 'record' && d.valueType) next.push(d.valueType);
    }
    current = next.flatMap(unwrap);
  }
  return current;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const k of path) v = v != null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  return v;
}

const fieldName = (path: readonly PropertyKey[]) =>
  path.length === 0
    ? '(top level)'
    : path
        .map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`))
        .join('')
        .replace(/^\./, '');

/**
 * Turns the first zod issue into `EXPERIMENT_INVALID`: "<file>: <field>: <problem> — did you mean …",
 * received = the value, fix = what to write instead.
 */
export function issueToError(schema: z.ZodType, input: unknown, issues: readonly z.core.$ZodIssue[], file: string) {
  const issue = pickIssue(issues);
  const path = issue.path as PropertyKey[];
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    const known = schemasAt(schema, path).flatMap((s) => Object.keys(defOf(s).shape ?? {}));
    const guess = didYouMean(key, known);
    const where = fieldName([...path, key]);
    return experimentsError(
      'EXPERIMENT_UNKNOWN_KEY',
      `${file}: unknown field '${where}'${guess ? ` — did you mean '${guess}'?` : ''}`,
      {
        received: key,
        fix: known.length ? `use one of ${[...new Set(known)].join(', ')}` : 'remove it',
      },
    );
  }
  const received = valueAt(input, path);
  const where = fieldName(path);
  if (issue.code === 'invalid_value' && 'values' in issue) {
    const values = issue.values.map(String);
    const guess = typeof received === 'string' ? didYouMean(received, values) : undefined;
    return experimentsError(
      'EXPERIMENT_INVALID',
      `${file}: ${where}: ${JSON.stringify(received)} is not allowed${guess ? ` — did you mean '${guess}'?` : ''}`,
      {
        received,
        fix: `use one of ${values.join(', ')}`,
      },
    );
  }
  if (issue.code === 'invalid_union') {
    const values = schemasAt(schema, path).flatMap((s) => {
      const d = defOf(s) as Def & { values?: unknown[]; entries?: Record<string, unknown> };
      if (d.type === 'literal' && d.values) return d.values.map(String);
      if (d.type === 'enum' && d.entries) return Object.values(d.entries).map(String);
      if (d.type === 'object' && d.shape) return [`{ ${Object.keys(d.shape).join(', ')} }`];
      return [];
    });
    const guess = typeof received === 'string' ? didYouMean(received, values) : undefined;
    return experimentsError(
      'EXPERIMENT_INVALID',
      `${file}: ${where}: ${JSON.stringify(received)} is not allowed${guess ? ` — did you mean '${guess}'?` : ''}`,
      {
        received,
        fix: values.length ? `use one of ${values.join(', ')}` : issue.message,
      },
    );
  }
  const missing = received === undefined && issue.code === 'invalid_type';
  return experimentsError('EXPERIMENT_INVALID', `${file}: ${where}: ${missing ? 'missing' : issue.message}`, {
    received,
    fix: missing ? `add ${where} (${issue.message.replace(/^Invalid input: /, '')})` : `fix ${where}: ${issue.message}`,
  });
}

/** A union's issues replaced by those of the branch that got furthest (the longest path), recursively. */
function flatten(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  return issues.flatMap((i) => {
    const branches = i.code === 'invalid_union' ? (i as { errors?: z.core.$ZodIssue[][] }).errors : undefined;
    if (!branches?.length) return [i];
    const depth = (b: z.core.$ZodIssue[]) =>
      Math.max(...b.map((x) => x.path.length + (x.code === 'invalid_union' ? 0.5 : 0)));
    const best = branches.reduce((a, b) => (depth(b) > depth(a) ? b : a));
    // a branch that failed at the union's own level on type only (e.g. an object given a string) says nothing
    if (depth(best) === 0 && best.every((x) => x.code === 'invalid_type')) return [i];
    return flatten(best.map((x) => ({ ...x, path: [...i.path, ...x.path] }) as z.core.$ZodIssue));
  });
}

/** The most useful issue: an unknown key first (typos), then the deepest path. */
function pickIssue(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue {
  const all = flatten(issues);
  const unknown = all.find((i) => i.code === 'unrecognized_keys');
  if (unknown) return unknown;
  return [...all].sort((a, b) => b.path.length - a.path.length)[0]!;
}
