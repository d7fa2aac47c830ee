// Colormap lookups against matplotlib (fixture from test/fixtures/gradcam/make-colormaps.py), the
// overlay blend by hand, and overlays through core's PNG encoder and back through pngjs' decoder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { encodePng, isCxrkitError, writePngSync } from '@cxrkit/core';
import { repoRoot, testOutputDir } from '../../../test/helpers.js';
import { COLORMAP_NAMES, colormapRgb } from './colormap.js';
import { colorizeHeatmap, overlayHeatmap } from './overlay.js';

test('jet, viridis and inferno look up values exactly as matplotlib cmap(x, bytes=True)', () => {
  const fx = JSON.parse(readFileSync(`${repoRoot}/test/fixtures/gradcam/colormaps.json`, 'utf8'));
  assert.deepEqual(COLORMAP_NAMES, ['jet', 'viridis', 'inferno']);
  for (const name of COLORMAP_NAMES) {
    fx.x.forEach((x: number, i: number) => assert.deepEqual(colormapRgb(name, x), fx[name][i], `${name}(${x})`));
  }
  assert.throws(
    () => colormapRgb('virdis' as never, 0.5),
    (e) => isCxrkitError(e, 'GRADCAM_UNKNOWN_COLORMAP') && /did you mean "viridis"/.test(e.message),
  );
});

test('overlayHeatmap blends (1 − α)·grey + α·colour, resizing the map to the image', () => {
  // 2 × 2 radiograph with values 0, 1, 2, 4 (min-max → grey 0, 63.75, 127.5, 255)
  const image = { data: Float32Array.from([0, 1, 2, 4]), width: 2, height: 2 };
  const heat = { data: Float32Array.from([0, 0.5, 1, 2]), width: 2, height: 2 }; // /max → 0, .25, .5, 1
  const out = overlayHeatmap(image, heat, { colormap: 'viridis', alpha: 0.5 });
  const grey = [0, 63.75, 127.5, 255];
  const v = [0, 0.25, 0.5, 1];
  for (let i = 0; i < 4; i++) {
    const c = colormapRgb('viridis', v[i]!);
    for (let k = 0; k < 3; k++)
      assert.equal(out.data[4 * i + k], Math.round(0.5 * grey[i]! + 0.5 * c[k]!), `pixel ${i} channel ${k}`);
    assert.equal(out.data[4 * i + 3], 255);
  }
  const thr = overlayHeatmap(image, heat, { threshold: 0.3 });
  assert.deepEqual(Array.from(thr.data.slice(0, 8)), [0, 0, 0, 255, 64, 64, 64, 255]); // below threshold: grey only
  const small = { data: Float32Array.from([1]), width: 1, height: 1 };
  const big = overlayHeatmap({ data: new Float32Array(12), width: 4, height: 3 }, small, {
    colormap: 'inferno',
    alpha: 1,
  });
  assert.deepEqual(Array.from(big.data.slice(0, 4)), [...colormapRgb('inferno', 1), 255]);
  assert.throws(
    () => overlayHeatmap(image, { data: new Float32Array(3), width: 2, height: 2 }),
    (e) => isCxrkitError(e, 'GRADCAM_BAD_IMAGE'),
  );
  assert.throws(
    () => overlayHeatmap(image, heat, { alpha: 2 }),
    (e) => isCxrkitError(e, 'GRADCAM_BAD_OPTION'),
  );
});

test('overlays and 8-bit grey round-trip through core encodePng and pngjs', () => {
  const ramp = { data: Float32Array.from({ length: 64 * 16 }, (_, i) => (i % 64) / 63), width: 64, height: 16 };
  for (const name of COLORMAP_NAMES) {
    const rgba = colorizeHeatmap(ramp, { colormap: name });
    const back = PNG.sync.read(Buffer.from(encodePng(rgba)));
    assert.equal(back.width, 64);
    assert.deepEqual(new Uint8Array(back.data), new Uint8Array(rgba.data.buffer));
    writePngSync(testOutputDir('gradcam', `colormap-${name}.png`), rgba);
  }
  const gray = { data: Uint8Array.from({ length: 12 }, (_, i) => i * 20), width: 4, height: 3 };
  const g = PNG.sync.read(Buffer.from(encodePng(gray)));
  assert.deepEqual(
    Array.from({ length: 12 }, (_, i) => g.data[4 * i]),
    Array.from(gray.data),
  );
  const badShape = (e: unknown) => isCxrkitError(e, 'IMAGE_BAD_SHAPE');
  assert.throws(() => encodePng({ data: new Uint8Array(5), width: 2, height: 2 }), badShape);
});
