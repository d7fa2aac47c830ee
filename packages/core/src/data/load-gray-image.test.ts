// loadGrayImage decides the format once, from the bytes: DICOM under any name, PNG named .dcm, and a
// damaged DICOM with an unknown extension reports its DICOM error (it used to read the file a second
// time as PNG/JPEG and report IMAGE_UNKNOWN_FORMAT instead).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeDicom, encodePng, isCxrkitError, loadGrayImage, type GrayImage } from '@cxrkit/core';

// A 16 × 12 ramp with known values; written as 12-bit DICOM and 8-bit PNG.
const ramp = Float32Array.from({ length: 16 * 12 }, (_, i) => ((i % 16) / 15) * 0.9 + Math.floor(i / 16) / 110);
const image: GrayImage = { data: ramp, width: 16, height: 12 };
const maxError = (a: GrayImage, b: GrayImage) => a.data.reduce((m, v, i) => Math.max(m, Math.abs(v - b.data[i]!)), 0);

test('loadGrayImage reads by content: DICOM with an unknown or no extension, PNG named .dcm', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cxrkit-load-'));
  try {
    const dicom = encodeDicom({ image }, { bitsStored: 12 });
    for (const name of ['scan.img', 'scan', 'scan.dcm', 'scan.png']) {
      writeFileSync(join(dir, name), dicom);
      const got = await loadGrayImage(join(dir, name));
      assert.deepEqual([got.width, got.height], [16, 12], name);
      assert.ok(maxError(got, image) <= 0.5 / 4095 + 1e-6, `${name}: within half a 12-bit level`);
    }
    writeFileSync(join(dir, 'really-a-png.dcm'), encodePng(image));
    const png = await loadGrayImage(join(dir, 'really-a-png.dcm'));
    assert.ok(maxError(png, image) <= 0.5 / 255 + 1e-6, 'PNG named .dcm: within half an 8-bit level');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a damaged DICOM reports its DICOM error whatever its name; unknown bytes are IMAGE_UNKNOWN_FORMAT', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cxrkit-load-'));
  try {
    const dicom = encodeDicom({ image }, { bitsStored: 12 });
    const cut = dicom.subarray(0, dicom.length - 100); // pixel data cut short
    for (const name of ['cut.img', 'cut.dcm', 'cut']) {
      writeFileSync(join(dir, name), cut);
      await assert.rejects(loadGrayImage(join(dir, name)), (e: unknown) => isCxrkitError(e, 'DICOM_TRUNCATED'), name);
    }
    const noise = Uint8Array.from({ length: 300 }, (_, i) => (i * 37 + 11) % 251);
    writeFileSync(join(dir, 'noise.xyz'), noise);
    const unknown = (e: unknown) => isCxrkitError(e, 'IMAGE_UNKNOWN_FORMAT');
    await assert.rejects(loadGrayImage(join(dir, 'noise.xyz')), unknown);
    writeFileSync(join(dir, 'noise.dcm'), noise);
    await assert.rejects(loadGrayImage(join(dir, 'noise.dcm')), (e: unknown) => isCxrkitError(e, 'DICOM_NOT_DICOM'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
