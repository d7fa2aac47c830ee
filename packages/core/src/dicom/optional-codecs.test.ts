// dcmjs-codecs (12-bit lossy JPEG) is an optional peer of @cxrkit/core: without it the package loads,
// reads every other transfer syntax, and a 12-bit JPEG file gets DICOM_CODEC_NOT_INSTALLED naming the
// install command. Checked in a child process whose module hooks make dcmjs-codecs unresolvable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dataDir } from '../../../../test/helpers.js';
import { importWithBlocked } from '../../../../test/fixtures/no-tfjs/import-blocked.js';

const sharedData = (() => {
  try {
    return existsSync(dataDir('dicom', 'nema-wg04', 'MR4_JPLY')) ? dataDir() : undefined;
  } catch {
    return undefined;
  }
})();

const skip = sharedData ? false : 'needs ../shared/data/dicom/nema-wg04 (or CXRKIT_DATA)';

test('without dcmjs-codecs: tfjs-free reads an uncompressed file, a 12-bit JPEG names the install', { skip }, () => {
  const dir = JSON.stringify(`${sharedData}/dicom/nema-wg04`);
  const expression = `(async () => {
    const unc = await m.readDicom(${dir} + '/MR4_UNC');
    let err;
    try { (await m.readDicom(${dir} + '/MR4_JPLY')).storedPixels(); } catch (e) { err = [e.code, e.message]; }
    return [unc.rows, unc.columns, unc.storedPixels().length > 0, err];
  })()`;
  const r = importWithBlocked('@cxrkit/core/tfjs-free', expression, ['dcmjs-codecs', '@tensorflow/']);
  assert.equal(r.status, 0, r.stderr);
  const [rows, columns, decoded, [code, message]] = JSON.parse(r.stdout.trim());
  assert.ok(rows > 0 && columns > 0 && decoded);
  assert.equal(code, 'DICOM_CODEC_NOT_INSTALLED');
  assert.match(message, /npm install dcmjs-codecs@0\.0\.8/);
});
