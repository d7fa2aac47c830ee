// multipart/related bodies (RFC 2387) as DICOMweb uses them: the Content-Type parameters parsed with the
// content-type package; bodies read and written here (see readMultipartRelated for why).
import { randomUUID } from 'node:crypto';
import { CxrkitError } from '@cxrkit/core/tfjs-free';
import contentType from 'content-type';

/** One body part: its media type (lower case, no parameters) and bytes. */
export interface BodyPart {
  mediaType: string;
  bytes: Uint8Array;
}

/** Limits of {@link readMultipartRelated}. */
export interface MultipartLimits {
  /** Parts at most. Default 1000. */
  maxParts?: number;
  /** Bytes of one part at most. Default 256 MiB. */
  maxPartBytes?: number;
  /** Bytes of all parts together at most. Default 1 GiB. */
  maxTotalBytes?: number;
}

/** The parsed Content-Type of a multipart/related request: its `type` parameter and boundary. */
export interface RelatedContentType {
  /** The root media type (`type` parameter), lower case; undefined when absent. */
  type?: string;
  boundary: string;
}

const fail = (code: string, message: string, received: unknown, fix: string): never => {
  throw new CxrkitError(code, message, { received, fix, pkg: 'dicom-net' });
};

/**
 * Parses a `multipart/related; type="…"; boundary=…` Content-Type header.
 * @throws CxrkitError `DICOMWEB_BAD_CONTENT_TYPE` when it is not multipart/related or has no boundary.
 */
export function parseRelatedContentType(header: string | undefined): RelatedContentType {
  let parsed: contentType.ParsedMediaType | undefined;
  try {
    parsed = contentType.parse(header ?? '');
  } catch {
    parsed = undefined;
  }
  if (parsed?.type !== 'multipart/related' || !parsed.parameters.boundary) {
    fail(
      'DICOMWEB_BAD_CONTENT_TYPE',
      'the request body must be multipart/related with a boundary',
      header,
      'send Content-Type: multipart/related; type="application/dicom"; boundary=…',
    );
  }
  const type = parsed!.parameters.type?.toLowerCase();
  return { type, boundary: parsed!.parameters.boundary! };
}

/**
 * The parts of a multipart body (RFC 2046 5.1.1: preamble and epilogue ignored, transport padding after a
 * delimiter allowed, a part without headers allowed). A part without a Content-Type takes `defaultType`
 * (the request's `type` parameter). Read here rather than with a parser package: @remix-run/multipart-parser
 * refuses a preamble and merges a header-less part into the next one, silently.
 * @throws CxrkitError `DICOMWEB_BAD_MULTIPART` for a malformed body (no delimiter, no close delimiter,
 *   headers over 8 KiB) or one over the limits.
 */
export function readMultipartRelated(
  body: Uint8Array,
  boundary: string,
  defaultType: string | undefined,
  limits: MultipartLimits = {},
): BodyPart[] {
  const maxParts = limits.maxParts ?? 1000;
  const maxPartBytes = limits.maxPartBytes ?? 256 * 2 ** 20;
  const maxTotalBytes = limits.maxTotalBytes ?? 2 ** 30;
  const bad = (why: string): never =>
    fail(
      'DICOMWEB_BAD_MULTIPART',
      `the multipart body ${why}`,
      body.length,
      'send a well-formed multipart/related body',
    );
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  // the first delimiter may open the body (no CRLF before it)
  let p = bytes.subarray(0, delimiter.length - 2).equals(delimiter.subarray(2))
    ? -2
    : nextDelimiter(bytes, delimiter, 0);
  if (p === -1) bad('has no delimiter');
  const parts: BodyPart[] = [];
  let total = 0;
  for (;;) {
    p += delimiter.length;
    if (bytes[p] === 0x2d && bytes[p + 1] === 0x2d) return parts; // close delimiter "--"
    while (bytes[p] === 0x20 || bytes[p] === 0x09) p++; // transport padding
    if (bytes[p] !== 0x0d || bytes[p + 1] !== 0x0a) bad('has a delimiter not followed by CRLF');
    p += 2;
    const next = nextDelimiter(bytes, delimiter, p - 2);
    if (next < 0) bad('ends without its close delimiter (truncated?)');
    // headers end at the first empty line; a part may have none (it then starts with CRLF)
    const headerEnd = bytes[p] === 0x0d && bytes[p + 1] === 0x0a ? p : bytes.indexOf('\r\n\r\n', p);
    if (headerEnd < 0 || headerEnd > next) bad('has a part whose headers do not end');
    if (headerEnd - p > 8192) bad('has part headers over 8 KiB');
    const headers = bytes.subarray(p, headerEnd).toString('latin1');
    const contentStart = headerEnd === p ? p + 2 : headerEnd + 4;
    const content = bytes.subarray(contentStart, Math.max(contentStart, next));
    if (parts.length >= maxParts) bad(`has more than ${maxParts} parts`);
    if (content.length > maxPartBytes) bad(`has a part over ${maxPartBytes} bytes`);
    total += content.length;
    if (total > maxTotalBytes) bad(`holds more than ${maxTotalBytes} bytes`);
    const header = /^content-type:[ \t]*(.*)$/im.exec(headers)?.[1]?.trim();
    let mediaType = defaultType ?? 'application/octet-stream';
    if (header) {
      try {
        mediaType = contentType.parse(header).type;
      } catch {
        mediaType = header.split(';')[0]!.trim().toLowerCase();
      }
    }
    parts.push({ mediaType, bytes: new Uint8Array(content) });
    p = next;
  }
}

/** The next delimiter at or after `from` that is one: followed by "--", or by padding and CRLF. */
function nextDelimiter(bytes: Buffer, delimiter: Buffer, from: number): number {
  for (let at = bytes.indexOf(delimiter, from); at >= 0; at = bytes.indexOf(delimiter, at + 1)) {
    let q = at + delimiter.length;
    if (bytes[q] === 0x2d && bytes[q + 1] === 0x2d) return at;
    while (bytes[q] === 0x20 || bytes[q] === 0x09) q++;
    if (bytes[q] === 0x0d && bytes[q + 1] === 0x0a) return at;
  }
  return -1;
}

/** A multipart/related body of `parts` and the Content-Type header that goes with it. */
export function writeMultipartRelated(
  parts: BodyPart[],
  rootType = 'application/dicom',
): {
  body: Uint8Array;
  contentType: string;
} {
  const boundary = `cxrkit-${randomUUID()}`;
  const chunks: Uint8Array[] = [];
  const enc = new TextEncoder();
  for (const p of parts) {
    chunks.push(enc.encode(`--${boundary}\r\nContent-Type: ${p.mediaType}\r\n\r\n`), p.bytes, enc.encode('\r\n'));
  }
  chunks.push(enc.encode(`--${boundary}--\r\n`));
  const body = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    body.set(c, o);
    o += c.length;
  }
  return { body, contentType: `multipart/related; type="${rootType}"; boundary=${boundary}` };
}
