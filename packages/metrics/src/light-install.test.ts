// `@cxrkit/metrics` must load without its optional plot renderers (vega, vega-lite, @resvg/resvg-js,
// dejavu-fonts-ttf), and `@cxrkit/metrics/plots` must say how to install them when asked to render.
// Checked in child processes whose module hooks make those packages unresolvable, as if not installed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importWithBlocked } from '../../../test/fixtures/no-tfjs/import-blocked.js';

const RENDERERS = ['vega', '@resvg/', 'dejavu-fonts-ttf'];

test('the hooks do block the renderers (rendering fails without them)', () => {
  const r = importWithBlocked('vega', 'typeof m.View', RENDERERS);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /BLOCKED_IMPORT: vega/);
});

test('@cxrkit/metrics imports and computes with vega, vega-lite, resvg and the fonts blocked, and has no plots', () => {
  const expression = "[m.rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), 'rocPlotSpec' in m, 'writePlot' in m]";
  const r = importWithBlocked('@cxrkit/metrics', expression, RENDERERS);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout.trim()), [0.75, false, false]); // sklearn roc_auc_score of the same: 0.75
});

test('@cxrkit/metrics/plots builds specs without the renderers and names the npm i command when rendering', () => {
  const expression =
    "(async () => { const spec = m.rocPlotSpec([{ name: 'a', yTrue: [0, 1, 0, 1], yScore: [0.1, 0.9, 0.3, 0.6] }]);" +
    ' const out = [typeof spec.$schema];' +
    ' for (const f of [() => m.renderSvg(spec), () => m.renderPng(spec)]) {' +
    '   try { await f(); out.push("rendered"); } catch (e) { out.push([e.name, e.code, e.received, e.message]); } }' +
    ' return out; })()';
  const r = importWithBlocked('@cxrkit/metrics/plots', expression, RENDERERS);
  assert.equal(r.status, 0, r.stderr);
  const [schema, svg, png] = JSON.parse(r.stdout.trim());
  assert.equal(schema, 'string');
  for (const [name, code, received, message] of [svg, png]) {
    assert.equal(name, 'CxrkitError');
    assert.equal(code, 'METRICS_PLOT_RENDERER_MISSING');
    assert.equal(received, 'vega-lite'); // the first renderer loaded
    const install = 'npm i vega@^5.33.1 vega-lite@^5.23.0 @resvg/resvg-js@^2.6.2 dejavu-fonts-ttf@^2.37.3';
    assert.ok(message.includes(install), message);
  }
});

test('with vega present but resvg blocked, SVG renders and PNG names the missing @resvg/resvg-js', () => {
  const expression =
    '(async () => { const spec = m.confusionMatrixSpec({ tp: 3, fp: 1, tn: 5, fn: 2 });' +
    ' const svg = await m.renderSvg(spec);' +
    ' const isSvg = svg.startsWith("<svg");' +
    ' try { await m.renderPng(spec); return [isSvg, "rendered"]; }' +
    ' catch (e) { return [isSvg, e.code, e.received]; } })()';
  const r = importWithBlocked('@cxrkit/metrics/plots', expression, ['@resvg/']);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout.trim()), [true, 'METRICS_PLOT_RENDERER_MISSING', '@resvg/resvg-js']);
});
