// @cxrkit-backends: cpu wasm
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import {
  encodePng,
  decodePng,
  readImageFile,
  imagesToTensor,
  imageToTensor,
  grayToChannels,
  cropRoi,
  roiBox,
  maskBoundingBox,
  synthesizeRadiograph,
  isCxrkitError,
} from '@cxrkit/core';
import { dataDir, expectNoLeaks, sharedData } from '../../../../test/helpers.js';

const decodeRef = JSON.parse(
  readFileSync(
    fileURLToPath(new URL('../../../../test/fixtures/image/decode-reference.json', import.meta.url)),
    'utf8',
  ),
);

test('8-bit and 16-bit PNG round-trip at their quantisation step', () => {
  const data = new Float32Array(64 * 48);
  for (let i = 0; i < data.length; i++) data[i] = ((i * 7919) % 1000) / 999;
  const img = { data, width: 64, height: 48 };
  for (const bitDepth of [8, 16] as const) {
    const back = decodePng(encodePng(img, { bitDepth }));
    assert.equal(back.width, 64);
    assert.equal(back.height, 48);
    const step = 1 / (bitDepth === 8 ? 255 : 65535);
    let err = 0;
    for (let i = 0; i < data.length; i++) err = Math.max(err, Math.abs(back.data[i]! - data[i]!));
    assert.ok(err <= step / 2 + 1e-7, `${bitDepth}-bit max error ${err} > half a step ${step / 2}`);
  }
  assert.throws(
    () => decodePng(new Uint8Array([1, 2, 3])),
    (e) => isCxrkitError(e, 'PNG_DECODE_FAILED'),
  );
});

test('real JPEG/PNG files decode like Pillow (luma), whatever their extension says', {
  skip: sharedData('cxr').missing,
}, async () => {
  for (const r of decodeRef) {
    const img = await readImageFile(dataDir(r.file));
    assert.equal(img.width, r.width);
    assert.equal(img.height, r.height);
    let mean = 0;
    for (const v of img.data) mean += v;
    mean = (mean / img.data.length) * 255;
    const tol = r.file.endsWith('2.jpg') ? 1.5 : 0.6; // IDCT implementations differ by a level or so
    assert.ok(Math.abs(mean - r.mean) < tol, `${r.file}: mean ${mean} vs Pillow ${r.mean}`);
    const row = Math.min(100, r.height - 1);
    let err = 0;
    r.row.forEach((v: number, x: number) => (err = Math.max(err, Math.abs(img.data[row * r.width + x]! * 255 - v))));
    assert.ok(err <= (r.file.endsWith('2.jpg') ? 4 : 0.6), `${r.file}: row ${row} max error ${err} levels`);
  }
});

test('gray → 3 channels and [n, h, w, c] tensors, without leaks', async () => {
  const img = { data: Float32Array.from([0, 0.25, 0.5, 1, 2, 3]), width: 3, height: 2 };
  assert.deepEqual(Array.from(grayToChannels(img, 3).subarray(0, 6)), [0, 0, 0, 0.25, 0.25, 0.25]);
  await expectNoLeaks(async () => {
    const t = imageToTensor(img);
    assert.deepEqual(t.shape, [1, 2, 3, 3]);
    assert.equal(t.dtype, 'float32');
    const v = await t.data();
    assert.equal(v[(1 * 3 + 1) * 3 + 1], 2); // pixel (row 1, col 1), channel 1
    t.dispose();
    const b = imagesToTensor([img, img], { channels: 1 });
    assert.deepEqual(b.shape, [2, 2, 3, 1]);
    const s = tf.sum(b);
    assert.ok(Math.abs((await s.data())[0]! - 2 * 6.75) < 1e-6);
    tf.dispose([b, s]);
  }, 'imagesToTensor');
  assert.throws(
    () => imagesToTensor([img, { data: new Float32Array(4), width: 2, height: 2 }]),
    (e) => isCxrkitError(e, 'TENSOR_SIZE_MISMATCH'),
  );
});

test('ROI crops follow the lung fields (shift the patient, the crop follows)', () => {
  const r = synthesizeRadiograph({ seed: 4, size: 200, pose: false });
  const lungBox = maskBoundingBox(r.lungMask, 200, 200);
  const shoulder = roiBox('right-shoulder', lungBox, r.image);
  // the patient's right shoulder is on the image's left, above the lung apex
  assert.ok(shoulder.x + shoulder.width / 2 < lungBox.x + lungBox.width / 2);
  assert.ok(shoulder.y < lungBox.y);
  const spine = roiBox('thoracic-lumbar-spine', lungBox, r.image);
  assert.ok(Math.abs(spine.x + spine.width / 2 - (lungBox.x + lungBox.width / 2)) <= 2);
  // the crop covers most of the right humeral head (signal bones in that region)
  const head = synthesizeRadiograph({ seed: 4, size: 200, pose: false, signalRegion: 'humeral-heads' });
  let inside = 0,
    total = 0;
  head.signalMask.forEach((v, i) => {
    if (!v || i % 200 >= 100) return;
    total++;
    const x = i % 200,
      y = Math.floor(i / 200);
    if (x >= shoulder.x && x < shoulder.x + shoulder.width && y >= shoulder.y && y < shoulder.y + shoulder.height)
      inside++;
  });
  assert.ok(inside / total > 0.6, `right humeral head in the shoulder ROI: ${inside}/${total}`);
  const crop = cropRoi(r.image, 'cervical-thoracic-spine', r.lungMask);
  const box = roiBox('cervical-thoracic-spine', lungBox, r.image);
  assert.equal(crop.width, box.width);
  assert.equal(crop.data[0], r.image.data[box.y * 200 + box.x]);
  assert.throws(
    () => roiBox('right-sholder' as never, lungBox, r.image),
    (e) => isCxrkitError(e, 'ROI_UNKNOWN') && /right-shoulder/.test((e as Error).message),
  );
});
