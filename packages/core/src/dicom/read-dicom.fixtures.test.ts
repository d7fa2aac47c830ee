// readDicom over the in-repo fixtures (test/fixtures/radiographs/dicom: one synthetic chest radiograph in
// every transfer syntax cxrkit decodes, written by Debian's dcmtk, GDCM and OpenJPH), checked against
// reference.json beside them (pydicom + GDCM, OpenJPH's decoder for HTJ2K). Needs no shared data: this is
// the DICOM check a bare clone runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { repoRoot } from '../../../../test/helpers.js';
import { isCxrkitError } from '../errors.js';
import { readDicom } from './read-dicom.js';
import type { StoredPixels } from './stored.js';
import { TRANSFER_SYNTAXES } from './transfer-syntax.js';

interface Ref {
  transferSyntax: string;
  decoder: string;
  rows: number;
  columns: number;
  bitsAllocated: number;
  bitsStored: number;
  photometric: string;
  PatientAge: string;
  PatientSex: string;
  PatientBirthDate: string;
  StudyDate: string;
  stored: { min: number; max: number; mean: number; sha256: string; spots: [number, number, number][] };
  source?: string;
  lossy?: boolean;
  maxAbsDiffFromSource?: number;
  /** JPEG 2000 irreversible files: every value the reference decoder gave (uint16 little endian, gzip). */
  decoded?: string;
}

const folder = join(repoRoot, 'test', 'fixtures', 'radiographs');
const reference = JSON.parse(readFileSync(join(folder, 'reference.json'), 'utf8')) as { dicom: Record<string, Ref> };
const files = readdirSync(join(folder, 'dicom')).sort();
const open = (name: string) => readDicom(join(folder, 'dicom', name));

/** sha256 of the values as little-endian int32, the digest make-reference.py writes. */
const digest = (s: StoredPixels) =>
  createHash('sha256')
    .update(new Uint8Array(Int32Array.from(s as ArrayLike<number>).buffer))
    .digest('hex');

function stats(s: StoredPixels) {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (let i = 0; i < s.length; i++) {
    const v = s[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  return { min, max, mean: sum / s.length };
}

test('the fixtures cover every transfer syntax the tools here can write, and reference.json every fixture', () => {
  assert.deepEqual(files, Object.keys(reference.dicom).sort());
  const covered = new Set(files.map((f) => reference.dicom[f]!.transferSyntax));
  // the two cxrkit decodes that no Debian tool writes: tested with hand-built files in synthetic-files.test.ts
  const notWritable = ['1.2.840.10008.1.2.1.98', '1.2.840.10008.1.2.8.1'];
  const missing = [...TRANSFER_SYNTAXES.keys()].filter((uid) => !covered.has(uid) && !notWritable.includes(uid));
  assert.deepEqual(missing, [], 'transfer syntaxes without a fixture');
});

for (const name of files) {
  const ref = reference.dicom[name]!;
  test(`${name} (${TRANSFER_SYNTAXES.get(ref.transferSyntax)?.name}) decodes like ${ref.decoder}`, async () => {
    const im = await open(name);
    assert.equal(im.transferSyntax, ref.transferSyntax);
    assert.deepEqual(
      [im.rows, im.columns, im.bitsAllocated, im.bitsStored, im.photometric],
      [ref.rows, ref.columns, ref.bitsAllocated, ref.bitsStored, ref.photometric],
    );
    const s = im.storedPixels();
    assert.equal(s.length, ref.rows * ref.columns);
    const st = stats(s);
    assert.deepEqual([st.min, st.max], [ref.stored.min, ref.stored.max], 'min, max');
    assert.ok(Math.abs(st.mean - ref.stored.mean) <= 1e-9 * ref.stored.mean, `mean ${st.mean} vs ${ref.stored.mean}`);
    for (const [r, c, v] of ref.stored.spots) assert.equal(s[r * ref.columns + c], v, `(${r}, ${c})`);
    if (!ref.decoded) {
      // every pixel, lossy JPEG and JPEG-LS included: the reference decoders and cxrkit's codecs agree exactly
      assert.equal(digest(s), ref.stored.sha256, 'all stored values (sha256)');
    } else {
      // JPEG 2000's irreversible path is floating point and not bit-exact across decoders (Part 4 conformance
      // sets error bounds): every pixel within one level of the reference decoder's
      const want = new Uint16Array(gunzipSync(readFileSync(join(folder, ref.decoded))).buffer.slice(0));
      assert.equal(want.length, s.length);
      let worst = 0;
      let differ = 0;
      for (let i = 0; i < s.length; i++) {
        const d = Math.abs(s[i]! - want[i]!);
        worst = Math.max(worst, d);
        if (d) differ++;
      }
      assert.ok(worst <= 1, `max |cxrkit − ${ref.decoder}| = ${worst} levels`);
      assert.ok(differ <= s.length / 1000, `${differ} of ${s.length} pixels differ by one level`);
    }
    // header: age from the dates (StudyDate − PatientBirthDate, completed years), sex, the dates as ISO
    assert.equal(im.meta.sex, ref.PatientSex);
    assert.equal(im.meta.age, Number.parseInt(ref.PatientAge, 10));
    assert.equal(im.meta.ageSource, 'dates');
    assert.equal(
      im.meta.studyDate,
      `${ref.StudyDate.slice(0, 4)}-${ref.StudyDate.slice(4, 6)}-${ref.StudyDate.slice(6)}`,
    );
    assert.equal(
      im.meta.birthDate,
      `${ref.PatientBirthDate.slice(0, 4)}-${ref.PatientBirthDate.slice(4, 6)}-${ref.PatientBirthDate.slice(6)}`,
    );
    const g = im.grayscale();
    assert.deepEqual([g.width, g.height], [ref.columns, ref.rows]);
    assert.ok(
      g.data.every((v) => v >= 0 && v <= 1),
      'grayscale in [0, 1]',
    );
  });
}

test('lossless files equal their source pixel for pixel; JPEG-LS near-lossless stays within NEAR = 2', async () => {
  for (const name of files.filter((f) => reference.dicom[f]!.source)) {
    const ref = reference.dicom[name]!;
    const a = (await open(name)).storedPixels();
    const b = (await open(ref.source!)).storedPixels();
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
    if (!ref.lossy) assert.equal(worst, 0, `${name} differs from ${ref.source}`);
    else
      assert.equal(
        worst,
        ref.maxAbsDiffFromSource,
        `${name}: max |decoded − source| as the reference decoder found it`,
      );
  }
  const near = (await open('jpeg-ls-near-lossless.dcm')).storedPixels();
  const src = (await open('explicit-le.dcm')).storedPixels();
  for (let i = 0; i < near.length; i++) assert.ok(Math.abs(near[i]! - src[i]!) <= 2, `pixel ${i}`);
});

test('MONOCHROME1 twin: same image stored inverted, same grayscale (bone bright) as MONOCHROME2', async () => {
  const m2 = await open('explicit-le.dcm');
  const m1 = await open('explicit-le-mono1.dcm');
  const s1 = m1.storedPixels();
  const s2 = m2.storedPixels();
  const max = 2 ** m2.bitsStored - 1;
  for (let i = 0; i < s1.length; i++) assert.equal(s1[i], max - s2[i]!, `stored pixel ${i}`);
  const g1 = m1.grayscale().data;
  const g2 = m2.grayscale().data;
  let worst = 0;
  for (let i = 0; i < g1.length; i++) worst = Math.max(worst, Math.abs(g1[i]! - g2[i]!));
  assert.ok(worst < 1e-6, `max |gray(MONOCHROME1) − gray(MONOCHROME2)| ${worst}`);
});

test('one changed byte each: a cut file, a meta naming an unknown transfer syntax, and a refused one', async () => {
  const bytes = new Uint8Array(readFileSync(join(folder, 'dicom', 'jpeg-ls-lossless.dcm')));
  const code = async (b: Uint8Array) => {
    try {
      (await readDicom(b)).storedPixels();
      return 'ok';
    } catch (e) {
      assert.ok(isCxrkitError(e), `untyped: ${String(e)}`);
      return e.code;
    }
  };
  assert.equal(await code(bytes), 'ok');
  assert.equal(await code(bytes.slice(0, bytes.length >> 1)), 'DICOM_TRUNCATED');
  const el = (await readDicom(bytes)).dataSet.elements.x00020010!;
  const withUid = (uid: string) => {
    const out = bytes.slice();
    for (let i = 0; i < el.length; i++) out[el.dataOffset + i] = i < uid.length ? uid.charCodeAt(i) : 0;
    return out;
  };
  assert.equal(await code(withUid('1.2.840.10008.1.2.4.95')), 'DICOM_UNSUPPORTED_TRANSFER_SYNTAX'); // JPIP, refused
  assert.equal(await code(withUid('1.2.840.10008.9.9.9')), 'DICOM_UNSUPPORTED_TRANSFER_SYNTAX');
});
