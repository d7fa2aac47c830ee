import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { synthesizeRadiograph, encodeDicom, writeDicomFile, readDicom, isCxrkitError } from '@cxrkit/core';
import { testOutputDir } from '../../../../test/helpers.js';

const script = fileURLToPath(new URL('../../../../test/fixtures/synthetic/read-with-pydicom.py', import.meta.url));
const PY = '/usr/bin/python3';
const hasPydicom = existsSync(PY) && spawnSync(PY, ['-c', 'import pydicom, numpy'], { encoding: 'utf8' }).status === 0;

const r = synthesizeRadiograph({ seed: 21, size: 96, age: 67, sex: 'F', tScore: -2.8 });
const expectedStored = (bits: number, mono1: boolean) => {
  const max = 2 ** bits - 1;
  return Array.from(r.image.data, (v) => (mono1 ? max - Math.round(v * max) : Math.round(v * max)));
};

test('pydicom reads the synthetic CR files: header, file meta, and pixel values', {
  skip: hasPydicom ? false : 'needs /usr/bin/python3 with python3-pydicom (apt-get install -y python3-pydicom)',
}, async () => {
  const files = [
    [testOutputDir('synthetic', 'cr-mono2-12bit.dcm'), { photometric: 'MONOCHROME2' as const, bitsStored: 12 }],
    [testOutputDir('synthetic', 'cr-mono1-12bit.dcm'), { photometric: 'MONOCHROME1' as const, bitsStored: 12 }],
    [testOutputDir('synthetic', 'cr-mono2-16bit.dcm'), { photometric: 'MONOCHROME2' as const, bitsStored: 16 }],
  ] as const;
  for (const [path, opts] of files)
    await writeDicomFile(path, r, { ...opts, patientId: 'P0042', studyDate: '20240115', seed: 3 });
  const res = spawnSync(PY, [script, ...files.map((f) => f[0])], { encoding: 'utf8' });
  assert.equal(res.status, 0, res.stderr);
  const seen = JSON.parse(res.stdout);
  files.forEach(([, opts], k) => {
    const s = seen[k];
    assert.equal(s.transferSyntax, '1.2.840.10008.1.2.1');
    assert.equal(s.mediaSopClass, '1.2.840.10008.5.1.4.1.1.1');
    assert.equal(s.sopClass, '1.2.840.10008.5.1.4.1.1.1');
    assert.equal(s.sameInstance, true);
    assert.deepEqual([s.modality, s.photometric, s.rows, s.columns], ['CR', opts.photometric, 96, 96]);
    assert.deepEqual(
      [s.bitsAllocated, s.bitsStored, s.highBit, s.pixelRepresentation],
      [16, opts.bitsStored, opts.bitsStored - 1, 0],
    );
    assert.deepEqual([s.sex, s.age, s.studyDate, s.patientId, s.view], ['F', '067Y', '20240115', 'P0042', 'PA']);
    // completed years between birth date and study date = 67
    const [by, bm, bd] = [s.birthDate.slice(0, 4), s.birthDate.slice(4, 6), s.birthDate.slice(6, 8)].map(Number);
    const age = 2024 - by! - (1 < bm! || (1 === bm! && 15 < bd!) ? 1 : 0);
    assert.equal(age, 67);
    assert.match(s.comments, /tScore=-2\.8/);
    assert.ok(Math.abs(s.pixelSpacing[0] - 430 / 96) < 1e-6);
    const stored = expectedStored(opts.bitsStored, opts.photometric === 'MONOCHROME1');
    assert.equal(
      s.pixelSum,
      stored.reduce((a, b) => a + b, 0),
    );
    assert.deepEqual(s.row10, stored.slice(10 * 96, 10 * 96 + 16));
  });
});

const noPydicom = hasPydicom
  ? false
  : 'needs /usr/bin/python3 with python3-pydicom (apt-get install -y python3-pydicom)';
test('pydicom reads the view position and accession number the writer is given', { skip: noPydicom }, async () => {
  const path = testOutputDir('synthetic', 'cr-ap-accession.dcm');
  await writeDicomFile(path, r, { patientId: 'P0043', seed: 4, viewPosition: 'AP', accessionNumber: 'ACC-7' });
  const res = spawnSync(PY, [script, path], { encoding: 'utf8' });
  assert.equal(res.status, 0, res.stderr);
  const [s] = JSON.parse(res.stdout);
  assert.equal(s.view, 'AP');
  assert.equal(s.accession, 'ACC-7');
  assert.equal(s.patientId, 'P0043');
});

test('round trip through readDicom: grayscale() gives the image back at 12-bit precision (MONOCHROME1 and 2)', async () => {
  for (const photometric of ['MONOCHROME1', 'MONOCHROME2'] as const) {
    const dcm = await readDicom(encodeDicom(r, { photometric, studyDate: '20240115', patientId: 'P7' }));
    assert.equal(dcm.photometric, photometric);
    assert.equal(dcm.meta.age, 67);
    assert.equal(dcm.meta.sex, 'F');
    assert.equal(dcm.meta.patientId, 'P7');
    const g = dcm.grayscale();
    assert.equal(g.width, 96);
    let err = 0;
    for (let i = 0; i < g.data.length; i++) err = Math.max(err, Math.abs(g.data[i]! - r.image.data[i]!));
    assert.ok(err <= 0.5 / 4095 + 1e-6, `${photometric}: max error ${err}`);
  }
});

test('writer options are validated', () => {
  assert.throws(
    () => encodeDicom(r, { bitsStored: 20 }),
    (e) => isCxrkitError(e, 'DICOM_WRITE_BAD_OPTION'),
  );
  assert.throws(
    () => encodeDicom(r, { photometric: 'RGB' as never }),
    (e) => isCxrkitError(e, 'DICOM_WRITE_BAD_OPTION'),
  );
  assert.throws(
    () => encodeDicom(r, { studyDate: '2024-01-15' }),
    (e) => isCxrkitError(e, 'DICOM_WRITE_BAD_OPTION'),
  );
});
