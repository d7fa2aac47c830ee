// report.json → one self-contained HTML page (inline CSS, inline SVG, data-URI images, no script, no
// network). Each section has an id (summary, baseline, screening, comparisons, regression, strata,
// bioage, plots, atlas, runs) so tests and readers can find it.
import type { RenderedPlot } from './render-report.js';
import type { BinarySummary, RegressionSummary, ReportJson, ReportProportion } from './report-types.js';

const esc = (s: unknown) =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '—');
const pct = (x: number) => (Number.isFinite(x) ? (100 * x).toFixed(1) : '—');
const pci = (p: ReportProportion) =>
  Number.isFinite(p.value) ? `${pct(p.value)} <span class="ci">(${pct(p.ci[0])}–${pct(p.ci[1])})</span>` : '—';
const aucCi = (b: BinarySummary) =>
  Number.isFinite(b.auc.value)
    ? `${f3(b.auc.value)} <span class="ci">(${f3(b.auc.lower)}–${f3(b.auc.upper)})</span>`
    : '—';
const pval = (p: number) => (!Number.isFinite(p) ? '—' : p < 0.001 ? '&lt; 0.001' : p.toFixed(3));

function table(caption: string, head: string[], rows: string[][], cls = ''): string {
  return `<table class="${cls}"><caption>${caption}</caption><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c, i) => (i === 0 ? `<th scope="row">${c}</th>` : `<td>${c}</td>`)).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

const binaryHead = ['run', 'n (pos.)', 'AUC (95 % DeLong CI)', 'ACC', 'SEN', 'SPE', 'PPV', 'NPV', 'F1'];
const binaryCells = (label: string, b: BinarySummary) => [
  label,
  `${b.n} (${b.positives})`,
  aucCi(b),
  pci(b.accuracy),
  pci(b.sensitivity),
  pci(b.specificity),
  pci(b.ppv),
  pci(b.npv),
  pct(b.f1),
];
const regressionHead = ['run', 'n', 'R² (×100)', 'MAE (y)', 'RMSE (y)', '±4 y', '±9 y'];
const regressionCells = (label: string, r: RegressionSummary) => [
  label,
  String(r.n),
  (100 * r.r2).toFixed(2),
  r.mae.toFixed(2),
  r.rmse.toFixed(2),
  `${pct(r.within4)} %`,
  `${pct(r.within9)} %`,
];

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"DejaVu Sans",sans-serif;margin:0;color:#1d2329;background:#fff}
header{background:#12355b;color:#fff;padding:18px 28px}header h1{margin:0 0 4px;font-size:22px}header p{margin:2px 0;opacity:.9}
nav{background:#eef2f6;padding:6px 28px;border-bottom:1px solid #d0d7de}nav a{margin-right:14px;color:#12355b;text-decoration:none}
section{padding:10px 28px 18px;border-bottom:1px solid #e4e8ec}h2{font-size:18px;color:#12355b;margin:14px 0 8px}
table{border-collapse:collapse;margin:8px 0 14px;font-variant-numeric:tabular-nums}caption{text-align:left;font-weight:600;padding:4px 0;color:#333}
th,td{border:1px solid #d0d7de;padding:3px 8px;text-align:right;white-space:nowrap}thead th{background:#f3f6f9;text-align:center}
tbody th{text-align:left;font-weight:500}.ci{color:#66707a;font-size:12px}.note{color:#555;max-width:980px}
.grid{display:flex;flex-wrap:wrap;gap:14px}.grid figure{margin:0;border:1px solid #e4e8ec;padding:6px;background:#fff}
figcaption{font-size:12px;color:#555;text-align:center}.atlas img{width:320px;height:auto;image-rendering:auto}
.skipped{color:#9a3b00}`;

/** The whole page. */
export function reportHtml(
  report: ReportJson,
  plots: RenderedPlot[],
  atlas: Array<{ run: string; overlay: string }>,
): string {
  const e = report.experiment;
  const binary = report.runs.filter((r) => r.test);
  const regression = report.runs.filter((r) => r.regression);
  const skipped = report.runs.filter((r) => r.status === 'skipped');
  const parts: string[] = [];
  parts.push(
    `<header id="summary"><h1>${esc(e.name)}${e.quick ? ' <small>(--quick)</small>' : ''}</h1>${e.description ? `<p>${esc(e.description)}</p>` : ''}<p>Data: ${esc(e.source)}</p><p>Experiment file: ${esc(e.file)} · report generated ${esc(report.generatedAt)} · ${report.runs.length} runs</p></header>`,
  );
  const sections = [
    ['baseline', 'Baseline'],
    ['screening', 'Screening'],
    ['comparisons', 'DeLong tests'],
    ['regression', 'Age'],
    ['strata', 'Strata'],
    ['bioage', 'Biological age'],
    ['plots', 'Plots'],
    ['atlas', 'CAM atlas'],
    ['runs', 'Runs'],
  ];
  parts.push(`<nav>${sections.map(([id, t]) => `<a href="#${id}">${t}</a>`).join('')}</nav>`);
  parts.push(
    `<section id="baseline"><h2>Baseline characteristics</h2>${table(
      'Table 1 — images per split (split by patient)',
      ['', ...report.baseline.columns],
      report.baseline.rows.map((r) => [esc(r.label), ...r.values.map(esc)]),
    )}</section>`,
  );
  parts.push(
    `<section id="screening"><h2>Screening performance (test set)</h2><p class="note">AUC with DeLong 95 % CI; accuracy, sensitivity, specificity, PPV and NPV (%) with Wilson 95 % CIs, and F1 (%), at the threshold chosen on the tuning set only and applied unchanged to the test set.</p>${
      binary.length
        ? table(
            'Table 2 — binary runs',
            [...binaryHead, 'threshold', 'tune AUC'],
            binary.map((r) => [
              ...binaryCells(esc(r.id), r.test!),
              f3(r.threshold!.value),
              f3(r.tuneAuc ?? Number.NaN),
            ]),
          )
        : '<p>No binary runs.</p>'
    }${skipped.length ? `<p class="skipped">Skipped: ${skipped.map((r) => `<b>${esc(r.id)}</b> — ${esc(r.reason)}`).join('; ')}</p>` : ''}</section>`,
  );
  parts.push(
    `<section id="comparisons"><h2>DeLong tests between runs</h2>${
      report.comparisons.length
        ? table(
            'Table 3 — paired DeLong tests on the same test cases (two-sided)',
            ['A vs B', 'n', 'AUC A', 'AUC B', 'A − B (95 % CI)', 'z', 'p'],
            report.comparisons.map((c) => [
              `${esc(c.a)} vs ${esc(c.b)}`,
              String(c.n),
              f3(c.aucA),
              f3(c.aucB),
              `${f3(c.difference)} <span class="ci">(${f3(c.ci[0])} to ${f3(c.ci[1])})</span>`,
              c.z.toFixed(2),
              pval(c.p),
            ]),
          )
        : '<p>No comparisons named in the experiment file.</p>'
    }</section>`,
  );
  parts.push(
    `<section id="regression"><h2>Age regression (test set)</h2>${
      regression.length
        ? table(
            'Table 4 — R², MAE and share within ±4 / ±9 years',
            regressionHead,
            regression.map((r) => regressionCells(esc(r.id), r.regression!)),
          )
        : '<p>No regression runs.</p>'
    }</section>`,
  );
  const strata: string[] = [];
  for (const r of report.runs) {
    if (!r.strata.length) continue;
    if (r.test)
      strata.push(
        table(
          `${esc(r.id)} — by sex and age band (threshold ${f3(r.threshold!.value)})`,
          ['stratum', ...binaryHead.slice(1)],
          r.strata.map((s) => binaryCells(`${s.by === 'sex' ? 'sex' : 'age'} ${esc(s.stratum)}`, s.binary!)),
        ),
      );
    else if (r.regression)
      strata.push(
        table(
          `${esc(r.id)} — by sex and age band`,
          ['stratum', ...regressionHead.slice(1)],
          r.strata.map((s) => regressionCells(`${s.by === 'sex' ? 'sex' : 'age'} ${esc(s.stratum)}`, s.regression!)),
        ),
      );
  }
  parts.push(
    `<section id="strata"><h2>Stress test: strata by sex and age</h2>${strata.join('') || '<p>No strata.</p>'}</section>`,
  );
  const b = report.bioAge;
  let bio = '<p>No biological-age analysis named in the experiment file.</p>';
  if (b) {
    const groups = ['older', 'well', 'younger'];
    const names: Record<string, string> = {
      older: `older-predicted (≥ +${b.threshold} y)`,
      well: 'well-predicted',
      younger: `younger-predicted (≤ −${b.threshold} y)`,
    };
    const cat = Object.entries(b.categorical).flatMap(([k, c]) =>
      c.categories.map((cat, i) => [
        i === 0 ? `${esc(k)}: ${esc(cat)}` : `&nbsp;&nbsp;${esc(cat)}`,
        ...groups.map((g) => `${c.counts[g]?.[cat] ?? 0} (${(c.percents[g]?.[cat] ?? Number.NaN).toFixed(1)} %)`),
        i === 0 ? `χ² ${c.chiSquare.statistic.toFixed(2)}, p ${pval(c.chiSquare.p)}` : '',
      ]),
    );
    const cont = Object.entries(b.continuous).map(([k, c]) => [
      esc(k),
      ...groups.map((g) => {
        const s = c.summary[g];
        return s?.n
          ? `${s.mean.toFixed(2)} ± ${s.sd.toFixed(2)} <span class="ci">(median ${s.median.toFixed(2)})</span>`
          : '—';
      }),
      `H ${c.kruskal.statistic.toFixed(2)}, p ${pval(c.kruskal.p)}`,
    ]);
    bio = `<p class="note">Age run <b>${esc(b.run)}</b> on the test set: R² (×100) ${(100 * b.accuracy.r2).toFixed(2)}, MAE ${b.accuracy.mae.toFixed(2)} y, ±4 y ${pct(b.accuracy.within4)} %, ±9 y ${pct(b.accuracy.within9)} %.</p>${table(
      'Table 5 — groups by predicted − chronological age (thesis Table 3.4)',
      ['group', 'n'],
      groups.map((g) => [names[g]!, String(b.sizes[g] ?? 0)]),
    )}${table('Table 6 — categorical variables by group, chi-square (thesis Table 3.5)', ['variable', ...groups.map((g) => names[g]!), 'test'], cat)}${table('Table 7 — continuous variables by group, Kruskal–Wallis (thesis Table 3.6)', ['variable', ...groups.map((g) => names[g]!), 'test'], cont)}`;
  }
  parts.push(`<section id="bioage"><h2>Biological age</h2>${bio}</section>`);
  const fig = (p: RenderedPlot) =>
    `<figure id="plot-${esc(p.id)}" class="plot">${p.svg}<figcaption>${esc(p.title)}</figcaption></figure>`;
  const bySection = (s: RenderedPlot['section']) => plots.filter((p) => p.section === s);
  parts.push(
    `<section id="plots"><h2>Plots</h2>${[
      ['roc', 'ROC curves'],
      ['confusion', 'Confusion matrices'],
      ['scatter', 'Predicted vs chronological age'],
      ['density', 'Density plots'],
    ]
      .filter(([s]) => bySection(s as RenderedPlot['section']).length)
      .map(
        ([s, t]) =>
          `<h3>${t}</h3><div class="grid">${bySection(s as RenderedPlot['section'])
            .map(fig)
            .join('')}</div>`,
      )
      .join('')}</section>`,
  );
  parts.push(
    `<section id="atlas"><h2>Grad-CAM atlases</h2>${
      atlas.length
        ? `<p class="note">Grad-CAM averaged over the last block's convolutions, on the test set's true positives, each registered to a reference lung field and averaged (thesis Part 3).</p><div class="grid atlas">${atlas
            .map((a) => {
              const m = report.atlas.find((x) => x.run === a.run)!;
              return `<figure><img alt="CAM atlas of ${esc(a.run)}" src="${a.overlay}"><figcaption>${esc(a.run)}: ${m.averaged} of ${m.truePositives} true positives; ${esc(m.layers.length)} layers${m.grid ? `, CAM grid ${m.grid}×${m.grid}` : ''}</figcaption></figure>`;
            })
            .join('')}</div>`
        : '<p>No atlas named in the experiment file.</p>'
    }</section>`,
  );
  parts.push(
    `<section id="runs"><h2>Runs</h2>${table(
      'Table 8 — settings, seed and timings of every run',
      [
        'run',
        'task',
        'backbone',
        'size',
        'width',
        'transfer',
        'freeze',
        'fusion',
        'train/tune/test',
        'epochs (best)',
        'seed',
        'train s',
        'status',
      ],
      report.runs.map((r) => [
        esc(r.id),
        esc(r.task),
        esc(r.backbone),
        String(r.inputSize),
        String(r.width),
        esc(r.transfer),
        esc(r.freeze),
        esc(r.fusion),
        `${r.counts.train}/${r.counts.tune}/${r.counts.test}${r.trainSample ? ` <span class="ci">(${r.trainSample.perClass}/class, sex × age matched)</span>` : ''}`,
        r.epochs ? `${r.epochs} (${r.bestEpoch})` : '—',
        String(r.seed),
        r.seconds.train.toFixed(0),
        r.status === 'done' ? `done${r.resumed ? ' (resumed)' : ''}` : `<span class="skipped">skipped</span>`,
      ]),
    )}</section>`,
  );
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(e.name)} — cxrkit report</title><style>${CSS}</style></head><body>${parts.join('\n')}</body></html>\n`;
}
