// The structured access and audit log: one JSON object per request, handed to a callback (the library
// writes nowhere by itself). It records what happened and to which study — by keyed hashes of the SOP and
// Study Instance UIDs — and never a patient's name, ID, birth date, age, sex or pixels.
import { createHmac, randomBytes } from 'node:crypto';

/** One request, as the audit log records it. */
export interface AccessLogEntry {
  /** ISO 8601 time the request arrived. */
  time: string;
  /** The request id (the client's `x-request-id` when well-formed, else generated); echoed in the reply. */
  requestId: string;
  method: string;
  /** The path only (the query, which may carry age and sex, is never logged). */
  route: string;
  /** HTTP status sent; 499 when the client went away first. */
  status: number;
  /** Milliseconds from arrival to the end of the reply. */
  durationMs: number;
  /** Body bytes read. */
  bytesIn?: number;
  /** 'screened', 'not-screened', 'refused' (4xx), 'busy' (503), 'timeout', 'aborted' or 'error' (5xx). */
  outcome?: 'screened' | 'not-screened' | 'refused' | 'busy' | 'timeout' | 'aborted' | 'error';
  /** The error code of a refusal or failure (never its message, which may quote the file). */
  code?: string;
  /** HMAC-SHA-256 (keyed with the service's audit key) of the SOP Instance UID, first 16 hex digits. */
  sop?: string;
  /** The same for the Study Instance UID. */
  study?: string;
  /** The model card the answer was made with. */
  cardId?: string;
}

/** Receives every access-log entry (write it as a JSON line, ship it to a log store, …). */
export type AccessLogger = (entry: AccessLogEntry) => void;

/**
 * A keyed hash for UIDs: the same UID gives the same 16 hex digits under the same key, so entries about one
 * study can be linked, but the UID cannot be read back or confirmed without the key. Without a key a random
 * one is drawn (links hold within one process run only).
 */
export function uidHasher(key?: string): (uid: string | undefined) => string | undefined {
  const secret = key ?? randomBytes(32).toString('hex');
  return (uid) => (uid ? createHmac('sha256', secret).update(uid).digest('hex').slice(0, 16) : undefined);
}

/** An AccessLogger that writes each entry as one JSON line through `write` (e.g. to stdout). */
export function jsonLinesLogger(write: (line: string) => void): AccessLogger {
  return (entry) => write(`${JSON.stringify(entry)}\n`);
}
