// The lung-field check on real files: the chest radiographs of the shared data pass, and the
// radiographs of other body parts, CT and MR slices fail (issue 14: the intended-use gate uses it when a
// file does not say which body part it shows). Expected values are the files' own Body Part Examined
// and Modality (read by pydicom as well: see shared/data/README.md), not this code's output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readDicom, synthesizeRadiograph } from '@cxrkit/core/tfjs-free';
import { sharedPath } from '../../../test/helpers.js';
import { checkLungFields } from './lung-fields.js';

const CHESTS = [
  'nhsx-nccid-testdata/1.3.6.1.4.1.11129.5.5.110503645592756492463169821050252582267888.dcm', // DX, NIH
  'torchxrayvision-tests/1.2.276.0.7230010.3.1.4.8323329.6904.1517875201.850819.dcm', // CR PA, SIIM
  'nema-wg04/RG1_J2KI', // CR chest PA, MONOCHROME1
  'nema-wg04/RG1_JLSN',
  'dwv-tests-data/gdcm-CR-MONO1-10-chest.dcm', // CR chest PA 440 × 440
  'dwv-tests-data/CR-MONO1-10-chest.dcm', // the same image as ACR-NEMA
];
const NOT_CHESTS = [
  'nema-wg04/RG2_JPLL', // CR hip
  'nema-wg04/RG2_J2KR',
  'nema-wg04/RG3_JPLL', // CR extremity
  'nema-wg04/RG3_RLE',
  'nema-wg04/CT1_UNC', // CT slice (with lungs in it: they are not darker than the rest at full range)
  'nema-wg04/MR4_UNC', // MR
  'pydicom-data/MR2_UNCI.dcm',
  'dwv-tests-data/gdcm-CT-MONO2-8-abdo.dcm',
  'nhsx-nccid-testdata/sample.dcm', // an abdominal film: the dark flanks are not lungs
  'torchxrayvision-tests/Fake_MONOHR1.dcm', // a chest tagged MONOCHROME1 with pixels not inverted: lungs bright
];
const missing = [...CHESTS, ...NOT_CHESTS].find((f) => !existsSync(sharedPath('dicom', f)));
const skip = missing ? `shared data file missing: ${missing} (set CXRKIT_DATA)` : false;

test('two lung fields are found in every real chest radiograph of the shared data', { skip }, async () => {
  for (const f of CHESTS) {
    const dicom = await readDicom(sharedPath('dicom', f));
    const r = checkLungFields(dicom.grayscale(0));
    assert.ok(r.found, `${f}: ${r.failed.join('; ')}`);
    assert.equal(r.failed.length, 0);
    assert.ok(r.left.cx < 0.5 && r.right.cx > 0.5, `${f}: one field per half`);
    assert.ok(r.contrast > 0, `${f}: lungs darker than the rest`);
    assert.ok(Math.max(...r.size) <= 256);
  }
});

test('no lung fields in a hip, an extremity, CT and MR slices, an abdomen or an uninverted chest', {
  skip,
}, async () => {
  for (const f of NOT_CHESTS) {
    const dicom = await readDicom(sharedPath('dicom', f));
    const r = checkLungFields(dicom.grayscale(0));
    assert.equal(r.found, false, `${f} passed as a chest: ${JSON.stringify(r)}`);
    assert.ok(r.failed.length > 0);
  }
});

test('a uniform or tiny image has no lung fields (no crash, no NaN)', () => {
  const flat = checkLungFields({ data: new Float32Array(64 * 64).fill(0.5), width: 64, height: 64 });
  assert.equal(flat.found, false);
  assert.ok([flat.midline, flat.contrast, flat.left.area, flat.right.cy].every(Number.isFinite));
  const tiny = checkLungFields({ data: Float32Array.of(0, 1, 1, 0), width: 2, height: 2 });
  assert.equal(tiny.found, false);
  // a synthetic radiograph is an ellipse phantom, not a chest: whatever it finds, the measures are finite
  const s = checkLungFields(synthesizeRadiograph({ seed: 1, size: 128 }).image);
  assert.ok([s.midline, s.contrast, s.left.area, s.right.area].every(Number.isFinite));
});
