/**
 * Stress-test samplers from the thesis, each with a report of how well the age distributions match
 * (two-sample Kolmogorov–Smirnov statistic):
 * (a) {@link sampleAgeMatched}: N images with the population's age distribution;
 * (b) {@link sampleBalanced}: N per class, half men and half women, identical age histograms in every
 *     class × sex cell (the thesis's 1,677 / 185 osteoporosis stress set);
 * (c) {@link sampleSexLadder}: the sex-classification ladder 800/100, 450/50, 180/20 (train/tune).
 * Sampling is by image; split by patient FIRST, then sample inside each split. The KS test itself is
 * `ksTwoSample` of @cxrkit/metrics (re-exported from @cxrkit/core for compatibility).
 */
import { ksTwoSample, type KsResult } from '@cxrkit/metrics';
import { CxrkitError } from '../errors.js';
import { createRng, deriveSeed } from '../augment/rng.js';
import { allocate } from './split.js';

function ageBin(age: number, binWidth: number): number {
  return Math.floor(age / binWidth);
}

function requireAges<R extends { age?: number }>(records: readonly R[], what: string): void {
  const bad = records.findIndex((r) => typeof r.age !== 'number' || !Number.isFinite(r.age));
  if (bad >= 0)
    throw new CxrkitError('SAMPLER_NO_AGE', `${what}: record ${bad} has no age`, {
      received: records[bad]?.age,
      fix: 'filter records without age first (filterByAge)',
    });
}

export interface AgeMatchedSample<R> {
  records: R[];
  /** KS test of the sample's ages against the population's. */
  ks: KsResult;
}

/**
 * (a) Subsample `n` records keeping the age distribution: proportional allocation over age bins
 * (`binWidth` years, largest remainder), random within each bin.
 */
export function sampleAgeMatched<R extends { age?: number }>(
  records: readonly R[],
  n: number,
  options: { seed?: number | string; binWidth?: number } = {},
): AgeMatchedSample<R> {
  requireAges(records, 'sampleAgeMatched');
  if (!Number.isInteger(n) || n < 1 || n > records.length)
    throw new CxrkitError('SAMPLER_BAD_SIZE', `n must be an integer in 1…${records.length}`, {
      received: n,
      fix: `ask for at most ${records.length} records`,
    });
  const binWidth = options.binWidth ?? 5;
  const bins = new Map<number, number[]>();
  records.forEach((r, i) => {
    const b = ageBin(r.age!, binWidth);
    const l = bins.get(b);
    if (l) l.push(i);
    else bins.set(b, [i]);
  });
  const keys = [...bins.keys()].sort((p, q) => p - q);
  const counts = allocate(
    n,
    keys.map((k) => bins.get(k)!.length / records.length),
  );
  const picked: number[] = [];
  keys.forEach((k, j) => {
    const rng = createRng(deriveSeed(options.seed ?? 0, 'age-matched', k));
    picked.push(...rng.shuffle(bins.get(k)!).slice(0, counts[j]));
  });
  picked.sort((p, q) => p - q);
  const out = picked.map((i) => records[i]!);
  return {
    records: out,
    ks: ksTwoSample(
      out.map((r) => r.age!),
      records.map((r) => r.age!),
    ),
  };
}

export interface BalancedSample<R> {
  records: R[];
  /** Records per cell (`<class>|<sex>` or `<group>`). */
  counts: Record<string, number>;
  /** Largest KS statistic between the ages of any two cells (0 = identical histograms at bin level). */
  maxKs: KsResult;
  /** KS of every pair of cells. */
  pairs: Array<{ a: string; b: string; ks: KsResult }>;
}

/**
 * Core of (b) and (c): draws `perCell` records from every cell (`cellOf(record)`) so that every cell
 * has the SAME count in every age bin (hence matched age distributions). Bins are allocated in
 * proportion to the smallest cell's availability. `cells` lists the cells that must be present.
 * @throws CxrkitError `SAMPLER_NOT_ENOUGH` when the common age support cannot provide `perCell`.
 */
export function sampleMatchedCells<R extends { age?: number }>(
  records: readonly R[],
  options: {
    cells: readonly string[];
    cellOf: (r: R) => string | undefined;
    perCell: number | Record<string, number>;
    seed?: number | string;
    binWidth?: number;
  },
): BalancedSample<R> {
  requireAges(records, 'sampleMatchedCells');
  const binWidth = options.binWidth ?? 5;
  const { cells } = options;
  const per = (c: string) => (typeof options.perCell === 'number' ? options.perCell : (options.perCell[c] ?? 0));
  const table = new Map<string, Map<number, number[]>>(cells.map((c) => [c, new Map()]));
  records.forEach((r, i) => {
    const c = options.cellOf(r);
    if (c === undefined || !table.has(c)) return;
    const b = ageBin(r.age!, binWidth);
    const m = table.get(c)!;
    const l = m.get(b);
    if (l) l.push(i);
    else m.set(b, [i]);
  });
  const allBins = [...new Set([...table.values()].flatMap((m) => [...m.keys()]))].sort((p, q) => p - q);
  const cap = allBins.map((b) => Math.min(...cells.map((c) => table.get(c)!.get(b)?.length ?? 0)));
  const capTotal = cap.reduce((a, b) => a + b, 0);
  const picked: number[] = [];
  const counts: Record<string, number> = {};
  for (const c of cells) {
    const want = per(c);
    if (want > capTotal) {
      throw new CxrkitError(
        'SAMPLER_NOT_ENOUGH',
        `cell '${c}' needs ${want} records but the age ranges shared by all cells hold only ${capTotal} per cell`,
        { received: { want, available: capTotal }, fix: 'ask for fewer records, widen binWidth, or add data' },
      );
    }
    // proportional to the common capacity, never above it (redistribute overflow)
    let alloc = allocate(
      want,
      cap.map((k) => (capTotal ? k / capTotal : 0)),
    );
    for (let guard = 0; guard < 100 && alloc.some((a, i) => a > cap[i]!); guard++) {
      let spill = 0;
      alloc = alloc.map((a, i) => {
        if (a <= cap[i]!) return a;
        spill += a - cap[i]!;
        return cap[i]!;
      });
      for (let i = 0; spill > 0 && i < alloc.length; i++)
        if (alloc[i]! < cap[i]!) {
          const add = Math.min(spill, cap[i]! - alloc[i]!);
          alloc[i]! += add;
          spill -= add;
        }
    }
    counts[c] = 0;
    allBins.forEach((b, j) => {
      const pool = table.get(c)!.get(b) ?? [];
      const rng = createRng(deriveSeed(options.seed ?? 0, 'cells', c, b));
      const take = rng.shuffle(pool).slice(0, alloc[j]);
      picked.push(...take);
      counts[c]! += take.length;
    });
  }
  picked.sort((p, q) => p - q);
  const out = picked.map((i) => records[i]!);
  const ages = cells.map((c) => out.filter((r) => options.cellOf(r) === c).map((r) => r.age!));
  const pairs: Array<{ a: string; b: string; ks: KsResult }> = [];
  for (let i = 0; i < cells.length; i++)
    for (let j = i + 1; j < cells.length; j++) {
      const A = ages[i]!;
      const B = ages[j]!;
      if (A.length && B.length) pairs.push({ a: cells[i]!, b: cells[j]!, ks: ksTwoSample(A, B) });
    }
  const maxKs = pairs.reduce(
    (m, p) => (p.ks.statistic > m.statistic ? p.ks : m),
    pairs[0]?.ks ?? { statistic: 0, pValue: 1, n1: 0, n2: 0 },
  );
  return { records: out, counts, maxKs, pairs };
}

/**
 * (b) N records per class with equal numbers of men and women (⌊N/2⌋ men, ⌈N/2⌉ women when N is odd)
 * and identical age histograms in every class × sex cell (up to the odd extra woman) — the thesis's
 * stress set (1,677 train / 185 tune images, classes balanced by count and sex ratio). `perClass` is
 * one count for all classes or a count per class (e.g. 185 = 62 + 62 + 61).
 */
export function sampleBalanced<R extends { age?: number; sex?: string }>(
  records: readonly R[],
  options: {
    perClass: number | Record<string, number>;
    classOf: (r: R) => string | number | undefined;
    classes?: readonly (string | number)[];
    seed?: number | string;
    binWidth?: number;
  },
): BalancedSample<R> {
  const classes = (
    options.classes ??
    (typeof options.perClass === 'object'
      ? Object.keys(options.perClass)
      : [...new Set(records.map(options.classOf).filter((c) => c !== undefined))].sort())
  ).map(String);
  const countOf = (c: string) => (typeof options.perClass === 'number' ? options.perClass : options.perClass[c]);
  const perCell: Record<string, number> = {};
  for (const c of classes) {
    const n = countOf(c);
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 2)
      throw new CxrkitError('SAMPLER_BAD_SIZE', `perClass for class '${c}' must be an integer ≥ 2`, {
        received: n,
        fix: 'pass e.g. perClass: 559, or { normal: 62, osteopenia: 62, osteoporosis: 61 }',
      });
    perCell[`${c}|M`] = Math.floor(n / 2);
    perCell[`${c}|F`] = Math.ceil(n / 2);
  }
  const cells = classes.flatMap((c) => [`${c}|M`, `${c}|F`]);
  return sampleMatchedCells(records, {
    cells,
    cellOf: (r) => {
      const c = options.classOf(r);
      return c === undefined || (r.sex !== 'M' && r.sex !== 'F') ? undefined : `${c}|${r.sex}`;
    },
    perCell,
    seed: options.seed,
    binWidth: options.binWidth,
  });
}

/** The thesis's sex-classification ladder (train / tune images). */
export const THESIS_SEX_LADDER: ReadonlyArray<readonly [number, number]> = [
  [800, 100],
  [450, 50],
  [180, 20],
];

/**
 * (c) The sex ladder: for each rung [nTrain, nTune], half men and half women with matched ages,
 * drawn from the train and tune pools respectively (which must already be split by patient).
 */
export function sampleSexLadder<R extends { age?: number; sex?: string }>(
  pools: { train: readonly R[]; tune: readonly R[] },
  options: { rungs?: ReadonlyArray<readonly [number, number]>; seed?: number | string; binWidth?: number } = {},
): Array<{ train: BalancedSample<R>; tune: BalancedSample<R> }> {
  const rungs = options.rungs ?? THESIS_SEX_LADDER;
  return rungs.map(([nTrain, nTune], k) => {
    const draw = (pool: readonly R[], n: number, which: string) =>
      sampleMatchedCells(pool, {
        cells: ['M', 'F'],
        cellOf: (r) => (r.sex === 'M' || r.sex === 'F' ? r.sex : undefined),
        perCell: { M: Math.floor(n / 2), F: Math.ceil(n / 2) },
        seed: deriveSeed(options.seed ?? 0, 'ladder', k, which),
        binWidth: options.binWidth,
      });
    return { train: draw(pools.train, nTrain, 'train'), tune: draw(pools.tune, nTune, 'tune') };
  });
}
