// Reads a request body into memory before it joins the screening queue, with the limits that keep one
// client from holding the service: a size cap (declared or counted, chunked bodies too), an idle timeout
// and a minimum average rate (a client trickling bytes is cut off). On any refusal reading stops at once.
import type { IncomingMessage } from 'node:http';
import { CxrkitError } from '@cxrkit/core/tfjs-free';

/** Limits on one request body. */
export interface BodyLimits {
  /** Largest body, bytes. */
  maxBytes: number;
  /** Smallest average rate once `graceMs` have passed, bytes per second. */
  minBytesPerSecond: number;
  /** Time before the rate is checked, ms. */
  graceMs: number;
  /** Longest pause between two chunks, ms. */
  idleMs: number;
}

/** Defaults: 128 MiB, 16 KiB/s on average after 5 s, no pause over 10 s. */
export const DEFAULT_BODY_LIMITS: BodyLimits = {
  maxBytes: 128 * 2 ** 20,
  minBytesPerSecond: 16 * 1024,
  graceMs: 5000,
  idleMs: 10_000,
};

const err = (code: string, message: string, received: unknown, fix: string) =>
  new CxrkitError(code, message, { received, fix, pkg: 'serve' });

/**
 * The whole body as a Uint8Array (a view of the received bytes).
 * @throws CxrkitError `UPLOAD_TOO_LARGE` (over maxBytes, declared or counted), `UPLOAD_TOO_SLOW` (idle or
 *   below the minimum rate), `UPLOAD_ABORTED` (the client went away). After any of them the request is no
 *   longer read: answer with `Connection: close`.
 */
export function readBody(req: IncomingMessage, limits: BodyLimits): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limits.maxBytes) {
      req.pause();
      reject(
        err(
          'UPLOAD_TOO_LARGE',
          `the upload declares ${declared} bytes, more than the ${limits.maxBytes} accepted`,
          {
            declared,
          },
          'send one DICOM file per request',
        ),
      );
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const start = Date.now();
    let last = start;
    let settled = false;
    const finish = (e?: Error) => {
      if (settled) return;
      settled = true;
      clearInterval(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
      if (!e) {
        // a view, not a copy: above 4 KiB Buffer.concat allocates a buffer of its own (smaller bodies share
        // Node's pool, and the decode pool copies them before moving them to a worker)
        const body = Buffer.concat(chunks, size);
        resolve(new Uint8Array(body.buffer, body.byteOffset, body.byteLength));
        return;
      }
      req.pause(); // stop reading: the caller answers and closes the connection
      chunks.length = 0;
      reject(e);
    };
    const onData = (c: Buffer) => {
      size += c.length;
      last = Date.now();
      if (size > limits.maxBytes) {
        finish(
          err(
            'UPLOAD_TOO_LARGE',
            `the upload exceeds ${limits.maxBytes} bytes`,
            { size },
            'send one DICOM file per request',
          ),
        );
        return;
      }
      chunks.push(c);
    };
    const onEnd = () => finish();
    const onError = (e: Error) => finish(err('UPLOAD_ABORTED', `the upload failed (${e.message})`, size, 'retry'));
    const onClose = () => {
      if (!req.complete)
        finish(err('UPLOAD_ABORTED', 'the client closed the connection during the upload', size, 'retry'));
    };
    const timer = setInterval(
      () => {
        const now = Date.now();
        if (now - last > limits.idleMs) {
          finish(
            err(
              'UPLOAD_TOO_SLOW',
              `no data for ${limits.idleMs} ms during the upload`,
              size,
              'check the network and retry',
            ),
          );
        } else if (now - start > limits.graceMs && (size * 1000) / (now - start) < limits.minBytesPerSecond) {
          const rate = Math.round((size * 1000) / (now - start));
          finish(
            err(
              'UPLOAD_TOO_SLOW',
              `the upload arrives at ${rate} bytes/s, below the ${limits.minBytesPerSecond} accepted`,
              rate,
              'check the network and retry',
            ),
          );
        }
      },
      Math.min(1000, limits.idleMs, limits.graceMs || 1000),
    );
    timer.unref();
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}
