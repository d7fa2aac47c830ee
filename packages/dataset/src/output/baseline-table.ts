// The baseline-characteristics table of a scanned dataset, laid out like the thesis's Tables 2.1 / 4.1:
// one column per split (and all), rows n images, n patients, age mean ± SD, sex, WHO classes. Written as
// CSV, Markdown and a small self-contained HTML table. No identifiers: counts and summaries only.
import type { WhoCategory } from '@cxrkit/core/tfjs-free';

/** What the table needs of an image (a ScanEntry will do). */
export interface BaselineRecord {
  patientId: string;
  split: string;
  age?: number;
  sex?: 'M' | 'F' | 'O';
  who?: WhoCategory;
}

/** One column of the table: a split, or all images. */
export interface BaselineColumn {
  name: string;
  images: number;
  patients: number;
  /** Age in years: n with an age, mean and sample SD (n − 1); NaN when n < 1 (SD: n < 2). */
  age: { n: number; mean: number; sd: number };
  sex: { F: number; M: number; other: number; unknown: number };
  /** WHO classes by the lowest T-score; undefined when the scan had no T-score columns. */
  who?: Record<WhoCategory, number>;
}

/** Columns for each split in `splitNames` (in that order) and a last column `all`. */
export function baselineCharacteristics(
  records: readonly BaselineRecord[],
  splitNames: readonly string[],
): BaselineColumn[] {
  const withWho = records.some((r) => r.who !== undefined);
  const column = (name: string, rs: readonly BaselineRecord[]): BaselineColumn => {
    const ages = rs.map((r) => r.age).filter((a): a is number => a !== undefined);
    const mean = ages.length ? ages.reduce((a, b) => a + b, 0) / ages.length : Number.NaN;
    const sd =
      ages.length > 1 ? Math.sqrt(ages.reduce((a, b) => a + (b - mean) ** 2, 0) / (ages.length - 1)) : Number.NaN;
    const col: BaselineColumn = {
      name,
      images: rs.length,
      patients: new Set(rs.map((r) => r.patientId)).size,
      age: { n: ages.length, mean, sd },
      sex: {
        F: rs.filter((r) => r.sex === 'F').length,
        M: rs.filter((r) => r.sex === 'M').length,
        other: rs.filter((r) => r.sex === 'O').length,
        unknown: rs.filter((r) => r.sex === undefined).length,
      },
    };
    if (withWho) {
      col.who = {
        normal: rs.filter((r) => r.who === 'normal').length,
        osteopenia: rs.filter((r) => r.who === 'osteopenia').length,
        osteoporosis: rs.filter((r) => r.who === 'osteoporosis').length,
      };
    }
    return col;
  };
  return [
    ...splitNames.map((s) =>
      column(
        s,
        records.filter((r) => r.split === s),
      ),
    ),
    column('all', records),
  ];
}

const pct = (k: number, n: number) => (n ? `${k} (${((100 * k) / n).toFixed(1)} %)` : `${k}`);
const age = (c: BaselineColumn) =>
  c.age.n === 0 ? '—' : `${c.age.mean.toFixed(1)} ± ${Number.isNaN(c.age.sd) ? '—' : c.age.sd.toFixed(1)}`;

/** The table as rows of cells: a header row, then one row per characteristic. */
export function baselineRows(columns: readonly BaselineColumn[]): string[][] {
  const rows: string[][] = [['characteristic', ...columns.map((c) => c.name)]];
  const add = (label: string, f: (c: BaselineColumn) => string) => rows.push([label, ...columns.map(f)]);
  add('images, n', (c) => String(c.images));
  add('patients, n', (c) => String(c.patients));
  add('age, years (mean ± SD)', age);
  add('female, n (%)', (c) => pct(c.sex.F, c.images));
  add('male, n (%)', (c) => pct(c.sex.M, c.images));
  if (columns.some((c) => c.sex.other)) add('other sex, n (%)', (c) => pct(c.sex.other, c.images));
  if (columns.some((c) => c.sex.unknown)) add('sex unknown, n (%)', (c) => pct(c.sex.unknown, c.images));
  if (columns.some((c) => c.who)) {
    for (const k of ['normal', 'osteopenia', 'osteoporosis'] as const) {
      add(`WHO ${k}, n (%)`, (c) => pct(c.who?.[k] ?? 0, c.images));
    }
  }
  return rows;
}

/** The table as Markdown. */
export function baselineMarkdown(columns: readonly BaselineColumn[], title = 'Baseline characteristics'): string {
  const [head, ...body] = baselineRows(columns);
  const line = (r: string[]) => `| ${r.join(' | ')} |`;
  return [`### ${title}`, '', line(head!), line(head!.map(() => '---')), ...body.map(line), ''].join('\n');
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The table as a self-contained HTML page. */
export function baselineHtml(columns: readonly BaselineColumn[], title = 'Baseline characteristics'): string {
  const [head, ...body] = baselineRows(columns);
  const tr = (r: string[], cell: 'th' | 'td') =>
    `<tr>${r.map((c, i) => `<${i ? cell : 'th'}>${esc(c)}</${i ? cell : 'th'}>`).join('')}</tr>`;
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${esc(title)}</title>`,
    '<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse}',
    'th,td{border:1px solid #bbb;padding:4px 10px;text-align:right}th:first-child{text-align:left}</style>',
    '</head><body>',
    `<h1>${esc(title)}</h1>`,
    `<table><thead>${tr(head!, 'th')}</thead><tbody>`,
    ...body.map((r) => tr(r, 'td')),
    '</tbody></table></body></html>',
    '',
  ].join('\n');
}
