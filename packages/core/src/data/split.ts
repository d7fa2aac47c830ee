/**
 * Patient-level splits (thesis: 70/10/20 "by person, no person in two sets"), seeded and stratified.
 */
import { CxrkitError } from '../errors.js';
import { createRng, deriveSeed } from '../augment/rng.js';

export interface SplitByPatientOptions<R> {
  /** Fractions of train / tune / test (any number of splits; must sum to 1). Default [0.7, 0.1, 0.2]. */
  fractions?: readonly number[];
  /** Names of the splits, same length as `fractions`. Default ['train', 'tune', 'test']. */
  names?: readonly string[];
  /** Seed of the patient shuffle. Default 0. */
  seed?: number | string;
  /** Stratify by this label (e.g. `r => r.osteoporosis`); a patient's stratum is its first record's label. */
  stratifyBy?: (record: R) => string | number | undefined;
  /** Also stratify by sex (`record.sex`). Default false. */
  bySex?: boolean;
  /** Patient id of a record. Default `record.patientId`. */
  patientOf?: (record: R) => string;
}

export interface PatientSplit<R> {
  /** Records per split name, in input order. */
  splits: Record<string, R[]>;
  /** Which split each patient went to. */
  patientSplit: Map<string, string>;
}

/** Largest-remainder allocation of `n` items to parts proportional to `fractions`. */
export function allocate(n: number, fractions: readonly number[]): number[] {
  const raw = fractions.map((f) => f * n);
  const out = raw.map(Math.floor);
  let left = n - out.reduce((a, b) => a + b, 0);
  const order = raw.map((r, i) => [r - Math.floor(r), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; left > 0; k = (k + 1) % order.length, left--) out[order[k]![1]]!++;
  return out;
}

/**
 * Splits records by patient: every patient's records go to exactly one split. Patients are grouped
 * into strata (label, and sex if asked), shuffled with `seed`, and each stratum is cut by the
 * fractions (largest remainder, counted in patients), so label and sex shares are kept in every split.
 *
 * ```ts
 * const { splits } = splitByPatient(records, { seed: 1, stratifyBy: (r) => r.osteoporosis, bySex: true });
 * splits.train; splits.tune; splits.test;
 * ```
 */
export function splitByPatient<R extends { patientId?: string; sex?: string }>(
  records: readonly R[],
  options: SplitByPatientOptions<R> = {},
): PatientSplit<R> {
  const fractions = options.fractions ?? [0.7, 0.1, 0.2];
  const names =
    options.names ?? (fractions.length === 3 ? ['train', 'tune', 'test'] : fractions.map((_, i) => `split${i}`));
  const sum = fractions.reduce((a, b) => a + b, 0);
  if (
    fractions.length < 2 ||
    fractions.some((f) => !(f >= 0)) ||
    Math.abs(sum - 1) > 1e-9 ||
    names.length !== fractions.length ||
    new Set(names).size !== names.length
  ) {
    throw new CxrkitError('SPLIT_BAD_FRACTIONS', 'fractions must be ≥ 0, sum to 1, and match names one-to-one', {
      received: { fractions, names },
      fix: 'pass e.g. { fractions: [0.7, 0.1, 0.2] }',
    });
  }
  const patientOf = options.patientOf ?? ((r: R) => r.patientId as string);
  const byPatient = new Map<string, R[]>();
  records.forEach((r, i) => {
    const p = patientOf(r);
    if (typeof p !== 'string' || p === '')
      throw new CxrkitError('SPLIT_NO_PATIENT', `record ${i} has no patient id`, {
        received: p,
        fix: 'give every record a patientId (or pass patientOf)',
      });
    const list = byPatient.get(p);
    if (list) list.push(r);
    else byPatient.set(p, [r]);
  });
  const strata = new Map<string, string[]>();
  for (const [p, list] of byPatient) {
    const first = list[0]!;
    const key = `${options.stratifyBy ? String(options.stratifyBy(first)) : ''}|${options.bySex ? String(first.sex) : ''}`;
    const s = strata.get(key);
    if (s) s.push(p);
    else strata.set(key, [p]);
  }
  const patientSplit = new Map<string, string>();
  for (const key of [...strata.keys()].sort()) {
    // sort, then shuffle with a stratum-specific seed: independent of Map insertion order
    const patients = strata.get(key)!.slice().sort();
    const shuffled = createRng(deriveSeed(options.seed ?? 0, 'split', key)).shuffle(patients);
    const counts = allocate(shuffled.length, fractions);
    let k = 0;
    counts.forEach((c, s) => {
      for (let j = 0; j < c; j++) patientSplit.set(shuffled[k++]!, names[s]!);
    });
  }
  const splits: Record<string, R[]> = Object.fromEntries(names.map((n) => [n, [] as R[]]));
  for (const r of records) splits[patientSplit.get(patientOf(r))!]!.push(r);
  return { splits, patientSplit };
}
