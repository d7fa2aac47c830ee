import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  whoCategory,
  osteoporosisLabel,
  subgroupLabel,
  parseManifestCsv,
  parseManifestJson,
  filterByAge,
  splitByPatient,
  ksTwoSample,
  sampleAgeMatched,
  sampleBalanced,
  sampleSexLadder,
  readNihThumbsManifest,
  readCovidPaManifest,
  isCxrkitError,
  parseCsv,
} from '@cxrkit/core';
import { ksTwoSample as metricsKsTwoSample } from '@cxrkit/metrics';
import { dataDir, sharedData } from '../../../../test/helpers.js';

test('WHO category from the lowest T-score, boundaries as the thesis states them', () => {
  assert.equal(whoCategory(-2.5), 'osteoporosis');
  assert.equal(whoCategory(-2.4999), 'osteopenia');
  assert.equal(whoCategory(-1.0), 'normal');
  assert.equal(whoCategory(-1.0001), 'osteopenia');
  assert.equal(whoCategory(0.3), 'normal');
  assert.equal(whoCategory({ lumbarSpine: -0.5, femoralNeck: -2.6, totalHip: -1.2 }), 'osteoporosis');
  assert.equal(whoCategory({ lumbarSpine: null, totalHip: -1.5 }), 'osteopenia');
  assert.equal(whoCategory([0.1, undefined, -1.1]), 'osteopenia');
  assert.throws(
    () => whoCategory({}),
    (e) => isCxrkitError(e, 'LABEL_NO_TSCORE'),
  );
  assert.equal(osteoporosisLabel('osteopenia'), 0);
  assert.equal(osteoporosisLabel('osteoporosis'), 1);
  assert.equal(subgroupLabel('osteopenia'), undefined);
  assert.equal(subgroupLabel('normal'), 0);
});

test('CSV manifest: quoted fields, derived labels, and every bad row reported with its reason', () => {
  const csv = [
    'id,path,patient_id,age,sex,t_lumbar_spine,t_femoral_neck,t_total_hip,note',
    'a,img/a.dcm,P1,61,F,-2.7,-1.0,,"hello, world"',
    'b,img/b.png,P1,61,F,,,,"say ""hi"""',
    'c,img/c.png,,50,M,,,,',
    'd,img/d.png,P3,abc,M,,,,',
    'e,img/e.png,P4,45,X,,,,',
    'a,img/a2.png,P5,40,M,,,,',
    'f,img/f.png,P6,200,M,,,,',
    'g,img/g.png,P7,33,male,0.1,-1.2,-0.4,x,extra',
  ].join('\r\n');
  const m = parseManifestCsv(csv, { baseDir: '/data' });
  assert.deepEqual(
    m.records.map((r) => r.id),
    ['a', 'b'],
  );
  const a = m.records[0]!;
  assert.equal(a.path, '/data/img/a.dcm');
  assert.deepEqual(a.tScores, { lumbarSpine: -2.7, femoralNeck: -1.0 });
  assert.equal(a.who, 'osteoporosis');
  assert.equal(a.osteoporosis, 1);
  assert.equal(a.extra.note, 'hello, world');
  assert.equal(m.records[1]!.extra.note, 'say "hi"');
  assert.equal(m.records[1]!.who, undefined);
  const byRow = new Map(m.issues.map((i) => [i.row, i.code]));
  assert.equal(byRow.get(3), 'MISSING_VALUE');
  assert.equal(byRow.get(4), 'BAD_NUMBER');
  assert.equal(byRow.get(5), 'BAD_SEX');
  assert.equal(byRow.get(6), 'DUPLICATE_ID');
  assert.equal(byRow.get(7), 'OUT_OF_RANGE');
  assert.equal(byRow.get(8), 'BAD_ROW');
  // every input row is either a record or has an issue
  const covered = new Set([...m.records.map((r) => r.row), ...m.issues.map((i) => i.row)]);
  for (let r = 1; r <= 8; r++) assert.ok(covered.has(r), `row ${r} accounted for`);
  assert.throws(
    () => parseManifestCsv(csv, { strict: true }),
    (e) => isCxrkitError(e, 'MANIFEST_INVALID') && /row 3/.test((e as Error).message),
  );
  assert.throws(
    () => parseCsv('a,"b\n'),
    (e) => isCxrkitError(e, 'CSV_UNTERMINATED_QUOTE'),
  );
  assert.equal(parseManifestCsv('path,age\nx.png,3').issues[0]!.code, 'MISSING_COLUMN');
});

test('JSON manifest and age filters (20–80, > 40, ≥ 50)', () => {
  const m = parseManifestJson(
    {
      records: [
        { path: 'x.png', patient_id: 'P1', age: 40 },
        { path: 'y.png', patient_id: 'P2', age: 50 },
        { path: 'z.png', patient_id: 'P3' },
        { path: 'w.png', patient_id: 'P4', age: 80.5 },
      ],
    },
    { baseDir: '/d' },
  );
  assert.equal(m.issues.length, 0);
  const ages = (rs: Array<{ age?: number }>) => rs.map((r) => r.age);
  assert.deepEqual(ages(filterByAge(m.records, { gt: 40 })), [50, 80.5]);
  assert.deepEqual(ages(filterByAge(m.records, { gte: 50 })), [50, 80.5]);
  assert.deepEqual(ages(filterByAge(m.records, { gte: 20, lte: 80 })), [40, 50]);
  assert.throws(
    () => filterByAge(m.records, { min: 3 } as never),
    (e) => isCxrkitError(e, 'DATA_BAD_AGE_RANGE'),
  );
  assert.throws(
    () => parseManifestJson('{nope'),
    (e) => isCxrkitError(e, 'MANIFEST_BAD_JSON'),
  );
});

// Arbitrary datasets: patients with 1–4 images, a label, a sex and an age each.
const datasetArb = fc
  .array(
    fc.record({
      images: fc.integer({ min: 1, max: 4 }),
      label: fc.integer({ min: 0, max: 1 }),
      sex: fc.constantFrom('M', 'F'),
      age: fc.integer({ min: 20, max: 90 }),
    }),
    { minLength: 5, maxLength: 120 },
  )
  .map((ps) =>
    ps.flatMap((p, k) =>
      Array.from({ length: p.images }, (_, j) => ({
        id: `${k}-${j}`,
        patientId: `P${k}`,
        label: p.label,
        sex: p.sex,
        age: p.age,
      })),
    ),
  );

test('splitByPatient: no patient in two splits, all records kept, seeded, stratified (property)', () => {
  fc.assert(
    fc.property(datasetArb, fc.integer(), (records, seed) => {
      const { splits, patientSplit } = splitByPatient(records, { seed, stratifyBy: (r) => r.label, bySex: true });
      const all = [...splits.train!, ...splits.tune!, ...splits.test!];
      if (all.length !== records.length) return false;
      for (const [name, rs] of Object.entries(splits))
        for (const r of rs) if (patientSplit.get(r.patientId) !== name) return false;
      // per stratum, patient counts follow 70/10/20 within rounding (largest remainder: off by < 1 per split)
      const strata = new Map<string, Map<string, number>>();
      for (const [p, s] of patientSplit) {
        const r = records.find((x) => x.patientId === p)!;
        const key = `${r.label}|${r.sex}`;
        const m = strata.get(key) ?? new Map();
        m.set(s, (m.get(s) ?? 0) + 1);
        strata.set(key, m);
      }
      for (const m of strata.values()) {
        const n = [...m.values()].reduce((a, b) => a + b, 0);
        const fr: Record<string, number> = { train: 0.7, tune: 0.1, test: 0.2 };
        for (const s of ['train', 'tune', 'test']) if (Math.abs((m.get(s) ?? 0) - fr[s]! * n) >= 1) return false;
      }
      const again = splitByPatient(records, { seed, stratifyBy: (r) => r.label, bySex: true });
      return JSON.stringify(again.splits) === JSON.stringify(splits);
    }),
    { numRuns: 150 },
  );
  assert.throws(
    () => splitByPatient([{ patientId: 'a' }], { fractions: [0.5, 0.6] }),
    (e) => isCxrkitError(e, 'SPLIT_BAD_FRACTIONS'),
  );
});

test('ksTwoSample is re-exported from @cxrkit/metrics (tested against SciPy there)', () => {
  assert.equal(ksTwoSample, metricsKsTwoSample);
});

test('samplers: exact counts, balanced sexes, matched ages, subsets of the input (property)', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 2, max: 40 }), (seed, perClass) => {
      // a pool of 600 images: classes and sexes with different age distributions
      const rng = (k: number) => ((Math.imul(k + seed, 2654435761) >>> 0) % 1000) / 1000;
      const pool = Array.from({ length: 600 }, (_, i) => ({
        id: i,
        patientId: `P${i}`,
        label: i % 3 === 0 ? 1 : 0,
        sex: i % 2 ? 'M' : 'F',
        age: Math.round(40 + 40 * rng(i) + (i % 3 === 0 ? 8 : 0)),
      }));
      const b = sampleBalanced(pool, { perClass, classOf: (r) => r.label, seed, binWidth: 5 });
      if (b.records.length !== 2 * perClass) return false;
      for (const c of [0, 1]) {
        const inClass = b.records.filter((r) => r.label === c);
        const men = inClass.filter((r) => r.sex === 'M').length;
        if (inClass.length !== perClass || Math.abs(men - (inClass.length - men)) > 1) return false;
      }
      if (new Set(b.records.map((r) => r.id)).size !== b.records.length) return false;
      // identical 5-year histograms across cells (up to the odd extra woman)
      const hist = (c: string) => {
        const h = new Map<number, number>();
        for (const r of b.records)
          if (`${r.label}|${r.sex}` === c) h.set(Math.floor(r.age / 5), (h.get(Math.floor(r.age / 5)) ?? 0) + 1);
        return h;
      };
      const h0 = hist('0|M');
      for (const c of ['1|M']) for (const [k, v] of hist(c)) if (h0.get(k) !== v) return false;
      // age-matched subsample: in every 5-year bin (the sampler's default) the sample holds the bin's
      // share of the pool times n, to within one (proportional allocation, largest remainder). A KS
      // threshold is not a guarantee here: within a bin the draw is random, so D can reach a bin's share.
      const a = sampleAgeMatched(pool, 100, { seed });
      if (a.records.length !== 100 || new Set(a.records.map((r) => r.id)).size !== 100) return false;
      const bins = (rs: readonly { age: number }[]) => {
        const h = new Map<number, number>();
        for (const r of rs) h.set(Math.floor(r.age / 5), (h.get(Math.floor(r.age / 5)) ?? 0) + 1);
        return h;
      };
      const hp = bins(pool);
      const hs = bins(a.records);
      for (const [k, v] of hp) if (Math.abs((hs.get(k) ?? 0) - (100 * v) / pool.length) >= 1) return false;
      return a.ks.n1 === 100 && a.ks.n2 === 600; // and the KS report compares the sample with the whole pool
    }),
    { numRuns: 40 },
  );
});

test('sex ladder 800/100, 450/50, 180/20 on synthetic pools, with KS reports', () => {
  const mk = (n: number, off: number) =>
    Array.from({ length: n }, (_, i) => ({
      patientId: `P${off + i}`,
      sex: i % 2 ? 'M' : 'F',
      age: 20 + ((i * 37) % 61),
    }));
  const rungs = sampleSexLadder({ train: mk(2000, 0), tune: mk(300, 10000) }, { seed: 3 });
  assert.deepEqual(
    rungs.map((r) => [r.train.records.length, r.tune.records.length]),
    [
      [800, 100],
      [450, 50],
      [180, 20],
    ],
  );
  for (const r of rungs) {
    assert.equal(r.train.counts.M, r.train.counts.F);
    // identical 5-year histograms: KS can only come from ages within a bin (< one bin's share), never significant
    assert.ok(r.train.maxKs.statistic < 0.1 && r.train.maxKs.pValue > 0.5, `train KS ${JSON.stringify(r.train.maxKs)}`);
    assert.ok(r.tune.maxKs.pValue > 0.5, `tune KS ${JSON.stringify(r.tune.maxKs)}`);
    const trainP = new Set(r.train.records.map((x) => x.patientId));
    assert.ok(r.tune.records.every((x) => !trainP.has(x.patientId)));
  }
  assert.throws(
    () =>
      sampleBalanced(
        mk(10, 0).map((r) => ({ ...r, label: 1 })),
        { perClass: 50, classOf: (r) => r.label },
      ),
    (e) => isCxrkitError(e, 'SAMPLER_NOT_ENOUGH'),
  );
});

test('real manifests: NIH thumbnails (1,000 images, 264 patients) and covid-pa (185, 121 patients)', {
  skip: sharedData('cxr').missing,
}, async () => {
  const nih = await readNihThumbsManifest(dataDir('cxr', 'nih-thumbs64'));
  assert.equal(nih.issues.length, 0);
  assert.equal(nih.records.length, 1000);
  assert.equal(new Set(nih.records.map((r) => r.patientId)).size, 264);
  assert.deepEqual(
    [nih.records.filter((r) => r.sex === 'F').length, nih.records.filter((r) => r.sex === 'M').length],
    [509, 491],
  );
  assert.equal(nih.records.filter((r) => r.extra.view === 'PA').length, 637);
  const covid = await readCovidPaManifest(dataDir('cxr', 'covid-pa'));
  assert.equal(covid.issues.length, 0);
  assert.equal(covid.records.length, 185);
  assert.equal(new Set(covid.records.map((r) => r.patientId)).size, 121);
  assert.deepEqual(
    [covid.records.filter((r) => r.sex === 'M').length, covid.records.filter((r) => r.sex === 'F').length],
    [106, 79],
  );
  const { splits } = splitByPatient(nih.records, { seed: 1, stratifyBy: (r) => r.sex });
  const inTrain = new Set(splits.train!.map((r) => r.patientId));
  assert.ok(splits.test!.every((r) => !inTrain.has(r.patientId)));
});

test('age and sex from DICOM dates fill records that lack them', async () => {
  const { synthesizeRadiograph, writeDicomFile, fillFromDicom } = await import('@cxrkit/core');
  const { testOutputDir } = await import('../../../../test/helpers.js');
  const r = synthesizeRadiograph({ seed: 2, size: 32, age: 58, sex: 'M' });
  const path = testOutputDir('data', 'age-from-dates.dcm');
  await writeDicomFile(path, r, { studyDate: '20230301', seed: 9 });
  const m = parseManifestCsv(`path,patient_id,age,sex\n${path},P1,,\n${path}.missing,P2,,\n`, { baseDir: '/' });
  const filled = await fillFromDicom(m.records);
  assert.equal(filled.records[0]!.age, 58);
  assert.equal(filled.records[0]!.sex, 'M');
  assert.equal(filled.failed.length, 1);
  assert.equal(filled.failed[0]!.index, 1);
  assert.equal(filterByAge(filled.records, { gte: 50 }).length, 1);
});

test('the thesis stress set: 1,677 train / 185 tune images over three WHO classes, sexes and ages matched', async () => {
  const { createRng } = await import('@cxrkit/core');
  const rng = createRng(31);
  // a pool of 3 × 2 cells with different age distributions (women older, osteoporosis older)
  const pool = Array.from({ length: 9000 }, (_, i) => {
    const who = (['normal', 'osteopenia', 'osteoporosis'] as const)[i % 3]!;
    const sex = rng.bernoulli(0.5) ? 'F' : 'M';
    const age = Math.round(
      Math.min(90, Math.max(41, rng.normal(55 + (sex === 'F' ? 5 : 0) + (who === 'osteoporosis' ? 8 : 0), 10))),
    );
    return { patientId: `P${i}`, who, sex, age };
  });
  const { splits } = splitByPatient(pool, {
    seed: 1,
    fractions: [0.8, 0.2],
    names: ['train', 'tune'],
    stratifyBy: (r) => r.who,
    bySex: true,
  });
  for (const [name, total] of [
    ['train', 1677],
    ['tune', 185],
  ] as const) {
    // one third per class; the remainder goes to the first classes (1677 = 3 × 559; 185 = 62 + 62 + 61)
    const per = [0, 1, 2].map((c) => Math.floor(total / 3) + (c < total % 3 ? 1 : 0));
    const b = sampleBalanced(splits[name]!, {
      perClass: { normal: per[0]!, osteopenia: per[1]!, osteoporosis: per[2]! },
      classOf: (r) => r.who,
      seed: 5,
    });
    assert.equal(b.records.length, total);
    for (const [c, who] of (['normal', 'osteopenia', 'osteoporosis'] as const).entries()) {
      const inClass = b.records.filter((r) => r.who === who);
      const men = inClass.filter((r) => r.sex === 'M').length;
      assert.equal(inClass.length, per[c]);
      assert.ok(Math.abs(2 * men - inClass.length) <= 1, `${name}: men ${men} of ${inClass.length}`);
    }
    // every class × sex cell has the same 5-year age histogram, so no pair differs significantly
    assert.ok(b.maxKs.pValue > 0.2, `${name}: worst pair KS ${JSON.stringify(b.maxKs)}`);
    assert.equal(b.pairs.length, 15);
  }
});
