// readImageFile over the in-repo synthetic radiographs (test/fixtures/radiographs: 8- and 16-bit PNG, a
// JPEG written by Pillow), checked against Pillow's decode in reference.json. Needs no shared data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../../../test/helpers.js';
import { readImageFile } from './png-file.js';

interface ImageRef {
  decoder: string;
  mode: string;
  width: number;
  height: number;
  levels: number;
  mean: number;
  sha256: string;
  row100: number[];
}

const folder = join(repoRoot, 'test', 'fixtures', 'radiographs');
const { images } = JSON.parse(readFileSync(join(folder, 'reference.json'), 'utf8')) as {
  images: Record<string, ImageRef>;
};

test('the reference covers the four fixture radiographs: 8-bit PNG, 16-bit PNG and JPEG', () => {
  assert.deepEqual(Object.keys(images).sort(), [
    'radiograph-a.png',
    'radiograph-b.png',
    'radiograph-c.jpg',
    'radiograph-d.png',
  ]);
  assert.deepEqual(
    Object.values(images)
      .map((r) => [r.mode, r.levels])
      .sort(),
    [
      ['I', 65535],
      ['L', 255],
      ['L', 255],
      ['L', 255],
    ],
  ); // Pillow: 16-bit gray is mode I
});

for (const [name, ref] of Object.entries(images)) {
  test(`${name} (${ref.mode}) decodes like ${ref.decoder}`, async () => {
    const img = await readImageFile(join(folder, name));
    assert.deepEqual([img.width, img.height], [ref.width, ref.height]);
    const levels = Int32Array.from(img.data, (v) => Math.round(v * ref.levels));
    let mean = 0;
    for (const v of levels) mean += v;
    mean /= levels.length;
    const row = levels.subarray(100 * ref.width, 101 * ref.width);
    if (name.endsWith('.png')) {
      // lossless: every sample is v / (2^bits − 1) up to float32 rounding (≤ 65535 · 2^-24 < 0.004 of a level)
      img.data.forEach((v, i) =>
        assert.ok(Math.abs(v * ref.levels - levels[i]!) < 0.01, `sample ${i} is not on a level`),
      );
      assert.equal(
        createHash('sha256').update(new Uint8Array(levels.buffer)).digest('hex'),
        ref.sha256,
        'all samples (sha256)',
      );
      assert.equal(mean, ref.mean);
    } else {
      // jpeg-js against Pillow's libjpeg-turbo: IDCT implementations differ by a level here and there
      assert.ok(Math.abs(mean - ref.mean) < 0.1, `mean ${mean} vs Pillow ${ref.mean}`);
      let worst = 0;
      row.forEach((v, x) => (worst = Math.max(worst, Math.abs(v - ref.row100[x]!))));
      assert.ok(worst <= 1, `row 100: max |cxrkit − Pillow| ${worst} levels`);
    }
  });
}
