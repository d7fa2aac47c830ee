// Where results are stored: a DICOMweb server (STOW-RS to {URL}/studies) or a DICOM AE (C-STORE SCU with
// dcmjs-dimse), parsed from one URL: http(s)://HOST:PORT/dicom-web or dimse://AET@HOST:PORT.
import { CxrkitError } from '@cxrkit/core/tfjs-free';
import dcmjs from 'dcmjs';
import dimse from 'dcmjs-dimse';
import type { ResultObject } from './build-sr.js';
import { writeMultipartRelated } from './multipart.js';
import type { ResultDestination } from './receiver.js';

/** A parsed `--forward` URL. */
export type ForwardTarget =
  | { kind: 'stow-rs'; studiesUrl: string; display: string }
  | { kind: 'c-store'; aeTitle: string; host: string; port: number; display: string };

const fail = (code: string, message: string, received: unknown, fix: string): never => {
  throw new CxrkitError(code, message, { received, fix, pkg: 'dicom-net' });
};

/** AE titles: 1–16 characters of printable ASCII without backslash (leading/trailing spaces not significant). */
export function checkAeTitle(aeTitle: string, what = 'AE title'): string {
  const t = aeTitle.trim();
  if (!t || t.length > 16 || !/^[\x20-\x5b\x5d-\x7e]+$/.test(t)) {
    fail('DICOMNET_BAD_AE_TITLE', `${what} must be 1–16 printable characters`, aeTitle, 'e.g. CXRKIT');
  }
  return t;
}

/**
 * Parses a forward URL: `http(s)://HOST:PORT/PATH` → STOW-RS to `{URL}/studies`;
 * `dimse://AET@HOST:PORT` → C-STORE to that AE.
 * @throws CxrkitError `DICOMNET_BAD_FORWARD` for anything else.
 */
export function parseForwardUrl(url: string): ForwardTarget {
  let u: URL | undefined;
  try {
    u = new URL(url);
  } catch {
    u = undefined;
  }
  const fix = 'use --forward http://HOST:PORT/dicom-web (STOW-RS) or --forward dimse://AET@HOST:PORT (C-STORE)';
  if (u && (u.protocol === 'http:' || u.protocol === 'https:')) {
    const base = `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
    return { kind: 'stow-rs', studiesUrl: `${base}/studies`, display: `stow-rs ${base}` };
  }
  if (u && u.protocol === 'dimse:') {
    const aeTitle = decodeURIComponent(u.username);
    const port = Number(u.port);
    if (!aeTitle || !u.hostname || !Number.isInteger(port) || port < 1) {
      fail('DICOMNET_BAD_FORWARD', 'a dimse:// destination needs AET@HOST:PORT', url, fix);
    }
    checkAeTitle(aeTitle, 'the destination AE title');
    const host = u.hostname.replace(/^\[|\]$/g, '');
    return { kind: 'c-store', aeTitle, host, port, display: `c-store ${aeTitle}@${u.host}` };
  }
  return fail('DICOMNET_BAD_FORWARD', 'the forward destination is not an http(s):// or dimse:// URL', url, fix);
}

/** Options of {@link createDestination}. */
export interface DestinationOptions {
  /** Calling AE title for C-STORE. Default 'CXRKIT'. */
  callingAeTitle?: string;
  /** Seconds to wait for the destination (connect, association, each response). Default 60. */
  timeoutSeconds?: number;
}

/** A destination for {@link createDicomReceiver}: STOW-RS or C-STORE, from a parsed forward URL. */
export function createDestination(target: ForwardTarget, options: DestinationOptions = {}): ResultDestination {
  const timeoutMs = (options.timeoutSeconds ?? 60) * 1000;
  if (target.kind === 'stow-rs') {
    return {
      description: target.display,
      send: (objects) => stowRs(target.studiesUrl, objects, timeoutMs),
    };
  }
  const calling = checkAeTitle(options.callingAeTitle ?? 'CXRKIT', 'the calling AE title');
  return {
    description: target.display,
    send: (objects) => cStore(target, calling, objects, timeoutMs),
  };
}

/** STOW-RS: one multipart/related request with every object; any failed instance is an error. */
async function stowRs(url: string, objects: ResultObject[], timeoutMs: number): Promise<void> {
  const { body, contentType } = writeMultipartRelated(
    objects.map((o) => ({ mediaType: 'application/dicom', bytes: o.bytes })),
  );
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': contentType, accept: 'application/dicom+json' },
    body: body as unknown as BodyInit,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  if (res.status !== 200 && res.status !== 202) {
    throw new Error(`STOW-RS to ${url} answered ${res.status} ${res.statusText}: ${text.slice(0, 200)}`);
  }
  let failed = 0;
  try {
    const json = JSON.parse(text) as Record<string, { Value?: unknown[] }>;
    failed = json['00081198']?.Value?.length ?? 0;
  } catch {
    failed = 0; // some servers answer 200 with no body: every instance stored
  }
  if (failed) throw new Error(`STOW-RS to ${url}: ${failed} of ${objects.length} instances failed`);
}

/** C-STORE SCU: one association, one request per object; every response must be Success (or a warning). */
function cStore(
  target: Extract<ForwardTarget, { kind: 'c-store' }>,
  callingAeTitle: string,
  objects: ResultObject[],
  timeoutMs: number,
): Promise<void> {
  dimse.log.setLevel('silent');
  dcmjs.log.setLevel('silent');
  const { Client, Dataset } = dimse;
  const { CStoreRequest } = dimse.requests;
  const client = new Client();
  const statuses: number[] = [];
  for (const o of objects) {
    const buffer = o.bytes.buffer.slice(o.bytes.byteOffset, o.bytes.byteOffset + o.bytes.byteLength) as ArrayBuffer;
    const dict = dcmjs.data.DicomMessage.readFile(buffer);
    const elements = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.dict);
    const ts = dict.meta['00020010']?.Value?.[0] as string;
    const request = new CStoreRequest(new Dataset(elements, ts));
    request.on('response', (response) => statuses.push(response.getStatus()));
    client.addRequest(request);
  }
  return new Promise<void>((resolve, reject) => {
    let error: Error | undefined;
    client.on('associationRejected', (r: { result: number; source: number; reason: number }) => {
      error = new Error(`C-STORE to ${target.display}: association rejected (reason ${r.reason})`);
    });
    client.on('networkError', (e: Error) => {
      error ??= new Error(`C-STORE to ${target.display}: ${e.message}`);
    });
    client.on('closed', () => {
      if (error) return reject(error);
      const bad = statuses.filter((s) => s !== 0 && (s & 0xf000) !== 0xb000);
      if (statuses.length < objects.length) {
        return reject(new Error(`C-STORE to ${target.display}: ${statuses.length} of ${objects.length} answered`));
      }
      if (bad.length) {
        const codes = bad.map((s) => `0x${s.toString(16).padStart(4, '0')}`).join(', ');
        return reject(new Error(`C-STORE to ${target.display}: status ${codes}`));
      }
      resolve();
    });
    const timeout = { connectTimeout: timeoutMs, associationTimeout: timeoutMs, pduTimeout: timeoutMs };
    client.send(target.host, target.port, callingAeTitle, target.aeTitle, timeout);
  });
}
