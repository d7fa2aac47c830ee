// The WASM SIMD preprocessing kernels: the committed preprocess.wasm.ts is what preprocess.wat compiles
// to, the module loads here (Node 20 has WebAssembly SIMD), and the SIMD and JavaScript paths give the
// same float32 values, bit for bit, on random sizes and contents (fast-check, fixed seed from
// test/setup.ts). Equality with Pillow / numpy themselves is tested in ../pillow-exact.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import {
  percentiles,
  percentileClipMinMax,
  preprocessRadiograph,
  resize,
  setPreprocessSimd,
  zScore,
  type GrayImage,
  type ResizeOptions,
} from '@cxrkit/core';
import { PREPROCESS_WASM } from './preprocess.wasm.js';
import { preprocessSimd } from './preprocess-simd.js';

const root = fileURLToPath(new URL('../../../../../', import.meta.url));

/** fn's result on the SIMD path and on the JavaScript path. */
function bothPaths<T>(fn: () => T): [T, T] {
  try {
    setPreprocessSimd(true);
    const simd = fn();
    setPreprocessSimd(false);
    return [simd, fn()];
  } finally {
    setPreprocessSimd(true);
  }
}

/** Index of the first float32 value whose bits differ (−0 ≠ +0), or −1. */
function firstDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return 0;
  const x = new Int32Array(a.buffer, a.byteOffset, a.length);
  const y = new Int32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return i;
  return -1;
}

const imageArb = (maxSide: number) =>
  fc
    .record({
      width: fc.integer({ min: 1, max: maxSide }),
      height: fc.integer({ min: 1, max: maxSide }),
      seed: fc.integer({ min: 0, max: 1e6 }),
    })
    .map(({ width, height, seed }): GrayImage => {
      const data = new Float32Array(width * height);
      let s = seed >>> 0;
      for (let i = 0; i < data.length; i++) {
        s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
        // ties, signed zeros, negatives, a few large outliers
        const z = s % 5 === 0 ? 0 : s % 5 === 1 ? -0 : (s / 4294967296) * 2 - 0.5;
        data[i] = s % 11 === 0 ? 0.25 : s % 97 === 0 ? 1e4 : z;
      }
      return { data, width, height };
    });

test('preprocess.wasm.ts is up to date with preprocess.wat, and the module loads here', () => {
  const r = spawnSync(process.execPath, ['scripts/build-wasm-core.mjs', '--check'], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  const bytes = Buffer.from(PREPROCESS_WASM, 'base64');
  assert.ok(WebAssembly.validate(bytes));
  assert.deepEqual(
    WebAssembly.Module.exports(new WebAssembly.Module(bytes))
      .map((e) => e.name)
      .sort(),
    ['clipUnit', 'histBoth', 'histHigh', 'histLow', 'memory', 'resampleH', 'resampleV', 'zScore'],
  );
  assert.ok(preprocessSimd(), 'the SIMD kernels load on Node 20');
  const was = setPreprocessSimd(false);
  assert.equal(preprocessSimd(), undefined, 'turned off');
  setPreprocessSimd(was);
});

test('resize: SIMD and JavaScript paths agree bit for bit (random sizes, both filters, antialias on/off)', () => {
  fc.assert(
    fc.property(
      imageArb(90),
      fc.integer({ min: 1, max: 120 }),
      fc.integer({ min: 1, max: 120 }),
      fc.constantFrom<ResizeOptions['filter']>('bicubic', 'bilinear'),
      fc.boolean(),
      (image, width, height, filter, antialias) => {
        const [a, b] = bothPaths(() => resize(image, { width, height, filter, antialias }).data);
        assert.equal(firstDifference(a, b), -1);
      },
    ),
    { numRuns: 300 },
  );
  // a large shrink with every tail: width and rows not multiples of 4 or 8
  const big: GrayImage = {
    data: Float32Array.from({ length: 1003 * 707 }, (_, i) => Math.sin(i * 0.37) * 100 + (i % 13)),
    width: 1003,
    height: 707,
  };
  for (const [w, h] of [
    [512, 512],
    [299, 301],
    [13, 700],
    [1003, 5],
    [1500, 707],
  ]) {
    const [a, b] = bothPaths(() => resize(big, { width: w!, height: h! }).data);
    assert.equal(firstDifference(a, b), -1, `${w}×${h}`);
  }
});

test('zScore: SIMD and JavaScript paths agree bit for bit (sizes with every n mod 4; constant images give zeros)', () => {
  fc.assert(
    fc.property(
      imageArb(200).filter((im) => im.data.length >= 4096),
      (image) => {
        const [a, b] = bothPaths(() => zScore(image).data);
        assert.equal(firstDifference(a, b), -1);
      },
    ),
    { numRuns: 60 },
  );
  const flat: GrayImage = { data: new Float32Array(99 * 101).fill(-3), width: 99, height: 101 };
  const [a, b] = bothPaths(() => zScore(flat).data);
  assert.ok(a.every((v) => v === 0) && b.every((v) => v === 0));
});

test('percentiles stay exact when the 1-in-16 sample misleads the bin guess (the second pass runs)', () => {
  // every 16th value (the sample) is far above the rest, so the guessed bins hold none of the wanted ranks
  const n = 300_007;
  const data = Float32Array.from({ length: n }, (_, i) =>
    i % 16 === 0 ? 1000 + (i % 7) : ((i * 7919) % 10007) / 10007,
  );
  const sorted = Float64Array.from(data).sort();
  const qs = [0.5, 50, 93, 93.75, 99.5];
  const want = qs.map((q) => {
    const pos = (n - 1) * (q / 100);
    const lo = Math.floor(pos);
    const t = pos - lo;
    const a = sorted[lo]!;
    const b = sorted[Math.min(lo + 1, n - 1)]!;
    return t === 0 ? a : t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t;
  });
  const [simd, js] = bothPaths(() => percentiles(data, qs));
  assert.deepEqual(simd, want);
  assert.deepEqual(js, want);
});

test('percentile clip + min-max and the whole preprocessing: SIMD and JavaScript paths agree bit for bit', () => {
  fc.assert(
    fc.property(
      imageArb(400).filter((im) => im.data.length >= 1 << 16),
      fc.double({ min: 0, max: 49, noNaN: true }),
      fc.double({ min: 51, max: 100, noNaN: true }),
      (image, lower, upper) => {
        const [p, q] = bothPaths(() => percentiles(image.data, [lower, upper, 0, 50, 100]));
        assert.deepEqual(p, q);
        const [a, b] = bothPaths(() => percentileClipMinMax(image, { lower, upper }).data);
        assert.equal(firstDifference(a, b), -1);
      },
    ),
    { numRuns: 25 },
  );
  const image: GrayImage = {
    data: Float32Array.from({ length: 733 * 655 }, (_, i) => (i % 4099) - 2000 + (i % 7 === 0 ? -0 : 0.5)),
    width: 733,
    height: 655,
  };
  for (const normalize of ['zscore', 'percentile', 'none'] as const) {
    const [a, b] = bothPaths(() => preprocessRadiograph(image, { size: 299, normalize }).data);
    assert.equal(firstDifference(a, b), -1, normalize);
  }
  const flat: GrayImage = { data: new Float32Array(300 * 300).fill(5), width: 300, height: 300 };
  const [a, b] = bothPaths(() => percentileClipMinMax(flat).data);
  assert.ok(a.every((v) => v === 0) && b.every((v) => v === 0), 'a constant image gives zeros');
});
