// --forward URLs and AE titles (PS3.5: AE is 1–16 characters, no backslash or control characters).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkAeTitle, parseForwardUrl } from './destination.js';

test('http(s) URLs are STOW-RS to {URL}/studies; dimse:// URLs a C-STORE to AET@HOST:PORT', () => {
  assert.deepEqual(parseForwardUrl('http://127.0.0.1:8042/dicom-web'), {
    kind: 'stow-rs',
    studiesUrl: 'http://127.0.0.1:8042/dicom-web/studies',
    display: 'stow-rs http://127.0.0.1:8042/dicom-web',
  });
  assert.equal(
    (parseForwardUrl('https://pacs.example/dicomweb/') as { studiesUrl: string }).studiesUrl,
    'https://pacs.example/dicomweb/studies',
  );
  assert.deepEqual(parseForwardUrl('dimse://ORTHANC@10.0.0.5:4242'), {
    kind: 'c-store',
    aeTitle: 'ORTHANC',
    host: '10.0.0.5',
    port: 4242,
    display: 'c-store ORTHANC@10.0.0.5:4242',
  });
  assert.equal((parseForwardUrl('dimse://PACS@[::1]:104') as { host: string }).host, '::1');
});

test('anything else is refused with DICOMNET_BAD_FORWARD or DICOMNET_BAD_AE_TITLE', () => {
  for (const bad of ['ftp://x/y', 'pacs:4242', 'dimse://127.0.0.1:4242', 'dimse://AE@host', '']) {
    assert.throws(() => parseForwardUrl(bad), /DICOMNET_BAD_FORWARD/, bad);
  }
  assert.throws(() => parseForwardUrl('dimse://SEVENTEEN_CHARS_AE@h:1'), /DICOMNET_BAD_AE_TITLE/);
  assert.equal(checkAeTitle(' CXRKIT '), 'CXRKIT');
  for (const bad of ['', '   ', 'A\\B', 'X'.repeat(17), 'TAB\tAE'])
    assert.throws(() => checkAeTitle(bad), /DICOMNET_BAD_AE_TITLE/);
});
