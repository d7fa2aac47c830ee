// Each way of refusing a file has its own code: crafted from real files by changing one thing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dataDir, sharedData } from '../../../../test/helpers.js';
import { readDicom, DEFAULT_MAX_PIXELS } from './read-dicom.js';
import { isCxrkitError } from '../errors.js';

const data = sharedData('dicom'); // every case is crafted from a shared file
const bytesOf = (p: string) => new Uint8Array(readFileSync(dataDir('dicom', p)));
const SIMPLE = 'dwv-tests-data/dwv-test-simple.dcm'; // 32×32, 16-bit, explicit VR LE

async function code(
  input: Uint8Array | string,
  fn?: (im: Awaited<ReturnType<typeof readDicom>>) => unknown,
  opts = {},
): Promise<string> {
  try {
    const im = await readDicom(input, opts);
    if (fn) fn(im);
    else im.storedPixels(0);
    return 'ok';
  } catch (e) {
    assert.ok(isCxrkitError(e), `untyped: ${String(e)}`);
    assert.match(e.message, /Fix: /, 'every error says what to do');
    return e.code;
  }
}

/** Copy of `bytes` with uint16 values replaced, by tag (offsets found by parsing the original). */
async function withUint16(bytes: Uint8Array, values: Record<string, number>): Promise<Uint8Array> {
  const ds = (await readDicom(bytes)).dataSet;
  const out = bytes.slice();
  for (const [tag, value] of Object.entries(values))
    new DataView(out.buffer).setUint16(ds.elements[tag]!.dataOffset, value, true);
  return out;
}

/** Copy with the (same-length) transfer syntax UID replaced. */
async function withTransferSyntax(bytes: Uint8Array, uid: string): Promise<Uint8Array> {
  const el = (await readDicom(bytes)).dataSet.elements.x00020010!;
  assert.ok(uid.length <= el.length);
  const out = bytes.slice();
  for (let i = 0; i < el.length; i++) out[el.dataOffset + i] = i < uid.length ? uid.charCodeAt(i) : 0;
  return out;
}

test('not DICOM: text, PNG bytes, an empty input, random bytes', { skip: data.missing }, async () => {
  assert.equal(await code(dataDir('dicom', 'nema-wg04/README.txt')), 'DICOM_NOT_DICOM');
  assert.equal(
    await code(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13])),
    'DICOM_NOT_DICOM',
  );
  assert.equal(await code(new Uint8Array(0)), 'DICOM_NOT_DICOM');
  const rnd = new Uint8Array(4096);
  for (let i = 0; i < rnd.length; i++) rnd[i] = (i * 2654435761) >>> 24;
  assert.equal(await code(rnd), 'DICOM_NOT_DICOM');
});

test('truncated: cut inside the header and inside the pixel data', { skip: data.missing }, async () => {
  const ct = bytesOf('nema-wg04/CT1_UNC');
  assert.equal(await code(ct.slice(0, 300_000)), 'DICOM_TRUNCATED');
  assert.equal(await code(ct.slice(0, 700)), 'DICOM_TRUNCATED');
  assert.equal(await code(bytesOf('pydicom-data/liver_deflate.dcm').slice(0, 2000)), 'DICOM_TRUNCATED');
});

test('missing Rows/Columns, and zero Columns', { skip: data.missing }, async () => {
  assert.equal(await code(dataDir('dicom', 'dwv-tests-data/dwv-test_no-number-rows.dcm')), 'DICOM_MISSING_ATTRIBUTE');
  assert.equal(await code(await withUint16(bytesOf(SIMPLE), { x00280011: 0 })), 'DICOM_MISSING_ATTRIBUTE');
});

test('pixel data shorter than Rows × Columns × BitsAllocated declare', { skip: data.missing }, async () => {
  assert.equal(await code(await withUint16(bytesOf(SIMPLE), { x00280010: 33 })), 'DICOM_PIXEL_DATA_SHORT');
  assert.equal(await code(await withUint16(bytesOf(SIMPLE), { x00280100: 32 })), 'DICOM_PIXEL_DATA_SHORT');
});

test('unsupported transfer syntaxes: a refused one (JPIP) and an unknown UID', { skip: data.missing }, async () => {
  const jls = bytesOf('nema-wg04/CT1_JLSL'); // 1.2.840.10008.1.2.4.80
  assert.equal(
    await code(await withTransferSyntax(jls, '1.2.840.10008.1.2.4.95')),
    'DICOM_UNSUPPORTED_TRANSFER_SYNTAX',
  );
  try {
    await readDicom(await withTransferSyntax(jls, '1.2.840.10008.1.2.4.95'));
  } catch (e) {
    assert.match((e as Error).message, /JPIP/);
  }
  assert.equal(
    await code(await withTransferSyntax(bytesOf(SIMPLE), '1.2.840.10008.9.9.9')),
    'DICOM_UNSUPPORTED_TRANSFER_SYNTAX',
  );
});

test('absurd dimensions are refused before allocating; the limit is configurable', { skip: data.missing }, async () => {
  const big = await withUint16(bytesOf(SIMPLE), { x00280010: 65535, x00280011: 65535 });
  const t = performance.now();
  assert.equal(await code(big), 'DICOM_DIMENSIONS_TOO_LARGE');
  assert.ok(performance.now() - t < 500, 'refused without touching 8 GiB');
  assert.ok(65535 * 65535 > DEFAULT_MAX_PIXELS);
  // a 32×32 image under a limit of 1000 samples is refused; with the default it reads
  assert.equal(await code(dataDir('dicom', SIMPLE), undefined, { maxPixels: 1000 }), 'DICOM_DIMENSIONS_TOO_LARGE');
  assert.equal(await code(dataDir('dicom', SIMPLE), undefined, { maxPixels: 1024 }), 'ok');
});

test('no pixel data, frame out of range, unreadable path, wrong argument type', { skip: data.missing }, async () => {
  assert.equal(await code(dataDir('dicom', 'dwv-tests-data/DICOMDIR')), 'DICOM_NO_PIXEL_DATA');
  assert.equal(await code(dataDir('dicom', SIMPLE), (im) => im.storedPixels(1)), 'DICOM_FRAME_OUT_OF_RANGE');
  assert.equal(await code(dataDir('dicom', SIMPLE), (im) => im.grayscale(-1)), 'DICOM_FRAME_OUT_OF_RANGE');
  assert.equal(await code(dataDir('dicom', 'no/such/file.dcm')), 'DICOM_READ_FAILED');
  assert.equal(await code(42 as unknown as string), 'DICOM_READ_FAILED');
});

test('a meta that names compressed data for raw pixels is read as raw, with a warning', {
  skip: data.missing,
}, async () => {
  const im = await readDicom(dataDir('dicom', 'dicom.ts-test-files/20-wrong-transfer-syntax.dcm'));
  assert.ok(im.warnings.some((w) => /not encapsulated/.test(w)));
  // the same CT series as NEMA CT1: the air padding outside the field of view is −2000 there too
  assert.equal(im.storedPixels()[0], -2000);
});
