/**
 * `@cxrkit/metrics/plots` — plots as Vega-Lite specs (pure data, no rendering dependency) and a headless
 * renderer to SVG and PNG: ROC curves of several models with AUC and DeLong CI in the legend, a confusion
 * matrix, predicted-vs-chronological age with the identity line, and density curves per group.
 *
 * A subpath of its own so that `@cxrkit/metrics` (and models, gradcam, serve through it) neither loads
 * nor installs a renderer. The renderers are OPTIONAL peer dependencies, loaded lazily on the first
 * render: vega 5 and vega-lite 5 (SVG; vega-lite 6 needs Node 22), @resvg/resvg-js (PNG) and
 * dejavu-fonts-ttf (the same text on machines without fonts; system fonts otherwise). Without them the
 * spec functions work and rendering throws `METRICS_PLOT_RENDERER_MISSING` naming the `npm i` command.
 */
import { MetricsError } from './errors.js';
import { rocCurve } from './roc.js';
import { delongCi } from './intervals.js';
import { r2Score, meanAbsoluteError } from './regression.js';
import type { ConfusionMatrix } from './binary.js';
import { checkLengths, toFiniteNumbers, type BinaryLabels, type NumericArray } from './validate.js';

/** A Vega-Lite (v5) specification: a plain JSON object. Render with renderSvg / renderPng / writePlot. */
export type VegaLiteSpec = Record<string, unknown>;

const FONT = 'DejaVu Sans';
const BASE_CONFIG = {
  font: FONT,
  background: 'white',
  title: { fontSize: 15, anchor: 'start', offset: 12 },
  axis: { labelFontSize: 12, titleFontSize: 13, grid: true, gridColor: '#e6e6e6' },
  legend: { labelFontSize: 12, titleFontSize: 12, labelLimit: 1000 },
  view: { stroke: '#888' },
};

function frame(title: string | undefined, subtitle?: string): Record<string, unknown> {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    ...(title ? { title: subtitle ? { text: title, subtitle } : title } : {}),
    config: BASE_CONFIG,
  };
}

/** One model's scores for a ROC plot. */
export interface RocPlotModel {
  /** Legend name, e.g. 'InceptionV3 + age'. */
  name: string;
  yTrue: BinaryLabels;
  yScore: NumericArray;
}

export interface RocPlotOptions {
  title?: string;
  /** Level of the DeLong AUC interval in the legend. Default 0.95. */
  level?: number;
  /** Plot side in pixels (square). Default 420. */
  size?: number;
}

const fmt3 = (x: number) => x.toFixed(3);

/**
 * ROC curves of one or more models on one plot; the legend gives each model's AUC and DeLong CI,
 * e.g. "baseline: AUC 0.873 (95% CI 0.841–0.905)". Axes: 1 − specificity vs sensitivity, chance diagonal dashed.
 */
export function rocPlotSpec(models: readonly RocPlotModel[], options: RocPlotOptions = {}): VegaLiteSpec {
  if (!Array.isArray(models) || models.length === 0) {
    throw new MetricsError('METRICS_EMPTY', 'rocPlotSpec needs at least one model', {
      received: models,
      fix: 'pass [{ name, yTrue, yScore }, …]',
    });
  }
  const level = options.level ?? 0.95;
  const size = options.size ?? 420;
  const rows: { model: string; fpr: number; tpr: number; order: number }[] = [];
  const labels: string[] = [];
  for (const m of models) {
    const { fpr, tpr } = rocCurve(m.yTrue, m.yScore, { dropIntermediate: true });
    const ci = delongCi(m.yTrue, m.yScore, level);
    const label = `${m.name}: AUC ${fmt3(ci.auc)} (${Math.round(level * 100)}% CI ${fmt3(ci.lower)}–${fmt3(ci.upper)})`;
    labels.push(label);
    fpr.forEach((f, i) => rows.push({ model: label, fpr: f, tpr: tpr[i]!, order: i }));
  }
  return {
    ...frame(options.title ?? 'ROC curves'),
    width: size,
    height: size,
    layer: [
      {
        data: {
          values: [
            { x: 0, y: 0 },
            { x: 1, y: 1 },
          ],
        },
        mark: { type: 'line', strokeDash: [5, 5], color: '#999', strokeWidth: 1 },
        encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
      },
      {
        data: { values: rows },
        mark: { type: 'line', strokeWidth: 2, interpolate: 'linear' },
        encoding: {
          x: {
            field: 'fpr',
            type: 'quantitative',
            title: '1 − specificity (false-positive rate)',
            scale: { domain: [0, 1] },
          },
          y: {
            field: 'tpr',
            type: 'quantitative',
            title: 'Sensitivity (true-positive rate)',
            scale: { domain: [0, 1] },
          },
          color: {
            field: 'model',
            type: 'nominal',
            title: null,
            sort: labels,
            legend: { orient: 'bottom', direction: 'vertical' },
          },
          order: { field: 'order', type: 'quantitative' },
        },
      },
    ],
  };
}

export interface ConfusionPlotOptions {
  title?: string;
  /** Names of the positive and negative class. Default ['Osteoporosis', 'No osteoporosis']. */
  labels?: [string, string];
  /** Cell side in pixels. Default 130. */
  cell?: number;
}

/** A 2×2 confusion matrix heat map: rows = actual class, columns = predicted, count and row % in each cell. */
export function confusionMatrixSpec(cm: ConfusionMatrix, options: ConfusionPlotOptions = {}): VegaLiteSpec {
  const [pos, neg] = options.labels ?? ['Osteoporosis', 'No osteoporosis'];
  const cell = options.cell ?? 130;
  const cells = [
    { actual: pos, predicted: pos, count: cm.tp, kind: 'TP' },
    { actual: pos, predicted: neg, count: cm.fn, kind: 'FN' },
    { actual: neg, predicted: pos, count: cm.fp, kind: 'FP' },
    { actual: neg, predicted: neg, count: cm.tn, kind: 'TN' },
  ].map((c) => {
    const rowTotal = c.actual === pos ? cm.tp + cm.fn : cm.fp + cm.tn;
    const pct = rowTotal ? (100 * c.count) / rowTotal : NaN;
    return {
      ...c,
      text: `${c.kind} ${c.count}`,
      pct: Number.isNaN(pct) ? '' : `${pct.toFixed(1)} % of actual`,
      share: rowTotal ? c.count / rowTotal : 0,
    };
  });
  const order = [pos, neg];
  const enc = {
    x: {
      field: 'predicted',
      type: 'nominal',
      sort: order,
      title: 'Predicted',
      axis: { labelAngle: 0, orient: 'top', grid: false, ticks: false },
    },
    y: { field: 'actual', type: 'nominal', sort: order, title: 'Actual', axis: { grid: false, ticks: false } },
  };
  const text = (field: string, dy: number, size: number) => ({
    mark: { type: 'text', fontSize: size, dy },
    encoding: {
      ...enc,
      text: { field, type: 'nominal' },
      color: { condition: { test: 'datum.share > 0.5', value: 'white' }, value: 'black' },
    },
  });
  return {
    ...frame(options.title ?? 'Confusion matrix'),
    width: 2 * cell,
    height: 2 * cell,
    data: { values: cells },
    layer: [
      {
        mark: 'rect',
        encoding: {
          ...enc,
          color: { field: 'share', type: 'quantitative', scale: { scheme: 'blues', domain: [0, 1] }, legend: null },
        },
      },
      text('text', -8, 17),
      text('pct', 12, 11),
    ],
  };
}

export interface AgeScatterOptions {
  title?: string;
  /** Optional group per case (e.g. sex), coloured separately. */
  groups?: ArrayLike<string | number>;
  /** Plot side in pixels (square). Default 420. */
  size?: number;
  /** Axis unit label. Default 'years'. */
  unit?: string;
}

/**
 * Predicted vs chronological age scatter with the identity line (dashed) and R² and MAE in the subtitle.
 * Both axes share one domain so the identity line is the diagonal.
 */
export function ageScatterSpec(
  yTrue: NumericArray,
  yPred: NumericArray,
  options: AgeScatterOptions = {},
): VegaLiteSpec {
  const t = toFiniteNumbers(yTrue, 'yTrue');
  const p = toFiniteNumbers(yPred, 'yPred');
  checkLengths(options.groups ? { yTrue: t, yPred: p, groups: options.groups } : { yTrue: t, yPred: p });
  const unit = options.unit ?? 'years';
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of [...t, ...p]) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  lo = Math.floor(lo / 5) * 5;
  hi = Math.ceil(hi / 5) * 5;
  const rows = Array.from(t, (v, i) => ({
    true: v,
    pred: p[i]!,
    ...(options.groups ? { group: String(options.groups[i]) } : {}),
  }));
  const size = options.size ?? 420;
  const subtitle = `n = ${t.length}, R² = ${r2Score(t, p).toFixed(3)}, MAE = ${meanAbsoluteError(t, p).toFixed(2)} ${unit}`;
  return {
    ...frame(options.title ?? 'Predicted vs chronological age', subtitle),
    width: size,
    height: size,
    layer: [
      {
        data: { values: rows },
        mark: { type: 'point', filled: true, opacity: 0.55, size: 28 },
        encoding: {
          x: {
            field: 'true',
            type: 'quantitative',
            title: `Chronological age (${unit})`,
            scale: { domain: [lo, hi], nice: false },
          },
          y: {
            field: 'pred',
            type: 'quantitative',
            title: `Predicted age (${unit})`,
            scale: { domain: [lo, hi], nice: false },
          },
          ...(options.groups
            ? { color: { field: 'group', type: 'nominal', title: null, legend: { orient: 'bottom' } } }
            : {}),
        },
      },
      {
        data: {
          values: [
            { x: lo, y: lo },
            { x: hi, y: hi },
          ],
        },
        mark: { type: 'line', color: '#444', strokeDash: [6, 4], strokeWidth: 1.5 },
        encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
      },
    ],
  };
}

export interface DensityPlotOptions {
  title?: string;
  /** x-axis title, e.g. 'Lumbar T-score' or 'Predicted − chronological age (years)'. */
  xTitle?: string;
  /** Kernel bandwidth in x units; default Scott's rule (Vega's default). */
  bandwidth?: number;
  width?: number;
  height?: number;
}

/** Kernel density curves of a continuous variable, one per group (e.g. the three age-gap groups). */
export function densitySpec(groups: Record<string, ArrayLike<number>>, options: DensityPlotOptions = {}): VegaLiteSpec {
  const names = Object.keys(groups ?? {});
  if (names.length === 0)
    throw new MetricsError('METRICS_EMPTY', 'densitySpec needs at least one group', {
      received: groups,
      fix: 'pass { groupName: values, … }',
    });
  const rows: { group: string; value: number }[] = [];
  const labels: string[] = [];
  for (const g of names) {
    const v = toFiniteNumbers(groups[g], `groups.${g}`);
    const label = `${g} (n = ${v.length})`;
    labels.push(label);
    for (const x of v) rows.push({ group: label, value: x });
  }
  return {
    ...frame(options.title ?? 'Density by group'),
    width: options.width ?? 480,
    height: options.height ?? 300,
    data: { values: rows },
    transform: [
      {
        density: 'value',
        groupby: ['group'],
        ...(options.bandwidth ? { bandwidth: options.bandwidth } : {}),
        steps: 200,
      },
    ],
    mark: { type: 'line', strokeWidth: 2 },
    encoding: {
      x: { field: 'value', type: 'quantitative', title: options.xTitle ?? 'value' },
      y: { field: 'density', type: 'quantitative', title: 'Density' },
      color: { field: 'group', type: 'nominal', title: null, sort: labels, legend: { orient: 'bottom' } },
    },
  };
}

// ---- rendering

/** The optional peers rendering needs, with the ranges this package was tested with. */
const RENDERER_PEERS = {
  vega: '^5.33.1',
  'vega-lite': '^5.23.0',
  '@resvg/resvg-js': '^2.6.2',
  'dejavu-fonts-ttf': '^2.37.3',
} as const;

/** The command that installs the renderers. */
export const PLOT_RENDERER_INSTALL = `npm i ${Object.entries(RENDERER_PEERS)
  .map(([name, range]) => `${name}@${range}`)
  .join(' ')}`;

function isModuleNotFound(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

/** Imports an optional renderer peer, or throws METRICS_PLOT_RENDERER_MISSING naming the install command. */
async function loadRendererPeer<T>(
  name: keyof typeof RENDERER_PEERS,
  load: () => Promise<T>,
  forWhat: string,
): Promise<T> {
  try {
    return await load();
  } catch (cause) {
    if (!isModuleNotFound(cause)) throw cause;
    const message = `${forWhat} needs '${name}', an optional peer dependency of @cxrkit/metrics that is not installed`;
    throw new MetricsError('METRICS_PLOT_RENDERER_MISSING', message, {
      received: name,
      fix: `install the plot renderers: ${PLOT_RENDERER_INSTALL} (the spec functions work without them)`,
      cause,
    });
  }
}

interface VegaModule {
  parse(spec: unknown): unknown;
  View: new (
    runtime: unknown,
    opts: { renderer: string },
  ) => { toSVG(scale?: number): Promise<string>; finalize(): void };
}

/**
 * Renders a Vega-Lite spec to an SVG string, headless (no browser, no canvas).
 * @throws MetricsError `METRICS_PLOT_RENDERER_MISSING` when vega or vega-lite is not installed.
 */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  type Compile = (s: unknown) => { spec: unknown };
  type VegaLiteModule = { compile?: Compile; default?: { compile: Compile } };
  const vlLoaded = await loadRendererPeer('vega-lite', () => import('vega-lite'), 'rendering a plot');
  const vlMod = vlLoaded as unknown as VegaLiteModule;
  const compile = vlMod.compile ?? vlMod.default!.compile;
  const vgMod = (await loadRendererPeer('vega', () => import('vega'), 'rendering a plot')) as unknown as VegaModule & {
    default?: VegaModule;
  };
  const vega = vgMod.View ? vgMod : vgMod.default!;
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * Paths of DejaVu Sans from the optional `dejavu-fonts-ttf` peer (so PNG text renders the same on machines
 * without fonts); none when it is not installed (resvg then uses the system's fonts).
 */
async function bundledFonts(): Promise<string[]> {
  try {
    const { createRequire } = await import('node:module');
    // CommonJS builds have __filename but no import.meta.url; ES modules the other way round.
    const req = createRequire(typeof __filename === 'string' ? __filename : import.meta.url);
    const dir = req.resolve('dejavu-fonts-ttf/package.json').replace(/package\.json$/, 'ttf/');
    return [`${dir}DejaVuSans.ttf`, `${dir}DejaVuSans-Bold.ttf`];
  } catch {
    return [];
  }
}

/**
 * Renders a Vega-Lite spec to PNG bytes (via SVG and resvg). `scale` multiplies the pixel size (default 2).
 * @throws MetricsError `METRICS_PLOT_RENDERER_MISSING` when vega, vega-lite or @resvg/resvg-js is not installed.
 */
export async function renderPng(spec: VegaLiteSpec, options: { scale?: number } = {}): Promise<Uint8Array> {
  const svg = await renderSvg(spec);
  return svgToPng(svg, options.scale ?? 2);
}

async function svgToPng(svg: string, scale: number): Promise<Uint8Array> {
  const { Resvg } = await loadRendererPeer('@resvg/resvg-js', () => import('@resvg/resvg-js'), 'rendering a PNG');
  const fontFiles = await bundledFonts();
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    font: { loadSystemFonts: fontFiles.length === 0, fontFiles, defaultFontFamily: FONT, sansSerifFamily: FONT },
  });
  return resvg.render().asPng();
}

/**
 * Writes `<basePath>.svg` and `<basePath>.png` (folders created). Node only. Needs the renderer peers
 * (see {@link renderPng}).
 * @returns the two file paths.
 */
export async function writePlot(
  spec: VegaLiteSpec,
  basePath: string,
  options: { scale?: number } = {},
): Promise<{ svg: string; png: string }> {
  const { mkdir, writeFile } = await import('node:fs/promises');
  const { dirname } = await import('node:path');
  const base = basePath.replace(/\.(svg|png)$/i, '');
  await mkdir(dirname(base), { recursive: true });
  const svg = await renderSvg(spec);
  await writeFile(`${base}.svg`, svg);
  await writeFile(`${base}.png`, await svgToPng(svg, options.scale ?? 2));
  return { svg: `${base}.svg`, png: `${base}.png` };
}
