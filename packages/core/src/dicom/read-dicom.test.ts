// readDicom over every real DICOM file in the shared data: each decodes or fails with the expected code;
// pixel values checked against pydicom + GDCM (test/fixtures/dicom/reference.json, made by
// make_reference.py beside it) and against each other (lossless variants of one image are identical).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot, sharedData, testOutputDir } from '../../../../test/helpers.js';
import { writePng } from '../image/png-file.js';
import type { GrayImage } from '../image/types.js';
import { readDicom, type DicomImage } from './read-dicom.js';
import { isCxrkitError } from '../errors.js';
import type { StoredPixels } from './stored.js';

/** Min/max/mean/population std (float64 accumulation), to compare with numpy's on the reference. */
function stats(a: ArrayLike<number>): { min: number; max: number; mean: number; std: number } {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  const mean = sum / a.length;
  let ss = 0;
  for (let i = 0; i < a.length; i++) ss += (a[i]! - mean) ** 2;
  return { min, max, mean, std: Math.sqrt(ss / a.length) };
}

const data = sharedData('dicom');
const root = data.path('dicom');
const reference: Record<string, RefEntry> = JSON.parse(
  readFileSync(join(repoRoot, 'test/fixtures/dicom/reference.json'), 'utf8'),
);

interface RefEntry {
  shape?: number[];
  dtype?: string;
  stored?: { min: number; max: number; mean: number; spots: [number, number, number | number[]][] };
  modality?: { min: number; max: number; mean: number; std: number };
  voi?: { kind: 'window' | 'lut'; min: number; max: number; mean: number };
  paletteLuma?: { min: number; max: number; mean: number };
  PatientSex?: string;
  PatientAge?: string;
}

// Every file and what must happen to it: 'ok' (all frames decode) or the error code. Failures are the
// files the data README describes as broken or non-image, and what cxrkit does not decode.
const EXPECTED: Record<string, string> = {
  'dicomParser-testImages/deflate/report_dfl': 'DICOM_NO_PIXEL_DATA', // deflated SR document
  'dicomParser-testImages/deflate/wave_dfl': 'DICOM_NO_PIXEL_DATA', // deflated waveform
  'dwv-tests-data/DICOMDIR': 'DICOM_NO_PIXEL_DATA',
  'dwv-tests-data/dwv-test_no-number-rows.dcm': 'DICOM_MISSING_ATTRIBUTE', // no Rows
  'fo-dicom-test-data/GH177_D_CLUNIE_CT1_IVRLE_BigEndian_undefined_length.dcm': 'DICOM_MALFORMED', // pydicom: OSError too
  'fo-dicom-test-data/GH179A.dcm': 'DICOM_NO_PIXEL_DATA', // header only
  'fo-dicom-test-data/GH179B.dcm': 'DICOM_TRUNCATED', // cut inside the header
  'fo-dicom-test-data/GH340.dcm': 'DICOM_UNSUPPORTED_PIXEL_FORMAT', // ACR-NEMA BitsAllocated 12 (packed)
  'fo-dicom-test-data/GH626.dcm': 'DICOM_NO_PIXEL_DATA',
  'nema-wg04/README.txt': 'DICOM_NOT_DICOM',
};

// Where pydicom 2.3 + GDCM is not a usable reference (checked otherwise below).
const REFERENCE_EXCEPTIONS: Record<string, string> = {
  'dicom.ts-test-files/20-wrong-transfer-syntax.dcm': 'GDCM decodes the raw data as JPEG-LS because the meta says so',
  'dicomParser-testImages/encapsulated/multi-frame/CT0012.fragmented_no_bot_jpeg_ls.80.dcm':
    'GDCM returns zeros (fragmented, no offset table)',
  'dicomParser-testImages/encapsulated/multi-frame/CT0012.fragmented_no_bot_jpeg_ls.81.dcm':
    'GDCM returns zeros (fragmented, no offset table)',
};

// JPEG files whose YCbCr samples GDCM returns unconverted; cxrkit (libjpeg-turbo) returns RGB.
const REFERENCE_YCBCR = new Set([
  'dicomParser-testImages/encapsulated/multi-frame/IM00001.fragmented_no_bot_jpeg_baseline.50.dcm',
  'fo-dicom-test-data/GH195.dcm',
]);

function walk(d: string): string[] {
  return readdirSync(d).flatMap((n) => {
    const p = join(d, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

const files = (data.missing ? [] : walk(root)).map((f) => relative(root, f)).sort();

const cache = new Map<string, DicomImage>();
async function open(rel: string): Promise<DicomImage> {
  let im = cache.get(rel);
  if (!im) {
    im = await readDicom(join(root, rel));
    cache.set(rel, im);
  }
  return im;
}

test('every shared DICOM file decodes or fails with its expected code', { skip: data.missing }, async () => {
  assert.ok(files.length >= 160, `expected the 164 shared files, found ${files.length}`);
  const wrong: string[] = [];
  let decoded = 0;
  for (const rel of files) {
    const want = EXPECTED[rel] ?? 'ok';
    let got = 'ok';
    try {
      const im = await readDicom(join(root, rel));
      for (let f = 0; f < im.frames; f++) {
        const s = im.storedPixels(f);
        assert.equal(s.length, im.rows * im.columns * im.samplesPerPixel, `${rel} frame ${f} length`);
      }
      const g = im.grayscale(0);
      assert.equal(g.data.length, g.width * g.height);
      for (let i = 0; i < g.data.length; i += 97) assert.ok(g.data[i]! >= 0 && g.data[i]! <= 1, `${rel} gray in [0,1]`);
      decoded++;
    } catch (e) {
      if (!isCxrkitError(e)) throw new Error(`${rel}: untyped error ${String(e)}`, { cause: e });
      got = e.code;
    }
    if (got !== want) wrong.push(`${rel}: expected ${want}, got ${got}`);
  }
  assert.deepEqual(wrong, []);
  assert.equal(decoded, files.length - Object.keys(EXPECTED).length);
});

const ycbcrToRgb = ([y, cb, cr]: number[]) => [
  y! + 1.402 * (cr! - 128),
  y! - 0.344136 * (cb! - 128) - 0.714136 * (cr! - 128),
  y! + 1.772 * (cb! - 128),
];

test('stored pixels match pydicom + GDCM (min/max/mean and spot values) for every file both decode', {
  skip: data.missing,
}, async () => {
  let compared = 0;
  for (const [rel, ref] of Object.entries(reference)) {
    if (rel.startsWith('_') || !ref.stored || rel in REFERENCE_EXCEPTIONS || EXPECTED[rel]) continue;
    const im = await open(rel);
    const s = im.storedPixels(0);
    const spp = im.samplesPerPixel;
    const at = (r: number, c: number) => {
      const i = (r * im.columns + c) * spp;
      return spp === 1 ? s[i]! : [s[i]!, s[i + 1]!, s[i + 2]!];
    };
    if (REFERENCE_YCBCR.has(rel)) {
      for (const [r, c, v] of ref.stored.spots) {
        const want = ycbcrToRgb(v as number[]);
        const got = at(r, c) as number[];
        // libjpeg-turbo's integer YCbCr→RGB vs the float formula: within rounding.
        got.forEach((g, k) =>
          assert.ok(Math.abs(g - want[k]!) <= 3, `${rel} (${r},${c}) ${got} vs ${want.map(Math.round)}`),
        );
      }
      compared++;
      continue;
    }
    const st = stats(s as ArrayLike<number>);
    assert.equal(st.min, ref.stored.min, `${rel} min`);
    assert.equal(st.max, ref.stored.max, `${rel} max`);
    assert.ok(
      Math.abs(st.mean - ref.stored.mean) <= 1e-9 * Math.max(1, Math.abs(st.mean)),
      `${rel} mean ${st.mean} vs ${ref.stored.mean}`,
    );
    for (const [r, c, v] of ref.stored.spots) assert.deepEqual(at(r, c), v, `${rel} spot (${r},${c})`);
    if (ref.modality && spp === 1) {
      const m = stats(im.modalityPixels(0));
      const tol = (x: number) => 1e-4 * Math.max(1, Math.abs(x));
      assert.ok(
        Math.abs(m.mean - ref.modality.mean) <= tol(ref.modality.mean),
        `${rel} modality mean ${m.mean} vs ${ref.modality.mean}`,
      );
      assert.ok(Math.abs(m.min - ref.modality.min) <= tol(ref.modality.min), `${rel} modality min`);
      assert.ok(Math.abs(m.max - ref.modality.max) <= tol(ref.modality.max), `${rel} modality max`);
    }
    compared++;
  }
  assert.ok(compared >= 130, `compared ${compared} files`);
});

test('VOI output (first window or VOI LUT, scaled to [0, 1]) matches pydicom apply_voi_lut', {
  skip: data.missing,
}, async () => {
  let compared = 0;
  for (const [rel, ref] of Object.entries(reference)) {
    if (rel.startsWith('_') || !ref.voi || rel in REFERENCE_EXCEPTIONS || EXPECTED[rel]) continue;
    const im = await open(rel);
    assert.equal(im.voiTransform?.kind, ref.voi.kind, `${rel} VOI kind`);
    const g = im.grayscale(0, { voi: true }).data;
    // grayscale() inverts MONOCHROME1 after VOI; pydicom's apply_voi_lut does not
    const v = im.photometric === 'MONOCHROME1' ? g.map((x) => 1 - x) : g;
    const st = stats(v);
    for (const k of ['min', 'max', 'mean'] as const) {
      assert.ok(Math.abs(st[k] - ref.voi[k]) < 1e-5, `${rel} VOI ${k} ${st[k]} vs pydicom ${ref.voi[k]}`);
    }
    compared++;
  }
  assert.ok(compared >= 40, `compared ${compared} files`);
});

test('palette colour: grayscale is the BT.601 luma of the palette colours, as pydicom apply_color_lut gives (incl. segmented LUTs)', {
  skip: data.missing,
}, async () => {
  // pydicom 2.3 reads the big-endian palette LUT data of OBXXXX1A_expb* byte-swapped (its result is
  // 1/256 of the little-endian twin's): those must equal their twin instead.
  const twins: Record<string, string> = {
    'pydicom-data/OBXXXX1A_expb.dcm': 'pydicom-data/OBXXXX1A.dcm',
    'pydicom-data/OBXXXX1A_expb_2frame.dcm': 'pydicom-data/OBXXXX1A_2frame.dcm',
  };
  for (const [be, le] of Object.entries(twins))
    assert.deepEqual((await open(be)).grayscale(0).data, (await open(le)).grayscale(0).data);
  let compared = 0;
  for (const [rel, ref] of Object.entries(reference)) {
    if (rel.startsWith('_') || !ref.paletteLuma || rel in twins) continue;
    const st = stats((await open(rel)).grayscale(0).data);
    for (const k of ['min', 'max', 'mean'] as const) {
      assert.ok(Math.abs(st[k] - ref.paletteLuma[k]) < 1e-6, `${rel} ${k} ${st[k]} vs pydicom ${ref.paletteLuma[k]}`);
    }
    compared++;
  }
  assert.ok(compared >= 8, `compared ${compared} palette files`);
});

async function assertSameStored(a: string, b: string, frames?: number): Promise<void> {
  const ia = await open(a);
  const ib = await open(b);
  assert.equal(ia.frames, ib.frames);
  for (let f = 0; f < (frames ?? ia.frames); f++) {
    const sa = ia.storedPixels(f) as StoredPixels;
    const sb = ib.storedPixels(f) as StoredPixels;
    assert.equal(sa.length, sb.length);
    let diff = 0;
    for (let i = 0; i < sa.length; i++) if (sa[i] !== sb[i]) diff++;
    assert.equal(diff, 0, `${a} vs ${b} frame ${f}: ${diff} samples differ`);
  }
}

test('NEMA WG-04 lossless variants of one image decode to identical stored pixels', {
  skip: data.missing,
}, async () => {
  for (const img of ['CT1', 'MR4']) {
    for (const v of ['RLE', 'JPLL', 'JLSL', 'J2KR'])
      await assertSameStored(`nema-wg04/${img}_UNC`, `nema-wg04/${img}_${v}`);
  }
  for (const img of ['RG2', 'RG3']) {
    // no _UNC in the set for these: the lossless ones must agree with each other
    for (const v of ['JPLL', 'JLSL', 'J2KR']) await assertSameStored(`nema-wg04/${img}_RLE`, `nema-wg04/${img}_${v}`);
  }
});

test('other lossless variants agree: emri (10 frames), CT0012 (no offset table, fragmented), liver (1-bit), RGB JPEG-LS interleave modes', {
  skip: data.missing,
}, async () => {
  const emri = 'pydicom-data/emri_small.dcm';
  for (const v of [
    'emri_small_RLE.dcm',
    'emri_small_big_endian.dcm',
    'emri_small_jpeg_2k_lossless.dcm',
    'emri_small_jpeg_ls_lossless.dcm',
  ]) {
    await assertSameStored(emri, `pydicom-data/${v}`);
  }
  const ct = 'dicomParser-testImages/encapsulated/multi-frame/CT0012.not_fragmented_bot_rle.dcm';
  for (const v of [
    'not_fragmented_no_bot_rle',
    'fragmented_no_bot_jpeg_lossless.57',
    'fragmented_no_bot_jpeg_lossless.70',
    'fragmented_no_bot_jpeg_ls.80',
    'not_fragmented_bot_jpeg_ls.80',
    'not_fragmented_no_bot_jpeg_ls.80',
  ]) {
    await assertSameStored(ct, `dicomParser-testImages/encapsulated/multi-frame/CT0012.${v}.dcm`);
  }
  // GDCM cannot decode these (crash / no 1-bit RLE / no deflated frames): the native file is the reference.
  for (const v of ['liver_expb.dcm', 'liver_rle.dcm', 'liver_deflate.dcm', 'liver_j2k.dcm'])
    await assertSameStored('pydicom-data/liver.dcm', `pydicom-data/${v}`);
  for (const v of [
    'liver_nonbyte_aligned_rle.dcm',
    'liver_nonbyte_aligned_deflate.dcm',
    'liver_nonbyte_aligned_j2k.dcm',
  ]) {
    await assertSameStored('pydicom-data/liver_nonbyte_aligned.dcm', `pydicom-data/${v}`);
  }
  await assertSameStored('pydicom-data/JLSL_RGB_ILV0.dcm', 'pydicom-data/JLSL_RGB_ILV1.dcm');
  await assertSameStored('pydicom-data/JLSL_RGB_ILV0.dcm', 'pydicom-data/JLSL_RGB_ILV2.dcm');
  await assertSameStored('pydicom-data/OBXXXX1A.dcm', 'pydicom-data/OBXXXX1A_rle.dcm');
  await assertSameStored('pydicom-data/OBXXXX1A_2frame.dcm', 'pydicom-data/OBXXXX1A_expb_2frame.dcm');
});

test('HTJ2K: the lossless and lossy RGB files (same image) agree closely (pydicom 2.3 has no HTJ2K)', {
  skip: data.missing,
}, async () => {
  const ht = await open('pydicom-data/HTJ2KLossless_08_RGB.dcm');
  assert.deepEqual([ht.rows, ht.columns, ht.samplesPerPixel], [480, 640, 3]);
  const ref = ht.storedPixels(0);
  const lossy = (await open('pydicom-data/HTJ2K_08_RGB.dcm')).storedPixels(0);
  let sad = 0;
  for (let i = 0; i < ref.length; i++) sad += Math.abs(lossy[i]! - ref[i]!);
  assert.ok(sad / ref.length < 3, `lossy HTJ2K mean abs error ${sad / ref.length}`);
  assert.ok(stats(ref as ArrayLike<number>).max > 200, 'a real image, not zeros');
});

test('12-bit lossy JPEG (process 4, via dcmjs-codecs) stays close to the uncompressed original', {
  skip: data.missing,
}, async () => {
  const lossy = (await open('nema-wg04/MR4_JPLY')).storedPixels();
  const orig = (await open('nema-wg04/MR4_UNC')).storedPixels();
  let sad = 0;
  for (let i = 0; i < orig.length; i++) sad += Math.abs(lossy[i]! - orig[i]!);
  assert.ok(sad / orig.length < 0.01 * 4095, `mean abs error ${sad / orig.length} of a 12-bit range`);
  assert.ok(sad > 0, 'lossy, so not identical');
});

test('the two real chest radiographs: age 81/M (DX) and 62/M (CR), and their pixel layout', {
  skip: data.missing,
}, async () => {
  const dx = await open('nhsx-nccid-testdata/1.3.6.1.4.1.11129.5.5.110503645592756492463169821050252582267888.dcm');
  assert.equal(dx.meta.age, 81);
  assert.equal(dx.meta.sex, 'M');
  assert.equal(dx.meta.modality, 'DX');
  assert.deepEqual([dx.rows, dx.columns, dx.bitsAllocated, dx.photometric], [1024, 1024, 8, 'MONOCHROME2']);
  const cr = await open('torchxrayvision-tests/1.2.276.0.7230010.3.1.4.8323329.6904.1517875201.850819.dcm');
  assert.equal(cr.meta.age, 62);
  assert.equal(cr.meta.sex, 'M');
  assert.equal(cr.meta.viewPosition, 'PA');
  assert.equal(cr.meta.modality, 'CR');
  // the reference's PatientAge/PatientSex strings, read independently by pydicom
  const ref = reference['torchxrayvision-tests/1.2.276.0.7230010.3.1.4.8323329.6904.1517875201.850819.dcm']!;
  assert.equal(ref.PatientSex, 'M');
  assert.equal(Number.parseInt(ref.PatientAge!, 10), 62);
});

test('Fake_MONOHR1.dcm (MONOCHROME1 tag, same pixels) comes out inverted relative to its MONOCHROME2 twin', {
  skip: data.missing,
}, async () => {
  const m2 = await open('torchxrayvision-tests/1.2.276.0.7230010.3.1.4.8323329.6904.1517875201.850819.dcm');
  const m1 = await open('torchxrayvision-tests/Fake_MONOHR1.dcm');
  assert.equal(m1.photometric, 'MONOCHROME1');
  await assertSameStored(
    'torchxrayvision-tests/Fake_MONOHR1.dcm',
    'torchxrayvision-tests/1.2.276.0.7230010.3.1.4.8323329.6904.1517875201.850819.dcm',
  );
  const g1 = m1.grayscale().data;
  const g2 = m2.grayscale().data;
  let maxErr = 0;
  for (let i = 0; i < g1.length; i++) maxErr = Math.max(maxErr, Math.abs(g1[i]! - (1 - g2[i]!)));
  assert.ok(maxErr < 1e-6, `MONOCHROME1 gray should be 1 − MONOCHROME2 gray (max error ${maxErr})`);
  // 8-bit, no rescale: gray = stored / 255 for MONOCHROME2
  assert.ok(Math.abs(g2[512 * 1024 + 512]! - m2.storedPixels()[512 * 1024 + 512]! / 255) < 1e-6);
});

test('ACR-NEMA chest (no preamble, implicit VR) equals its Part 10 twin; MONOCHROME1 makes bone bright', {
  skip: data.missing,
}, async () => {
  await assertSameStored('dwv-tests-data/CR-MONO1-10-chest.dcm', 'dwv-tests-data/gdcm-CR-MONO1-10-chest.dcm');
  const acr = await open('dwv-tests-data/CR-MONO1-10-chest.dcm');
  assert.equal(acr.photometric, 'MONOCHROME1');
  assert.ok(acr.warnings.some((w) => w.includes('no preamble')));
  // MONOCHROME1: a low stored value is bright. The darkest stored pixel must be the brightest gray.
  const s = acr.storedPixels();
  const g = acr.grayscale().data;
  let iMin = 0;
  for (let i = 1; i < s.length; i++) if (s[i]! < s[iMin]!) iMin = i;
  const gMax = g.reduce((m, v) => Math.max(m, v), 0);
  assert.equal(g[iMin], gMax);
  // 10-bit: gray = 1 − stored / 1023
  assert.ok(Math.abs(g[iMin]! - (1 - s[iMin]! / 1023)) < 1e-6);
});

test('NEMA RG1 chest (MONOCHROME1, 15-bit, 1955×1841) decodes from J2KI and JLSN, the two lossy versions agree', {
  skip: data.missing,
}, async () => {
  const j2k = await open('nema-wg04/RG1_J2KI');
  const jls = await open('nema-wg04/RG1_JLSN');
  assert.deepEqual([j2k.rows, j2k.columns, j2k.bitsStored, j2k.photometric], [1955, 1841, 15, 'MONOCHROME1']);
  const a = j2k.storedPixels();
  const b = jls.storedPixels();
  let sad = 0;
  for (let i = 0; i < a.length; i++) sad += Math.abs(a[i]! - b[i]!);
  // both lossy: they agree to well under 1% of the 15-bit range
  assert.ok(sad / a.length < 0.005 * 2 ** 15, `mean abs difference between lossy versions ${sad / a.length}`);
  const ma = stats(a as ArrayLike<number>).mean;
  const mb = stats(b as ArrayLike<number>).mean;
  assert.ok(Math.abs(ma - mb) < 0.005 * ma, `means ${ma} vs ${mb}`);
});

/** Mean of a box given in fractions of the image size. */
function boxMean(g: GrayImage, x0: number, x1: number, y0: number, y1: number): number {
  let sum = 0;
  let n = 0;
  for (let y = Math.floor(y0 * g.height); y < y1 * g.height; y++) {
    for (let x = Math.floor(x0 * g.width); x < x1 * g.width; x++) {
      sum += g.data[y * g.width + x]!;
      n++;
    }
  }
  return sum / n;
}

test('chest PA grayscale views: mediastinum/spine brighter than the lungs whatever the photometric (PNGs in test-output/dicom)', {
  skip: data.missing,
}, async () => {
  const chests = {
    'RG1-J2KI-MONOCHROME1': 'nema-wg04/RG1_J2KI',
    'gdcm-CR-MONOCHROME1': 'dwv-tests-data/gdcm-CR-MONO1-10-chest.dcm',
    'CR-jpeg-MONOCHROME2': 'torchxrayvision-tests/1.2.276.0.7230010.3.1.4.8323329.6904.1517875201.850819.dcm',
    'CR-fake-MONOCHROME1': 'torchxrayvision-tests/Fake_MONOHR1.dcm',
    'DX-nhsx-MONOCHROME2': 'nhsx-nccid-testdata/1.3.6.1.4.1.11129.5.5.110503645592756492463169821050252582267888.dcm',
  };
  for (const [name, rel] of Object.entries(chests)) {
    const im = await open(rel);
    for (const voi of [false, true]) {
      const g = im.grayscale(0, { voi });
      await writePng(testOutputDir('dicom', `${name}${voi ? '-voi' : ''}.png`), g, { range: 'minmax' });
      if (name === 'CR-fake-MONOCHROME1') continue; // tagged MONOCHROME1 over MONOCHROME2 pixels: dark bone on purpose
      const mediastinum = boxMean(g, 0.45, 0.55, 0.3, 0.6);
      const lungs = (boxMean(g, 0.2, 0.35, 0.3, 0.6) + boxMean(g, 0.65, 0.8, 0.3, 0.6)) / 2;
      assert.ok(
        mediastinum > lungs,
        `${name}${voi ? ' (VOI)' : ''}: mediastinum ${mediastinum.toFixed(3)} should be brighter than lungs ${lungs.toFixed(3)}`,
      );
    }
  }
});

// Spot values published in pydicom 3's test suite (tests/pixels/pixels_reference.py), decoded there with
// pylibjpeg/pyjpegls: an independent check for HTJ2K (which pydicom 2.3 + GDCM cannot decode) and for
// signed 15-bit JPEG-LS (where pydicom 2.3 does not sign-extend).
test('published pydicom 3 reference values: HTJ2K RGB, signed 15-bit JPEG-LS, RGB JPEG-LS interleave modes', {
  skip: data.missing,
}, async () => {
  const column = async (rel: string, r0: number, r1: number, c: number) => {
    const im = await open(rel);
    const s = im.storedPixels();
    const spp = im.samplesPerPixel;
    const out: (number | number[])[] = [];
    for (let r = r0; r < r1; r++) {
      const i = (r * im.columns + c) * spp;
      out.push(spp === 1 ? s[i]! : Array.from(s.subarray(i, i + 3) as ArrayLike<number>));
    }
    return out;
  };
  const row = async (rel: string, r: number, c0: number, c1: number) => {
    const im = await open(rel);
    const s = im.storedPixels();
    const out: number[][] = [];
    for (let c = c0; c < c1; c++)
      out.push(Array.from(s.subarray((r * im.columns + c) * 3, (r * im.columns + c) * 3 + 3) as ArrayLike<number>));
    return out;
  };
  assert.deepEqual(await row('pydicom-data/HTJ2KLossless_08_RGB.dcm', 160, 295, 305), [
    [90, 38, 1],
    [94, 40, 1],
    [97, 42, 5],
    [173, 122, 59],
    [172, 133, 69],
    [169, 135, 75],
    [168, 136, 79],
    [169, 137, 79],
    [169, 137, 81],
    [169, 136, 79],
  ]);
  assert.deepEqual(await column('pydicom-data/HTJ2KLossless_08_RGB.dcm', 275, 285, 635), [
    [208, 193, 172],
    [238, 228, 215],
    [235, 229, 216],
    [233, 226, 212],
    [239, 231, 218],
    [238, 232, 219],
    [224, 218, 205],
    [239, 234, 223],
    [246, 241, 232],
    [242, 236, 226],
  ]);
  assert.deepEqual(await row('pydicom-data/HTJ2K_08_RGB.dcm', 160, 295, 305), [
    [91, 37, 2],
    [94, 40, 1],
    [97, 42, 5],
    [174, 123, 59],
    [172, 132, 69],
    [169, 134, 74],
    [168, 136, 77],
    [168, 137, 80],
    [168, 136, 80],
    [169, 136, 78],
  ]);
  assert.deepEqual(
    await column('pydicom-data/JLSL_16_15_1_1F.dcm', 59, 65, 58),
    [-2073, -2629, -1167, 5566, 11808, 15604],
  );
  assert.deepEqual(
    await column('pydicom-data/JLSL_08_07_0_1F.dcm', 59, 69, 58),
    [55, 53, 58, 85, 109, 123, 116, 102, 98, 89],
  );
  for (const ilv of ['ILV0', 'ILV1', 'ILV2']) {
    assert.deepEqual(
      await column(`pydicom-data/JLSL_RGB_${ilv}.dcm`, 124, 128, 40),
      [
        [115, 109, 91],
        [109, 105, 100],
        [100, 111, 94],
        [192, 53, 172],
      ],
      ilv,
    );
  }
});
