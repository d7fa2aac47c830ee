// multipart/related bodies (RFC 2387) as DICOMweb uses them: read with @remix-run/multipart-parser (limits
// on parts, part size and total size) and the Content-Type parameters with content-type; written here
// (a boundary, each part's Content-Type, the bytes).
import { randomUUID } from 'node:crypto';
import { CxrkitError } from '@cxrkit/core/tfjs-free';
import { MultipartParseError, parseMultipart } from '@remix-run/multipart-parser';
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
  if (!parsed || parsed.type !== 'multipart/related' || !parsed.parameters.boundary) {
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
 * The parts of a multipart body. A part without a Content-Type takes `defaultType` (the request's `type`
 * parameter).
 * @throws CxrkitError `DICOMWEB_BAD_MULTIPART` for a malformed body or one over the limits.
 */
export function readMultipartRelated(
  body: Uint8Array,
  boundary: string,
  defaultType: string | undefined,
  limits: MultipartLimits = {},
): BodyPart[] {
  const maxPartBytes = limits.maxPartBytes ?? 256 * 2 ** 20;
  const parts: BodyPart[] = [];
  try {
    for (const part of parseMultipart(body, {
      boundary,
      maxParts: limits.maxParts ?? 1000,
      maxFileSize: maxPartBytes,
      maxTotalSize: limits.maxTotalBytes ?? 2 ** 30,
    })) {
      const header = part.headers['content-type'];
      let mediaType = defaultType ?? 'application/octet-stream';
      if (header) {
        try {
          mediaType = contentType.parse(header).type;
        } catch {
          mediaType = header.split(';')[0]!.trim().toLowerCase();
        }
      }
      parts.push({ mediaType, bytes: part.bytes });
    }
  } catch (e) {
    if (e instanceof MultipartParseError) {
      fail('DICOMWEB_BAD_MULTIPART', `the multipart body could not be read: ${e.message}`, body.length, 'send a well-formed multipart/related body');
    }
    throw e;
  }
  return parts;
}

/** A multipart/related body of `parts` and the Content-Type header that goes with it. */
export function writeMultipartRelated(parts: BodyPart[], rootType = 'application/dicom'): {
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
