// Codecs load lazily: reading uncompressed files imports none (this file runs in its own process). On the
// shared real files (one of them ACR-NEMA), or in a bare clone on the in-repo fixtures (explicit and
// implicit VR little endian, big endian; JPEG 2000 lossless).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixtureDir, sharedData } from '../../../../test/helpers.js';
import { readDicom } from './read-dicom.js';
import { loadedCodecs } from './codecs/index.js';
import { createRequire } from 'node:module';

// CommonJS packages imported from ESM are registered in the CJS module cache: the codec builds are CJS.
const codecPackagesLoaded = () =>
  Object.keys(createRequire(import.meta.url).cache)
    .filter((k) => /@cornerstonejs|jpeg-lossless-decoder|dcmjs-codecs/.test(k))
    .map((k) => k.replace(/.*node_modules\//, ''));

const data = sharedData('dicom');
const file = data.missing ? (f: string) => fixtureDir('radiographs', 'dicom', f) : (f: string) => data.path('dicom', f);
const [uncompressed, jpeg2000] = data.missing
  ? [['explicit-le.dcm', 'explicit-be.dcm', 'implicit-le.dcm'], 'j2k-lossless.dcm']
  : [
      [
        'nema-wg04/CT1_UNC',
        'dicomParser-testImages/CT1_UNC.explicit_big_endian.dcm',
        'dwv-tests-data/CR-MONO1-10-chest.dcm',
      ],
      'nema-wg04/CT1_J2KR',
    ];

test('uncompressed files load no codec; a JPEG 2000 file loads only OpenJPEG', async () => {
  for (const f of uncompressed) {
    (await readDicom(file(f))).grayscale();
  }
  assert.deepEqual([...loadedCodecs()], []);
  assert.deepEqual(codecPackagesLoaded(), []);
  (await readDicom(file(jpeg2000))).storedPixels();
  assert.deepEqual([...loadedCodecs()], ['jpeg2000']);
  assert.deepEqual(codecPackagesLoaded(), ['@cornerstonejs/codec-openjpeg/dist/openjpegwasm_decode.js']);
});
