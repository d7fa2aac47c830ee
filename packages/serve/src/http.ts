// The clinic-facing HTTP service: upload a chest radiograph DICOM, get the screening result as JSON.
// Node's own http module, no framework. Uploads are held in memory only for the request and never written
// to disk or logged (they carry patient data). A request's life: auth → parameters → body read and
// size-checked (before it holds a place in the queue) → admission (bounded; full → 503 + Retry-After) →
// decode and intended-use checks on a worker thread → the model (one call at a time) → JSON.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { CxrkitError, isCxrkitError } from '@cxrkit/core/tfjs-free';
import type { ModelCard } from '@cxrkit/models/card';
import type { ScreeningExplainer } from './explainer.js';
import { type AccessLogEntry, type AccessLogger, uidHasher } from './http/access-log.js';
import { Admission, SerialLane } from './http/admission.js';
import { bearerCheck } from './http/auth.js';
import { clinicianMessage, errorBody, errorStatus } from './http/error-response.js';
import { DEFAULT_BODY_LIMITS, readBody, type BodyLimits } from './http/read-body.js';
import { parseScreenRequest, type ScreenRequestOptions } from './http/request-options.js';
import { resultJson } from './http/result-json.js';
import { uploadPage } from './page.js';
import type { ScreeningPredictor } from './predictor.js';
import { DecodePool } from './prepare/decode-pool.js';
import { SERVICE_DECODE_LIMITS, type DecodeLimits } from './prepare/decode-limits.js';
import type { PreparedImage } from './prepare/prepare-dicom.js';
import type { ScreeningResult } from './result.js';
import { PREVIEW_SIDE, screenPrepared, type ScreeningOverrides } from './screen.js';
import { servedCard, type CardSource } from './served-card.js';

/**
 * A route the application adds beside the service's own (e.g. DICOMweb STOW-RS from @cxrkit/dicom-net), behind
 * the same auth and access log. Added routes are tried before `POST /v1/screen`, in order.
 */
export interface ServiceRoute {
  /** 'POST', 'GET', …, or '*' for any method (the route answers 405 itself). */
  method: string;
  /** Exact path, or a prefix ending in '/'. */
  path: string;
  /**
   * Answers the request; or returns `false` before touching it to leave it to the next route or the service's
   * own (e.g. `POST /v1/screen` without `?return=`).
   */
  handle(req: IncomingMessage, res: ServerResponse, context: RouteContext): RouteAnswer | Promise<RouteAnswer>;
}

/** What a route's handler returns: `false` to leave the request to the next route; nothing (or true): answered. */
// biome-ignore lint/suspicious/noConfusingVoidType: handlers that answer are plain functions returning nothing
export type RouteAnswer = void | boolean;

/** What a {@link ServiceRoute} gets: the request id, the service's screening and body reader, the log. */
export interface RouteContext {
  requestId: string;
  url: URL;
  /**
   * Screens one DICOM through the service's queue, workers and model (same limits as /v1/screen). `bytes` stay
   * the caller's (e.g. for the SR and SC made from the source file).
   */
  screen(bytes: Uint8Array, options?: Partial<ScreenRequestOptions>): Promise<ScreenOutcome>;
  /** Reads the body with the service's limits (see readBody). */
  readBody(req: IncomingMessage): Promise<Uint8Array>;
  /** Adds fields (outcome, code, hashed UIDs) to this request's access-log entry. */
  annotate(fields: Partial<AccessLogEntry>): void;
}

/** A screening through the service: the result and the prepared image it was made from. */
export interface ScreenOutcome {
  result: ScreeningResult;
  prepared: PreparedImage;
}

/** The service: a predictor and its model card (`card`; the pre-card `config` is still accepted). */
export interface ScreeningServiceOptions extends CardSource {
  predictor: ScreeningPredictor;
  /** Largest accepted upload, bytes. Default 128 MiB (a 3k × 3k 16-bit radiograph is ~18 MiB). */
  maxUploadBytes?: number;
  /** Computes the Grad-CAM (e.g. createGradCamExplainer from @cxrkit/gradcam); without one, results say why. */
  explainer?: ScreeningExplainer;
  /** Why there is no Grad-CAM, when no explainer is given (shown in results). */
  gradcamUnavailable?: string;
  /** Require `Authorization: Bearer <token>` on every route but `/`, `/healthz` and `/readyz`. */
  token?: string;
  /** Receives one entry per request (JSON-lines logger: jsonLinesLogger). Nothing is logged without it. */
  log?: AccessLogger;
  /** Key of the audit log's UID hashes (to link entries across restarts). Default: random per process. */
  auditKey?: string;
  /** Screens waiting beyond those running before new ones get 503. Default 16. */
  maxQueue?: number;
  /** Uploads being received at once before new ones get 503. Default 32. */
  maxUploads?: number;
  /** Decode worker threads. Default min(2, cores). */
  decodeWorkers?: number;
  /** Reader limits. Default SERVICE_DECODE_LIMITS (2^25 samples, 80 MiB inflated). */
  decodeLimits?: DecodeLimits;
  /** Time limit of one screen after its upload, ms (→ 503 SCREEN_TIMEOUT). Default 60 s. */
  screenTimeoutMs?: number;
  /** Upload rate limits (minimum average rate, idle time). Default DEFAULT_BODY_LIMITS. */
  bodyLimits?: Partial<Omit<BodyLimits, 'maxBytes'>>;
  /** Further routes (DICOMweb, DIMSE bridges) served beside the service's own. */
  routes?: ServiceRoute[];
}

/** The request handler, plus what a server needs to report readiness and shut down gracefully. */
export interface ScreeningHandler {
  (req: IncomingMessage, res: ServerResponse): void;
  /** The card the service screens with. */
  readonly card: ModelCard;
  /** True when the decode workers are up and the service is not shutting down. */
  readonly ready: boolean;
  /** Requests being handled now. */
  readonly inFlight: number;
  /**
   * Screens one DICOM through the queue, workers and model (what /v1/screen does after the upload). `bytes`
   * stay the caller's: they are copied before the worker takes them.
   */
  screen(bytes: Uint8Array, options?: Partial<ScreenRequestOptions>): Promise<ScreenOutcome>;
  /** Stops taking screens (503), waits up to `timeoutMs` for those in flight, then stops the workers. */
  close(timeoutMs?: number): Promise<void>;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const DICOM_TYPES = ['application/dicom', 'application/octet-stream'];

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string | number> = {}) {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  res.end(text);
}

/**
 * Answers and closes the connection without reading the rest of the request body (after a 413, a 408, a
 * refused upload): the client gets the reply, then the socket is ended.
 */
function sendAndClose(req: IncomingMessage, res: ServerResponse, status: number, body: unknown, headers = {}) {
  req.pause();
  send(res, status, body, { connection: 'close', ...headers });
  res.once('finish', () => {
    const socket = req.socket;
    socket.end();
    // a client still sending is cut off shortly after it could read the reply
    setTimeout(() => socket.destroy(), 2000).unref();
  });
}

/**
 * The patient overrides of a request URL (`?age=67&sex=F`), as `POST /v1/screen` reads them.
 * @throws CxrkitError `SCREEN_BAD_OVERRIDE` for an age that is not a number or a sex other than M/F.
 */
export function parseOverrides(url: URL): ScreeningOverrides {
  return parseScreenRequest(url).overrides;
}

/**
 * A request handler for `http.createServer` (or any Node-compatible server):
 * - `GET /` — the upload page; `GET /healthz` — `{ ok, engine, condition, inputSize }` (always answers);
 *   `GET /readyz` — 200 when the workers are up and the queue has room, else 503;
 * - `GET /v1/card` — the model card the service screens with (its `id` is in every result);
 * - `POST /v1/screen[?age=67&sex=F&gradcam=0&include=patient,image]` with the raw DICOM file as the body
 *   (`application/dicom`) → `ScreeningResult` JSON: screened (score, threshold, recommendation, Grad-CAM
 *   PNG) or not screened with the reasons (200 both); errors are `{ error: { code, message, detail, fix },
 *   requestId }` with 400 (unreadable DICOM, bad parameter), 401, 408 (upload too slow), 413 (too large),
 *   415 (not DICOM), 422 (age/sex needed), 503 (busy + Retry-After, timeout, shutting down) or 500.
 * The card is checked once, here: an invalid card, or one that does not describe the predictor's inputs,
 * throws (`CARD_*`, `SCREEN_NOT_BINARY`, `SCREEN_NO_CARD`) before anything is served.
 */
export function createScreeningHandler(options: ScreeningServiceOptions): ScreeningHandler {
  const card = servedCard(options, options.predictor);
  const condition = card.task.kind === 'binary' ? card.task.condition : card.name;
  const bodyLimits: BodyLimits = {
    ...DEFAULT_BODY_LIMITS,
    ...options.bodyLimits,
    maxBytes: options.maxUploadBytes ?? DEFAULT_BODY_LIMITS.maxBytes,
  };
  const maxMb = Math.round(bodyLimits.maxBytes / 2 ** 20);
  const pool = new DecodePool({ workers: options.decodeWorkers, timeoutMs: options.screenTimeoutMs ?? 60_000 });
  const admission = new Admission((options.maxQueue ?? 16) + pool.size, pool.size);
  const lane = new SerialLane();
  const authorized = bearerCheck(options.token ?? undefined);
  const hash = uidHasher(options.auditKey);
  const limits = options.decodeLimits ?? SERVICE_DECODE_LIMITS;
  const screenTimeoutMs = options.screenTimeoutMs ?? 60_000;
  const page = uploadPage({ condition, disclaimer: card.disclaimer, tokenRequired: Boolean(options.token) });
  let uploads = 0;
  let inFlight = 0;
  let draining = false;
  const idle: (() => void)[] = [];

  const busy = () =>
    new CxrkitError('SERVICE_BUSY', `${admission.pending} screens are queued (capacity ${admission.capacity})`, {
      fix: 'retry after the Retry-After delay',
      pkg: 'serve',
    });

  /** Decode on a worker, then the model in its lane; past the time limit the caller gets SCREEN_TIMEOUT. */
  async function screen(bytes: Uint8Array, asked: Partial<ScreenRequestOptions> = {}): Promise<ScreenOutcome> {
    if (draining) throw new CxrkitError('SERVICE_CLOSED', 'the service is shutting down', { pkg: 'serve' });
    if (!admission.tryEnter()) throw busy();
    const started = Date.now();
    const overrides = asked.overrides ?? {};
    const gradcam = asked.gradcam ?? true;
    const wantsOverlay = gradcam && options.explainer !== undefined;
    const job = (async () => {
      const prepared = await pool.run({
        bytes,
        card,
        overrides,
        limits,
        previewSide: wantsOverlay || asked.includeImage ? PREVIEW_SIDE : 0,
      });
      const result = await lane.run(() =>
        screenPrepared(prepared, card, options.predictor, overrides, {
          explainer: options.explainer,
          gradcam,
          gradcamUnavailable: options.gradcamUnavailable,
          includePatient: asked.includePatient ?? false,
        }),
      );
      return { result, prepared };
    })();
    job.then(
      () => admission.leave(Date.now() - started),
      () => admission.leave(Date.now() - started),
    );
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new CxrkitError('SCREEN_TIMEOUT', `the screen took more than ${screenTimeoutMs} ms`, {
              fix: 'retry later; if it persists, check the service',
              pkg: 'serve',
            }),
          ),
        screenTimeoutMs,
      );
      timer.unref();
    });
    try {
      return await Promise.race([job, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * screen() for callers that keep using their bytes (routes, the DICOM receivers): the decode pool moves a body
   * that owns its whole buffer to the worker (detaching it here), so such a body is copied first; a view of a
   * larger buffer is copied by the pool itself.
   */
  const screenKeeping = (bytes: Uint8Array, asked?: Partial<ScreenRequestOptions>) =>
    screen(bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes.slice() : bytes, asked);

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const started = Date.now();
    const given = req.headers['x-request-id'];
    const requestId = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader('x-request-id', requestId);
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      url = new URL('http://localhost/');
    }
    const entry: AccessLogEntry = {
      time: new Date(started).toISOString(),
      requestId,
      method: req.method ?? '',
      route: url.pathname.slice(0, 200),
      status: 0,
      durationMs: 0,
    };
    inFlight++;
    res.once('close', () => {
      inFlight--;
      entry.durationMs = Date.now() - started;
      if (res.writableFinished) entry.status = res.statusCode;
      else {
        entry.status = 499; // the client went away before the reply was complete: not an error of ours
        entry.outcome = 'aborted';
      }
      entry.outcome ??= outcomeOf(entry.status);
      options.log?.(entry);
      if (inFlight === 0) for (const f of idle.splice(0)) f();
    });
    const fail = (e: unknown, closeConnection = false) => {
      const status = errorStatus(e);
      entry.code = isCxrkitError(e) ? e.code : 'INTERNAL';
      if (status === 503 && entry.code === 'SCREEN_TIMEOUT') entry.outcome = 'timeout';
      const retryAfter = status === 503 ? admission.retryAfterSeconds() : undefined;
      const body = errorBody(e, requestId, { retryAfter, maxMb });
      const headers: Record<string, string | number> = retryAfter ? { 'retry-after': retryAfter } : {};
      if (closeConnection) sendAndClose(req, res, status, body, headers);
      else send(res, status, body, headers);
    };
    route(req, res, url, requestId, entry, fail).catch((e) => fail(e, true));
  };

  async function route(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    requestId: string,
    entry: AccessLogEntry,
    fail: (e: unknown, close?: boolean) => void,
  ): Promise<void> {
    const path = url.pathname;
    const method = req.method ?? 'GET';
    if (method === 'GET' && path === '/') {
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        'content-security-policy':
          "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; " +
          "connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
      });
      res.end(page);
      return;
    }
    if (method === 'GET' && path === '/healthz') {
      const { engine } = options.predictor;
      send(res, 200, { ok: true, engine, condition, inputSize: card.architecture.inputSize });
      return;
    }
    if (method === 'GET' && path === '/readyz') {
      const reason = draining
        ? 'shutting down'
        : !pool.ready
          ? 'decode workers starting'
          : admission.pending >= admission.capacity
            ? 'queue full'
            : undefined;
      send(res, reason ? 503 : 200, {
        ready: !reason,
        reason,
        queued: admission.pending,
        capacity: admission.capacity,
      });
      return;
    }
    if (!authorized(req)) {
      const e = new CxrkitError('UNAUTHORIZED', 'missing or wrong bearer token', {
        fix: 'send Authorization: Bearer <token>',
        pkg: 'serve',
      });
      entry.code = 'UNAUTHORIZED';
      sendAndClose(req, res, 401, errorBody(e, requestId), { 'www-authenticate': 'Bearer realm="cxrkit"' });
      return;
    }
    if (method === 'GET' && path === '/v1/card') {
      send(res, 200, card);
      return;
    }
    const matching = (options.routes ?? []).filter(
      (r) =>
        (r.method === '*' || r.method === method) &&
        (r.path === path || (r.path.endsWith('/') && path.startsWith(r.path))),
    );
    for (const extra of matching) {
      const answered = await extra.handle(req, res, {
        requestId,
        url,
        screen: screenKeeping,
        readBody: (r) => readBody(r, bodyLimits),
        annotate: (fields) => Object.assign(entry, fields),
      });
      if (answered !== false) return;
    }
    if (path === '/v1/screen' && method !== 'POST') {
      res.setHeader('allow', 'POST');
      const e = new CxrkitError('METHOD_NOT_ALLOWED', 'POST the DICOM file to /v1/screen', {
        fix: 'use POST',
        pkg: 'serve',
      });
      sendAndClose(req, res, 405, errorBody(e, requestId));
      return;
    }
    if (path !== '/v1/screen') {
      const e = new CxrkitError('NOT_FOUND', `no route ${method} ${path}`, {
        fix: 'POST /v1/screen, GET /, GET /healthz, GET /readyz, GET /v1/card',
        pkg: 'serve',
      });
      entry.code = 'NOT_FOUND';
      sendAndClose(req, res, 404, errorBody(e, requestId));
      return;
    }
    await screenRoute(req, res, url, entry, fail);
  }

  async function screenRoute(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    entry: AccessLogEntry,
    fail: (e: unknown, close?: boolean) => void,
  ): Promise<void> {
    if (draining)
      return fail(new CxrkitError('SERVICE_CLOSED', 'the service is shutting down', { pkg: 'serve' }), true);
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type && !DICOM_TYPES.includes(type)) {
      const e = new CxrkitError('UPLOAD_BAD_TYPE', `content type ${type} is not a DICOM upload`, {
        received: type,
        fix: 'send the file as application/dicom (or application/octet-stream)',
        pkg: 'serve',
      });
      return fail(e, true);
    }
    let asked: ScreenRequestOptions;
    try {
      asked = parseScreenRequest(url);
    } catch (e) {
      return fail(e, true);
    }
    if (uploads >= (options.maxUploads ?? 32) || admission.pending >= admission.capacity) return fail(busy(), true);
    uploads++;
    let body: Uint8Array;
    try {
      body = await readBody(req, bodyLimits);
    } catch (e) {
      if (isCxrkitError(e, 'UPLOAD_ABORTED')) {
        entry.outcome = 'aborted';
        res.destroy();
        return;
      }
      return fail(e, true);
    } finally {
      uploads--;
    }
    entry.bytesIn = body.length;
    if (body.length === 0) {
      return fail(
        new CxrkitError('UPLOAD_EMPTY', 'the request body is empty', {
          received: 0,
          fix: 'send the DICOM file as the request body',
          pkg: 'serve',
        }),
      );
    }
    const outcome = await screen(body, asked);
    const { result, prepared } = outcome;
    entry.outcome = result.screened ? 'screened' : 'not-screened';
    entry.sop = hash(prepared.meta.sopInstanceUid);
    entry.study = hash(prepared.meta.studyInstanceUid);
    entry.cardId = card.id;
    send(res, 200, resultJson(result, asked.includeImage ? prepared.preview : undefined));
  }

  async function close(timeoutMs = 30_000): Promise<void> {
    draining = true;
    if (inFlight > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        timer.unref();
        idle.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    await pool.close();
  }

  return Object.defineProperties(handler, {
    card: { value: card },
    ready: { get: () => !draining && pool.ready },
    inFlight: { get: () => inFlight },
    screen: { value: screenKeeping },
    close: { value: close },
  }) as ScreeningHandler;
}

function outcomeOf(status: number): AccessLogEntry['outcome'] {
  if (status === 503) return 'busy';
  if (status >= 500) return 'error';
  if (status >= 400) return 'refused';
  return undefined;
}

/** The words a clinician sees for an error code (exported for pages and clients of the service). */
export { clinicianMessage };

/** A running service: its URL, the Node server, and a graceful `close()`. */
export interface RunningService {
  url: string;
  server: Server;
  handler: ScreeningHandler;
  /**
   * Graceful shutdown: stops accepting connections, answers new screens 503, lets those in flight finish
   * (up to `timeoutMs`, default 30 s), then stops the workers and closes every connection.
   */
  close(timeoutMs?: number): Promise<void>;
}

/** Server timeouts (ms): request headers, the whole request, keep-alive. */
export interface ServerTimeouts {
  /** Time to receive the request headers. Default 10 s (slowloris headers are cut off). */
  headersTimeoutMs?: number;
  /** Time to receive the whole request. Default 300 s (the body's own rate limits act sooner). */
  requestTimeoutMs?: number;
  /** Idle keep-alive connections are closed after this. Default 5 s. */
  keepAliveTimeoutMs?: number;
}

/** Starts the service; resolves once it listens. Default host 127.0.0.1, port 8080 (0 = any free port). */
export async function startScreeningServer(
  options: ScreeningServiceOptions & ServerTimeouts & { port?: number; host?: string },
): Promise<RunningService> {
  const handler = createScreeningHandler(options);
  // headersTimeout and requestTimeout are enforced by a sweep every connectionsCheckingInterval (30 s by
  // default): every 2 s, so a client trickling its headers is cut off close to the limit
  const server = createServer({ connectionsCheckingInterval: 2000 }, handler);
  server.headersTimeout = options.headersTimeoutMs ?? 10_000;
  server.requestTimeout = options.requestTimeoutMs ?? 300_000;
  server.keepAliveTimeout = options.keepAliveTimeoutMs ?? 5000;
  const host = options.host ?? '127.0.0.1';
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 8080, host, () => resolve());
    });
  } catch (e) {
    await handler.close(0);
    throw e;
  }
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : options.port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    server,
    handler,
    close: (timeoutMs?: number) =>
      (closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        await handler.close(timeoutMs);
        server.closeAllConnections();
        await stopped;
      })()),
  };
}
