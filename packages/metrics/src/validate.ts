// Input checks shared by every metric: numeric arrays of equal, non-zero length, no NaN, binary labels.
import { MetricsError } from './errors.js';

/** Arrays or typed arrays of numbers: what every metric takes. */
export type NumericArray = ArrayLike<number>;
/** Binary labels: 0/1 numbers or booleans (1/true = positive class). */
export type BinaryLabels = ArrayLike<number> | ArrayLike<boolean>;

/** Checks `a` is array-like numbers with no NaN (Infinity allowed only when `allowInfinite`); returns it as Float64Array. */
export function toFiniteNumbers(a: unknown, name: string, allowInfinite = false): Float64Array {
  if (a === null || typeof a !== 'object' || typeof (a as { length?: unknown }).length !== 'number') {
    throw new MetricsError('METRICS_NOT_ARRAY', `${name} must be an array or typed array of numbers`, {
      received: a,
      fix: `pass ${name} as number[] or Float32Array/Float64Array`,
    });
  }
  const arr = a as ArrayLike<unknown>;
  const out = new Float64Array(arr.length);
  for (let i = 0; i < arr.length; i++) {
    const v = arr[i];
    const x = typeof v === 'boolean' ? Number(v) : v;
    if (typeof x !== 'number' || Number.isNaN(x) || (!allowInfinite && !Number.isFinite(x))) {
      throw new MetricsError('METRICS_NAN', `${name}[${i}] is ${describe(v)}; metrics need finite numbers`, {
        received: v,
        fix: `drop or impute the cases with missing ${name} before computing metrics (the result would be silently wrong otherwise)`,
      });
    }
    out[i] = x;
  }
  return out;
}

function describe(v: unknown): string {
  return typeof v === 'number' ? String(v) : typeof v;
}

/** Checks labels are all 0 or 1 (or booleans); returns them as Uint8Array. */
export function toBinaryLabels(a: unknown, name = 'yTrue'): Uint8Array {
  const x = toFiniteNumbers(a, name);
  const out = new Uint8Array(x.length);
  for (let i = 0; i < x.length; i++) {
    if (x[i] !== 0 && x[i] !== 1) {
      throw new MetricsError('METRICS_NOT_BINARY', `${name}[${i}] is ${x[i]}, but binary labels must be 0 or 1`, {
        received: x[i],
        fix: `map the positive class to 1 and the negative class to 0 (e.g. yTrue.map(v => v === 'osteoporosis' ? 1 : 0))`,
      });
    }
    out[i] = x[i]!;
  }
  return out;
}

/** Throws unless every array has the same, non-zero length; returns it. */
export function checkLengths(arrays: Record<string, { length: number }>, allowEmpty = false): number {
  const entries = Object.entries(arrays);
  const n = entries[0]![1].length;
  for (const [name, a] of entries) {
    if (a.length !== n) {
      throw new MetricsError(
        'METRICS_LENGTH_MISMATCH',
        `${entries.map(([k, v]) => `${k} has ${v.length}`).join(', ')} elements; they must match case by case`,
        {
          received: Object.fromEntries(entries.map(([k, v]) => [k, v.length])),
          fix: `pass one value per case in ${name} and ${entries[0]![0]}`,
        },
      );
    }
  }
  if (n === 0 && !allowEmpty) {
    throw new MetricsError('METRICS_EMPTY', `${entries.map(([k]) => k).join(' and ')} are empty`, {
      received: 0,
      fix: 'pass at least one case (check the filter that produced the arrays)',
    });
  }
  return n;
}

/** Checks a confidence level is in (0, 1). */
export function checkLevel(level: number): void {
  if (typeof level !== 'number' || !(level > 0 && level < 1)) {
    throw new MetricsError('METRICS_BAD_LEVEL', 'the confidence level must be a number strictly between 0 and 1', {
      received: level,
      fix: 'pass e.g. 0.95 for a 95 % interval (not 95)',
    });
  }
}
