// Plots for fixtures, written to test-output/metrics/ as SVG and PNG (look at them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { binaryMetrics, biologicalAgeAnalysis, AGE_GAP_GROUPS, isCxrkitError } from './index.js';
import { rocPlotSpec, confusionMatrixSpec, ageScatterSpec, densitySpec, writePlot, renderSvg } from './plots.js';
import { testOutputDir } from '../../../test/helpers.js';

const outDir = testOutputDir('metrics');
const stats = JSON.parse(readFileSync(new URL('../../../test/fixtures/metrics/stats.json', import.meta.url), 'utf8'));
const bio = JSON.parse(readFileSync(new URL('../../../test/fixtures/metrics/bio-age.json', import.meta.url), 'utf8'));

function isPng(path: string) {
  const b = readFileSync(path);
  assert.deepEqual([...b.subarray(1, 4)], [0x50, 0x4e, 0x47], `${path} is a PNG`);
  assert.ok(statSync(path).size > 5000, `${path} has content`);
}

test('ROC plot of the three DeLong (1988) tests with AUC and CI in the legend → SVG + PNG', async () => {
  const ov = stats.delong[0];
  const names: Record<string, string> = { alb: 'Albumin', tp: 'Total protein', kg: 'K-G score' };
  const spec = rocPlotSpec(
    Object.entries(ov.scores as Record<string, number[]>).map(([k, s]) => ({
      name: names[k]!,
      yTrue: ov.yTrue,
      yScore: s,
    })),
    { title: 'ROC curves, DeLong et al. (1988) ovarian-cancer data' },
  );
  const files = await writePlot(spec, join(outDir, 'roc-delong1988'));
  const svg = readFileSync(files.svg, 'utf8');
  assert.match(svg, /Albumin: AUC 0\.737 \(95% CI 0\.55\d–0\.9\d\d\)/);
  assert.match(svg, /1 − specificity/);
  isPng(files.png);
});

test('confusion matrix, age scatter with identity line, density per age-gap group → SVG + PNG', async () => {
  const c = stats.binary[0];
  const m = binaryMetrics(c.yTrue, c.yScore, { threshold: c.threshold });
  const cmFiles = await writePlot(
    confusionMatrixSpec(m, { title: `Confusion matrix at threshold ${c.threshold}` }),
    join(outDir, 'confusion-matrix'),
  );
  const cmSvg = readFileSync(cmFiles.svg, 'utf8');
  assert.ok(
    cmSvg.includes(`TP ${c.tp}`) &&
      cmSvg.includes(`FN ${c.fn}`) &&
      cmSvg.includes(`TN ${c.tn}`) &&
      cmSvg.includes(`FP ${c.fp}`),
  );
  isPng(cmFiles.png);

  const sc = await writePlot(
    ageScatterSpec(bio.chronological, bio.predicted, {
      groups: bio.sex,
      title: 'Predicted vs chronological age (synthetic cohort)',
    }),
    join(outDir, 'age-scatter'),
  );
  assert.match(readFileSync(sc.svg, 'utf8'), /R² = 0\.\d{3}, MAE = \d\.\d\d years/);
  isPng(sc.png);

  const r = biologicalAgeAnalysis({ chronological: bio.chronological, predicted: bio.predicted });
  const gapBy = Object.fromEntries(
    AGE_GAP_GROUPS.map((g) => [g, Array.from(r.gap).filter((_, i) => r.group[i] === g)]),
  );
  const lumbarBy = Object.fromEntries(
    AGE_GAP_GROUPS.map((g) => [
      g,
      (bio.lumbarT as (number | null)[]).filter((v, i) => v !== null && r.group[i] === g) as number[],
    ]),
  );
  const d1 = await writePlot(
    densitySpec(lumbarBy, { title: 'Lumbar T-score by age-gap group', xTitle: 'Lumbar T-score' }),
    join(outDir, 'density-lumbar-t'),
  );
  const d2 = await writePlot(
    densitySpec(gapBy, { title: 'Age gap by group', xTitle: 'Predicted − chronological age (years)' }),
    join(outDir, 'density-age-gap'),
  );
  assert.match(readFileSync(d1.svg, 'utf8'), /older \(n = \d+\)/);
  isPng(d1.png);
  isPng(d2.png);
});

test('plot specs reject empty input with typed errors; renderSvg gives an <svg>', async () => {
  assert.throws(
    () => rocPlotSpec([]),
    (e) => isCxrkitError(e, 'METRICS_EMPTY'),
  );
  assert.throws(
    () => densitySpec({}),
    (e) => isCxrkitError(e, 'METRICS_EMPTY'),
  );
  assert.throws(
    () => ageScatterSpec([50, 60], [51]),
    (e) => isCxrkitError(e, 'METRICS_LENGTH_MISMATCH'),
  );
  assert.match(await renderSvg(confusionMatrixSpec({ tp: 1, fp: 2, tn: 3, fn: 4 })), /^<svg/);
});
