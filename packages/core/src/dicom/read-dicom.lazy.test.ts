// Codecs load lazily: reading uncompressed files imports none (this file runs in its own process).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dataDir } from '../../../../test/helpers.js';
import { readDicom } from './read-dicom.js';
import { loadedCodecs } from './codecs/index.js';
import { createRequire } from 'node:module';

// CommonJS packages imported from ESM are registered in the CJS module cache: the codec builds are CJS.
const codecPackagesLoaded = () =>
  Object.keys(createRequire(import.meta.url).cache).filter((k) => /@cornerstonejs|jpeg-lossless-decoder|dcmjs-codecs/.test(k)).map((k) => k.replace(/.*node_modules\//, ''));

test('uncompressed files load no codec; a JPEG 2000 file loads only OpenJPEG', async () => {
  for (const f of ['nema-wg04/CT1_UNC', 'dicomParser-testImages/CT1_UNC.explicit_big_endian.dcm', 'dwv-tests-data/CR-MONO1-10-chest.dcm']) {
    (await readDicom(dataDir('dicom', f))).grayscale();
  }
  assert.deepEqual([...loadedCodecs()], []);
  assert.deepEqual(codecPackagesLoaded(), []);
  (await readDicom(dataDir('dicom', 'nema-wg04/CT1_J2KR'))).storedPixels();
  assert.deepEqual([...loadedCodecs()], ['jpeg2000']);
  assert.deepEqual(codecPackagesLoaded(), ['@cornerstonejs/codec-openjpeg/dist/openjpegwasm_decode.js']);
});
