// Fuzz: seeded mutations (truncation, bit flips, length-field and value overwrites, cut/duplicated
// chunks) of real files covering every decoder (in a bare clone without the shared data: of the in-repo
// fixtures, one synthetic radiograph per transfer syntax, which cover every decoder too). Each case must decode or throw a CxrkitError: no
// crash, no untyped error, no hang (a watchdog kills the worker if one case stalls), no exit code left
// behind by a WASM codec, and the codecs still decode clean files correctly afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { fixtureDir, sharedData } from '../../../../test/helpers.js';
import { readDicom } from './read-dicom.js';

const data = sharedData('dicom');
const d = (p: string) => data.path('dicom', p);
const REAL_FILES = [
  'dwv-tests-data/dwv-test-simple.dcm', // explicit LE
  'fo-dicom-test-data/1403-OB.dcm', // tiny RGB
  'pydicom-data/emri_small_big_endian.dcm', // big endian, 10 frames
  'pydicom-data/liver_deflate.dcm', // deflated frames, 1-bit
  'dicomParser-testImages/deflate/report_dfl', // deflated data set
  'pydicom-data/emri_small_RLE.dcm', // RLE
  'pydicom-data/emri_small_jpeg_2k_lossless.dcm', // JPEG 2000
  'pydicom-data/emri_small_jpeg_ls_lossless.dcm', // JPEG-LS
  'pydicom-data/JLSL_08_07_0_1F.dcm', // JPEG-LS 8-bit, no preamble
  'nema-wg04/CT1_J2KI', // JPEG 2000 lossy, signed
  'dwv-tests-data/leadtools-8BitsJpegLossyGrayScale.dcm', // JPEG baseline
  'nema-wg04/MR4_JPLY', // JPEG extended 12-bit (dcmjs-codecs)
  'dicomParser-testImages/encapsulated/multi-frame/CT0012.fragmented_no_bot_jpeg_lossless.57.dcm', // JPEG lossless, fragments
  'pydicom-data/HTJ2K_08_RGB.dcm', // HTJ2K
  'pydicom-data/vlut_04.dcm', // VOI LUT sequence
  'pydicom-data/OBXXXX1A_rle.dcm', // palette colour, RLE
].map(d);
const FIXTURE_FILES = [
  'explicit-le.dcm',
  'implicit-le.dcm',
  'explicit-be.dcm',
  'deflated-le.dcm',
  'rle.dcm',
  'jpeg-baseline.dcm',
  'jpeg-extended.dcm',
  'jpeg-lossless.dcm',
  'jpeg-ls-lossless.dcm',
  'j2k.dcm',
  'htj2k-lossless.dcm',
].map((f) => fixtureDir('radiographs', 'dicom', f));
const FILES = data.missing ? FIXTURE_FILES : REAL_FILES;

const CASES = Number(process.env.CXRKIT_FUZZ_CASES ?? 3000);
const SEED = Number(process.env.CXRKIT_FUZZ_SEED ?? 20260501);
const STALL_MS = 20_000;

interface Done {
  kind: 'done';
  codes: Record<string, number>;
  untyped: string[];
  exitCode: number | string | null;
}

function runWorker(cases: number, seed: number): Promise<Done> {
  return new Promise((resolve, reject) => {
    // Worker entry points do not go through tsx's loader hooks on Node 20: load the TypeScript worker
    // module through tsx's API instead.
    const api = import.meta.resolve('tsx/esm/api');
    const entry = new URL('./fuzz-worker.ts', import.meta.url).href;
    const w = new Worker(
      `import(${JSON.stringify(api)}).then((m) => m.tsImport(${JSON.stringify(entry)}, ${JSON.stringify(entry)}))`,
      {
        eval: true,
        workerData: { files: FILES, seed, cases },
        execArgv: [],
      },
    );
    let last = 'before the first case';
    let timer = setTimeout(stall, STALL_MS);
    function stall() {
      void w.terminate();
      reject(new Error(`fuzz case stalled for ${STALL_MS} ms: ${last} (seed ${seed})`));
    }
    w.on('message', (m: { kind: string; i?: number; file?: string; op?: string } & Partial<Done>) => {
      clearTimeout(timer);
      if (m.kind === 'done') {
        void w.terminate();
        resolve(m as Done);
      } else {
        last = `case ${m.i} (${m.file}, ${m.op})`;
        timer = setTimeout(stall, STALL_MS);
      }
    });
    w.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`fuzz worker crashed at ${last}: ${e.message}`, { cause: e }));
    });
    w.on('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0 && code !== 1) reject(new Error(`fuzz worker exited with ${code} at ${last}`));
    });
  });
}

test(`fuzz: ${CASES} mutated ${data.missing ? 'fixture' : 'real'} files give a DicomImage or a CxrkitError, never a crash, hang or untyped error`, async () => {
  const done = await runWorker(CASES, SEED);
  const total = Object.values(done.codes).reduce((a, b) => a + b, 0);
  assert.equal(total, CASES);
  assert.deepEqual(done.untyped, [], 'untyped errors');
  assert.equal(done.codes.UNTYPED ?? 0, 0);
  assert.ok(done.exitCode === null || done.exitCode === 0, `a codec left process.exitCode = ${done.exitCode}`);
  // the mutations must actually exercise the error paths and the decoders
  assert.ok((done.codes.ok ?? 0) > CASES * 0.05, `too few cases decoded: ${JSON.stringify(done.codes)}`);
  for (const code of ['DICOM_TRUNCATED', 'DICOM_DECODE_FAILED'])
    assert.ok((done.codes[code] ?? 0) > 0, `no ${code} in ${JSON.stringify(done.codes)}`);
  console.log(`fuzz outcomes: ${JSON.stringify(done.codes)}`);
});

test('after garbage, the WASM codecs still decode clean files exactly (an abort does not poison them)', {
  skip: data.missing,
}, async () => {
  // Feed each WASM codec corrupt frames in this thread first.
  for (const f of [
    'pydicom-data/emri_small_jpeg_2k_lossless.dcm',
    'pydicom-data/emri_small_jpeg_ls_lossless.dcm',
    'pydicom-data/HTJ2K_08_RGB.dcm',
    'dwv-tests-data/leadtools-8BitsJpegLossyGrayScale.dcm',
    'nema-wg04/MR4_JPLY',
  ]) {
    const { readFileSync } = await import('node:fs');
    const clean = new Uint8Array(readFileSync(d(f)));
    const bad = clean.slice();
    // scramble the second half (inside the compressed stream), keep the header intact
    for (let i = bad.length >> 1; i < bad.length; i += 3) bad[i] = (bad[i]! * 31 + 7) & 0xff;
    try {
      const im = await readDicom(bad);
      im.storedPixels(0);
    } catch (e) {
      assert.equal((e as Error).name, 'CxrkitError', `${f}: ${String(e)}`);
    }
    const a = (await readDicom(clean)).storedPixels(0);
    const b = (await readDicom(d(f))).storedPixels(0);
    assert.deepEqual(a, b);
  }
  // and the lossless ones still match the uncompressed reference
  const ref = (await readDicom(d('pydicom-data/emri_small.dcm'))).storedPixels(3);
  for (const f of ['pydicom-data/emri_small_jpeg_2k_lossless.dcm', 'pydicom-data/emri_small_jpeg_ls_lossless.dcm']) {
    assert.deepEqual((await readDicom(d(f))).storedPixels(3), ref, join(f, 'frame 3'));
  }
  assert.ok(process.exitCode === undefined || process.exitCode === 0);
});
