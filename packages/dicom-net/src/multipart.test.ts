// multipart/related reading against RFC 2046 5.1.1's grammar: preamble, epilogue, transport padding,
// header-less parts, a boundary-like line inside content; malformed and oversized bodies refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isCxrkitError } from '@cxrkit/core/tfjs-free';
import { parseRelatedContentType, readMultipartRelated, writeMultipartRelated } from './multipart.js';

const text = (s: string) => new TextEncoder().encode(s);
const read = (s: string, limits = {}) =>
  readMultipartRelated(text(s), 'zz', 'application/dicom', limits).map((p) => [
    p.mediaType,
    Buffer.from(p.bytes).toString(),
  ]);

test('reads parts with and without headers, after a preamble, with padding and an epilogue', () => {
  const body =
    'This is the preamble.\r\n--zz  \r\nContent-Type: Application/DICOM; transfer-syntax=1.2.840.10008.1.2.1\r\n\r\n' +
    'AB\r\n--zzNOT-A-DELIMITER\r\nCD\r\n--zz\r\n\r\nEF\r\n--zz\r\nContent-Type: text/plain\r\n\r\n\r\n--zz--\r\nepilogue';
  assert.deepEqual(read(body), [
    ['application/dicom', 'AB\r\n--zzNOT-A-DELIMITER\r\nCD'],
    ['application/dicom', 'EF'], // no headers: the request's type
    ['text/plain', ''],
  ]);
  assert.deepEqual(read('--zz\r\n\r\nX\r\n--zz--'), [['application/dicom', 'X']]);
});

test('refuses bodies with no delimiter, no close delimiter, endless headers, or over the limits', () => {
  const code = (f: () => unknown) => {
    try {
      f();
      return 'no error';
    } catch (e) {
      return isCxrkitError(e) ? e.code : String(e);
    }
  };
  assert.equal(
    code(() => read('no delimiter here')),
    'DICOMWEB_BAD_MULTIPART',
  );
  assert.equal(
    code(() => read('--zz\r\n\r\ntruncated')),
    'DICOMWEB_BAD_MULTIPART',
  );
  assert.equal(
    code(() => read('--zz\r\nX-A: b\r\nno empty line\r\n--zz--')),
    'DICOMWEB_BAD_MULTIPART',
  );
  assert.equal(
    code(() => read('--zzgarbage\r\n\r\nA\r\n--zz--')),
    'DICOMWEB_BAD_MULTIPART',
  );
  const three = '--zz\r\n\r\nA\r\n--zz\r\n\r\nB\r\n--zz\r\n\r\nC\r\n--zz--';
  assert.equal(
    code(() => read(three, { maxParts: 2 })),
    'DICOMWEB_BAD_MULTIPART',
  );
  assert.equal(
    code(() => read('--zz\r\n\r\nABCDE\r\n--zz--', { maxPartBytes: 4 })),
    'DICOMWEB_BAD_MULTIPART',
  );
  assert.equal(
    code(() => read(three, { maxTotalBytes: 2 })),
    'DICOMWEB_BAD_MULTIPART',
  );
});

test('Content-Type parsing: the type parameter and the boundary, quoted or not; non-multipart refused', () => {
  assert.deepEqual(parseRelatedContentType('multipart/related; type="application/dicom"; boundary="a b"'), {
    type: 'application/dicom',
    boundary: 'a b',
  });
  assert.deepEqual(parseRelatedContentType('Multipart/Related;boundary=xyz'), { type: undefined, boundary: 'xyz' });
  assert.throws(() => parseRelatedContentType('application/dicom'), /DICOMWEB_BAD_CONTENT_TYPE/);
  assert.throws(
    () => parseRelatedContentType('multipart/related; type="application/dicom"'),
    /DICOMWEB_BAD_CONTENT_TYPE/,
  );
});

test('what writeMultipartRelated writes reads back', () => {
  const parts = [
    { mediaType: 'application/dicom', bytes: text('one\r\n--two') },
    { mediaType: 'application/json', bytes: text('{}') },
  ];
  const { body, contentType } = writeMultipartRelated(parts);
  const { boundary, type } = parseRelatedContentType(contentType);
  assert.equal(type, 'application/dicom');
  assert.deepEqual(readMultipartRelated(body, boundary, type), parts);
});
