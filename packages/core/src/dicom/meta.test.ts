// Age/sex/date parsing by hand-checked examples (PS3.5 Table 6.2-1: DA is YYYYMMDD, AS is nnnD/W/M/Y).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDicomAge, parseDicomDate } from './meta.js';
import { readDicom } from './read-dicom.js';
import { dataDir, sharedData } from '../../../../test/helpers.js';

const data = sharedData('dicom');

test('Patient Age strings', () => {
  assert.equal(parseDicomAge('062Y'), 62);
  assert.equal(parseDicomAge('081Y'), 81);
  assert.equal(parseDicomAge('006M'), 0.5);
  assert.equal(parseDicomAge('052W'), (52 * 7) / 365.25);
  assert.equal(parseDicomAge('010D'), 10 / 365.25);
  assert.equal(parseDicomAge('62'), 62, 'bare number read as years');
  assert.equal(parseDicomAge(''), undefined);
  assert.equal(parseDicomAge('abcY'), undefined);
  assert.equal(parseDicomAge('062X'), undefined);
});

test('dates: DA, the old ACR-NEMA dotted form, and invalid calendar dates', () => {
  assert.deepEqual(parseDicomDate('20040826'), { y: 2004, m: 8, d: 26 });
  assert.deepEqual(parseDicomDate('1995.07.20'), { y: 1995, m: 7, d: 20 });
  assert.equal(parseDicomDate('20230231'), undefined);
  assert.equal(parseDicomDate('2023'), undefined);
  assert.equal(parseDicomDate(undefined), undefined);
});

test('age from StudyDate − PatientBirthDate counts completed years (NEMA RG1: born 1940-03-05, study 2004-08-26 → 64)', {
  skip: data.missing,
}, async () => {
  const im = await readDicom(dataDir('dicom', 'nema-wg04/RG1_JLSN'));
  assert.equal(im.meta.birthDate, '1940-03-05');
  assert.equal(im.meta.studyDate, '2004-08-26');
  assert.equal(im.meta.age, 64);
  assert.equal(im.meta.ageSource, 'dates');
  assert.equal(im.meta.sex, 'F');
});

test('missing values stay undefined (never guessed)', { skip: data.missing }, async () => {
  const im = await readDicom(
    dataDir('dicom', 'nhsx-nccid-testdata/1.3.6.1.4.1.11129.5.5.110503645592756492463169821050252582267888.dcm'),
  );
  assert.equal(im.meta.age, 81);
  assert.equal(im.meta.ageSource, 'PatientAge');
  for (const k of ['studyDate', 'viewPosition', 'bodyPart', 'pixelSpacing'] as const)
    assert.equal(im.meta[k], undefined, k);
  assert.ok(!('studyDate' in im.meta));
});
