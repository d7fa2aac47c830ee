// Request bodies and replies for the DICOMweb routes: bodies read into memory up to a limit (never to disk:
// they carry patient data), JSON and error replies in the service's shape.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CxrkitError, isCxrkitError } from '@cxrkit/core/tfjs-free';

/**
 * Reads a request body of at most `limit` bytes.
 * @throws CxrkitError `UPLOAD_TOO_LARGE` (declared or actual length over the limit).
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const tooLarge = (received: number) =>
      new CxrkitError('UPLOAD_TOO_LARGE', `the request body exceeds ${limit} bytes`, {
        received,
        fix: 'send fewer or smaller instances per request',
        pkg: 'dicom-net',
      });
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(tooLarge(declared));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(tooLarge(size));
        req.removeAllListeners('data');
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}

/** Sends `body` as JSON (`contentType` default application/json). */
export function sendJson(res: ServerResponse, status: number, body: unknown, contentType = 'application/json'): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': `${contentType}; charset=utf-8`,
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

/** HTTP status for an error a DICOMweb route meets. */
export function statusFor(e: unknown): number {
  if (!isCxrkitError(e)) return 500;
  if (e.code === 'UPLOAD_TOO_LARGE') return 413;
  if (e.code === 'DICOMWEB_UNSUPPORTED_MEDIA_TYPE') return 415;
  if (e.code === 'DICOMWEB_BAD_CONTENT_TYPE') return 415;
  if (e.code === 'DICOMWEB_NO_DESTINATION') return 503;
  return 400;
}

/** Sends `e` as `{ error: { code, message, fix } }` with its status; a 413 closes the connection. */
export function sendError(res: ServerResponse, e: unknown): void {
  const status = statusFor(e);
  if (status === 413) res.setHeader('connection', 'close');
  if (!isCxrkitError(e)) {
    sendJson(res, 500, {
      error: { code: 'INTERNAL', message: 'the request failed unexpectedly', fix: 'see the server log' },
    });
    return;
  }
  sendJson(res, status, { error: { code: e.code, message: e.message, fix: e.fix } });
}
