// DICOMweb WADO-RS: fetch one instance (…/studies/{study}/series/{series}/instances/{instance}) and take
// the DICOM out of the multipart/related answer (PS3.18 §8.7.3.3.2), or out of a plain application/dicom body.
import { archiveFail } from '../errors.js';

/** How WADO-RS requests are made. */
export interface WadoRsOptions {
  /** Extra request headers, e.g. `{ authorization: 'Bearer …' }`. */
  headers?: Record<string, string>;
  /** Attempts for network errors and 5xx/429 answers (exponential backoff from 250 ms). Default 3. */
  attempts?: number;
  /** Per-request timeout, ms. Default 60,000. */
  timeoutMs?: number;
}

/** True for an `http:` or `https:` URL (a WADO-RS instance), false for a file path. */
export function isUrl(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

const ACCEPT = 'multipart/related; type="application/dicom"; transfer-syntax=*';

/**
 * The DICOM bytes of one WADO-RS instance URL. Retries network failures and 429/5xx answers.
 * @throws CxrkitError `ARCHIVE_FETCH_FAILED` (HTTP error or network, after the retries), `ARCHIVE_BAD_RESPONSE`
 *   (no DICOM part in the answer).
 */
export async function fetchWadoRsInstance(url: string, options: WadoRsOptions = {}): Promise<Uint8Array> {
  const attempts = options.attempts ?? 3;
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    let response: Response;
    try {
      response = await fetch(url, {
        headers: { accept: ACCEPT, ...options.headers },
        signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
      });
    } catch (e) {
      lastError = e;
      await backoff(attempt, attempts);
      continue;
    }
    if (response.ok) {
      const body = new Uint8Array(await response.arrayBuffer());
      return dicomPart(body, response.headers.get('content-type') ?? '', url);
    }
    lastError = `HTTP ${response.status} ${response.statusText}`;
    await response.body?.cancel();
    if (response.status !== 429 && response.status < 500) break;
    await backoff(attempt, attempts);
  }
  const reason = lastError instanceof Error ? lastError.message : String(lastError);
  return archiveFail(
    'ARCHIVE_FETCH_FAILED',
    `WADO-RS request failed: ${reason}`,
    url,
    'check the URL (…/studies/{study}/series/{series}/instances/{instance}), the server and its credentials',
    lastError,
  );
}

function backoff(attempt: number, attempts: number): Promise<void> {
  return attempt < attempts ? new Promise((r) => setTimeout(r, 250 * 2 ** (attempt - 1))) : Promise.resolve();
}

/**
 * The first DICOM part of a WADO-RS answer: the body itself for `application/dicom`, else the first part of
 * a `multipart/related` body split at its boundary.
 * @throws CxrkitError `ARCHIVE_BAD_RESPONSE` when there is no part.
 */
export function dicomPart(body: Uint8Array, contentType: string, url = ''): Uint8Array {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (type === 'application/dicom') return body;
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (type !== 'multipart/related' || !boundary) {
    return archiveFail(
      'ARCHIVE_BAD_RESPONSE',
      `expected multipart/related or application/dicom, got '${contentType}'`,
      url,
      'point the URL at a WADO-RS instance resource (…/instances/{uid}), not at metadata or rendered',
    );
  }
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const delimiter = Buffer.from(`--${boundary}`);
  const first = text.indexOf(delimiter);
  const headersEnd = first < 0 ? -1 : text.indexOf('\r\n\r\n', first + delimiter.length);
  const next = headersEnd < 0 ? -1 : text.indexOf(Buffer.from(`\r\n--${boundary}`), headersEnd + 4);
  if (next < 0) {
    return archiveFail('ARCHIVE_BAD_RESPONSE', 'the multipart answer holds no complete part', url, 'check the server');
  }
  return body.subarray(headersEnd + 4, next);
}
