import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  percentileClipMinMax,
  zScore,
  resizeBicubic,
  percentiles,
  preprocessRadiograph,
  isCxrkitError,
} from '@cxrkit/core';
import type { GrayImage } from '@cxrkit/core';

// Reference numbers from Pillow 9.4 / numpy 1.24: test/fixtures/image/make-fixtures.py
const ref = JSON.parse(
  readFileSync(
    fileURLToPath(new URL('../../../../test/fixtures/image/preprocess-reference.json', import.meta.url)),
    'utf8',
  ),
);

/** The same integer-hash image the Python script builds (fixture_image). */
function fixtureImage(w: number, h: number): GrayImage {
  const data = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let hh = (Math.imul(x, 374761393) + Math.imul(y, 668265263)) >>> 0;
      hh = Math.imul((hh ^ (hh >>> 13)) >>> 0, 1274126177) >>> 0;
      hh = (hh ^ (hh >>> 16)) >>> 0;
      const ramp = (x * 7 + y * 13) % 256;
      const box = x > 0.35 * w && x < 0.65 * w && y > 0.25 * h && y < 0.75 * h ? 0.25 : 0;
      data[y * w + x] = (ramp / 255) * 0.5 + (hh / 4294967296) * 0.25 + box;
    }
  }
  return { data, width: w, height: h };
}

test('the generated input equals the Python one (value range, percentiles)', () => {
  const img = fixtureImage(300, 280);
  const p = ref.percentiles.find((c: { name: string }) => c.name === 'image_300x280');
  const got = percentiles(img.data, p.q);
  got.forEach((v, i) => assert.ok(Math.abs(v - p.values[i]) < 1e-12, `q=${p.q[i]}: ${v} vs numpy ${p.values[i]}`));
});

test("percentiles follow numpy's default linear interpolation (small arrays, ties, n = 1)", () => {
  for (const c of ref.percentiles.filter((c: { data: number[] | null }) => c.data)) {
    const got = percentiles(c.data, c.q);
    got.forEach((v, i) =>
      assert.ok(Math.abs(v - c.values[i]) < 1e-12, `${c.name} q=${c.q[i]}: ${v} vs numpy ${c.values[i]}`),
    );
  }
  // large input (histogram path) with heavy ties and far outliers, against a plain sort
  const big = new Float32Array(200_000);
  for (let i = 0; i < big.length; i++) big[i] = i % 97 === 0 ? 1e6 + i : ((i * 7919) % 1000) / 1000;
  const sorted = Float64Array.from(big).sort();
  const qs = [0, 0.5, 33.3, 50, 99.5, 99.9, 100];
  percentiles(big, qs).forEach((v, i) => {
    const pos = ((big.length - 1) * qs[i]!) / 100;
    const lo = Math.floor(pos);
    const want = lo + 1 < big.length ? sorted[lo]! + (sorted[lo + 1]! - sorted[lo]!) * (pos - lo) : sorted[lo]!;
    assert.ok(Math.abs(v - want) <= 1e-9 * Math.abs(want), `q=${qs[i]}: ${v} vs ${want}`);
  });
  // descending input on the histogram path: [69999 … 0] → q=50 is 34999.5, q=100 is 69999
  const desc = Float32Array.from({ length: 70_000 }, (_, i) => 69_999 - i);
  assert.deepEqual(percentiles(desc, [0, 50, 100]), [0, 34_999.5, 69_999]);
  const withNaN = new Float32Array(70_000).fill(1);
  withNaN[123] = Number.NaN;
  assert.throws(
    () => percentiles(withNaN, [50]),
    (e) => isCxrkitError(e, 'IMAGE_HAS_NAN'),
  );
  assert.throws(
    () => percentiles([1, Number.NaN, 2], [50]),
    (e) => isCxrkitError(e, 'IMAGE_HAS_NAN'),
  );
  // hand calculation: [1,2,3,4], q=50 → position 1.5 → 2.5
  assert.deepEqual(percentiles([4, 1, 3, 2], [50, 0, 100]), [2.5, 1, 4]);
});

test('percentileClipMinMax matches numpy clip + min-max; constant image gives zeros', () => {
  const img = fixtureImage(300, 280);
  const out = percentileClipMinMax(img, { lower: 0.5, upper: 99.5 });
  let maxErr = 0;
  ref.clip.row0.forEach((v: number, x: number) => (maxErr = Math.max(maxErr, Math.abs(out.data[x]! - v))));
  assert.ok(maxErr < 1e-6, `row 0 max error ${maxErr}`);
  const mean = out.data.reduce((s, v) => s + v, 0) / out.data.length;
  assert.ok(Math.abs(mean - ref.clip.mean) < 1e-6);
  const flat = percentileClipMinMax({ data: new Float32Array(100).fill(7), width: 10, height: 10 });
  assert.ok(flat.data.every((v) => v === 0));
  // defaults are the thesis's 0.5 / 99.5
  assert.deepEqual(percentileClipMinMax(img).data, out.data);
  assert.throws(
    () => percentileClipMinMax(img, { lower: 60, upper: 40 }),
    (e) => isCxrkitError(e, 'PERCENTILE_OUT_OF_RANGE'),
  );
});

test('zScore matches numpy (population std); std = 0 gives zeros', () => {
  const img = fixtureImage(300, 280);
  const z = zScore(img);
  let maxErr = 0;
  ref.zscore.row0.forEach((v: number, x: number) => (maxErr = Math.max(maxErr, Math.abs(z.data[x]! - v))));
  assert.ok(maxErr < 1e-5, `row 0 max error ${maxErr}`);
  assert.ok(zScore({ data: new Float32Array(16).fill(3), width: 4, height: 4 }).data.every((v) => v === 0));
});

test('resizeBicubic equals Pillow Image.resize(BICUBIC) on float images within 1e-4 of the value range', () => {
  let worst = 0;
  for (const c of ref.resize) {
    const [iw, ih] = c.input;
    const [ow, oh] = c.output;
    const out = resizeBicubic(fixtureImage(iw, ih), { width: ow, height: oh });
    assert.equal(out.width, ow);
    assert.equal(out.height, oh);
    const range = c.inputMax - c.inputMin;
    let err = 0;
    for (const [k, row] of Object.entries(c.rows) as Array<[string, number[]]>)
      row.forEach((v, x) => (err = Math.max(err, Math.abs(out.data[Number(k) * ow + x]! - v))));
    for (const [k, col] of Object.entries(c.cols) as Array<[string, number[]]>)
      col.forEach((v, y) => (err = Math.max(err, Math.abs(out.data[y * ow + Number(k)]! - v))));
    let sum = 0;
    for (const v of out.data) sum += v;
    assert.ok(
      err / range < 1e-4,
      `${iw}×${ih} → ${ow}×${oh}: max error ${err} (${(err / range).toExponential(2)} of range)`,
    );
    assert.ok(Math.abs(sum / (ow * oh) - c.sum / (ow * oh)) < 1e-5 * range, `${iw}×${ih} → ${ow}×${oh}: mean differs`);
    worst = Math.max(worst, err / range);
  }
  console.log(
    `# resizeBicubic vs Pillow ${ref.pillow}: worst max error ${worst.toExponential(2)} of the value range over ${ref.resize.length} cases`,
  );
});

test('resizeBicubic: identity, validation, and antialias off when upsampling changes nothing', () => {
  const img = fixtureImage(40, 30);
  assert.deepEqual(resizeBicubic(img, { width: 40, height: 30 }).data, img.data);
  const up1 = resizeBicubic(img, { width: 80, height: 60 });
  const up2 = resizeBicubic(img, { width: 80, height: 60, antialias: false });
  assert.deepEqual(up1.data, up2.data);
  // without antialiasing a 4× shrink is plain Keys interpolation: it aliases (higher variance)
  const big = fixtureImage(400, 400);
  const aa = resizeBicubic(big, { width: 100, height: 100 });
  const na = resizeBicubic(big, { width: 100, height: 100, antialias: false });
  const variance = (d: Float32Array) => {
    const m = d.reduce((s, v) => s + v, 0) / d.length;
    return d.reduce((s, v) => s + (v - m) ** 2, 0) / d.length;
  };
  assert.ok(variance(na.data) > variance(aa.data));
  assert.throws(
    () => resizeBicubic(img, { width: 0, height: 10 }),
    (e) => isCxrkitError(e, 'RESIZE_BAD_SIZE'),
  );
});

test('preprocessRadiograph: clip → resize → z-score gives mean 0, sd 1 at the requested size', () => {
  const out = preprocessRadiograph(fixtureImage(500, 450), { size: 128 });
  assert.equal(out.width, 128);
  const m = out.data.reduce((s, v) => s + v, 0) / out.data.length;
  const sd = Math.sqrt(out.data.reduce((s, v) => s + (v - m) ** 2, 0) / out.data.length);
  assert.ok(Math.abs(m) < 1e-5 && Math.abs(sd - 1) < 1e-4);
  const unit = preprocessRadiograph(fixtureImage(500, 450), { size: 64, normalize: 'percentile' });
  assert.ok(Math.min(...unit.data) >= -0.1 && Math.max(...unit.data) <= 1.1);
});
