// The clinic-facing HTTP service: upload a chest radiograph DICOM, get the screening result as JSON.
// Node's own http module, no framework. Uploads are held in memory only for the request and never
// written to disk or logged (they carry patient data).
import { createServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import { CxrkitError, isCxrkitError } from '@cxrkit/core/tfjs-free';
import type { ScreeningPredictor } from './predictor.js';
import { screenDicomWithCard, type ScreeningOverrides } from './screen.js';
import { servedCard, type CardSource } from './served-card.js';
import { uploadPage } from './page.js';

/** The service: a predictor and its model card (`card`; the pre-card `config` is still accepted). */
export interface ScreeningServiceOptions extends CardSource {
  predictor: ScreeningPredictor;
  /** Largest accepted upload, bytes. Default 128 MiB (a 3k × 3k 16-bit radiograph is ~18 MiB). */
  maxUploadBytes?: number;
  /** Routes tried before the built-in ones (e.g. DICOMweb from @cxrkit/dicom-net); see ServiceRoute. */
  routes?: ServiceRoute[];
}

/** An added route: answers the request and returns true, or returns false to leave it to the next one. */
export type ServiceRoute = (req: IncomingMessage, res: ServerResponse, url: URL) => boolean;

/** HTTP status for each error code family the service can meet. */
function statusFor(e: unknown): number {
  if (!isCxrkitError(e)) return 500;
  if (e.code === 'UPLOAD_TOO_LARGE') return 413;
  if (e.code === 'SCREEN_MISSING_INPUT') return 422;
  if (e.code.startsWith('DICOM_') || e.code === 'SCREEN_BAD_OVERRIDE' || e.code === 'UPLOAD_EMPTY') return 400;
  return 500;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

function readBody(req: IncomingMessage, limit: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new CxrkitError('UPLOAD_TOO_LARGE', `the upload declares ${declared} bytes, more than the ${limit} accepted`, { received: declared, fix: 'send one DICOM file per request', pkg: 'serve' }));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new CxrkitError('UPLOAD_TOO_LARGE', `the upload exceeds ${limit} bytes`, { received: size, fix: 'send one DICOM file per request', pkg: 'serve' }));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}

/**
 * The patient overrides of a request URL (`?age=67&sex=F`).
 * @throws CxrkitError `SCREEN_BAD_OVERRIDE` for an age that is not a number or a sex other than M/F.
 */
export function parseOverrides(url: URL): ScreeningOverrides {
  const o: ScreeningOverrides = {};
  const age = url.searchParams.get('age');
  if (age !== null && age !== '') {
    const n = Number(age);
    if (!Number.isFinite(n)) throw new CxrkitError('SCREEN_BAD_OVERRIDE', 'age must be a number of years', { received: age, fix: 'send e.g. ?age=67', pkg: 'serve' });
    o.age = n;
  }
  const sex = url.searchParams.get('sex');
  if (sex !== null && sex !== '') {
    const s = sex.toUpperCase();
    if (s !== 'M' && s !== 'F') throw new CxrkitError('SCREEN_BAD_OVERRIDE', "sex must be 'M' or 'F'", { received: sex, fix: 'send ?sex=F or ?sex=M, or leave it out to use the DICOM header', pkg: 'serve' });
    o.sex = s;
  }
  return o;
}

/**
 * A request handler for `http.createServer` (or any Node-compatible server):
 * - `GET /` — an upload page for people;
 * - `GET /healthz` — `{ ok, engine, condition, inputSize }`;
 * - `GET /v1/card` — the model card the service screens with (JSON; its `id` is in every result);
 * - `POST /v1/screen[?age=67&sex=F]` with the raw DICOM file as the body → `ScreeningResult` JSON;
 *   errors are `{ error: { code, message, fix } }` with 400 (unreadable DICOM, bad parameter), 413 (too
 *   large), 422 (the model needs age/sex the file lacks) or 500.
 * Requests are screened one at a time (a queue), so concurrent uploads do not multiply memory use.
 * The card is checked once, here: an invalid card, or one that does not describe the predictor's inputs,
 * throws (`CARD_*`, `SCREEN_NOT_BINARY`, `SCREEN_NO_CARD`) before anything is served.
 */
export function createScreeningHandler(options: ScreeningServiceOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const limit = options.maxUploadBytes ?? 128 * 2 ** 20;
  let queue: Promise<unknown> = Promise.resolve();
  const card = servedCard(options, options.predictor);
  const condition = card.task.kind === 'binary' ? card.task.condition : card.name;
  const page = uploadPage({ condition, disclaimer: card.disclaimer });
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    // added routes first (DICOM networking: POST /dicomweb/studies, POST /v1/screen?return=sr,sc)
    for (const added of options.routes ?? []) if (added(req, res, url)) return;
    const route = `${req.method} ${url.pathname}`;
    if (route === 'GET /') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(page);
      return;
    }
    if (route === 'GET /healthz') {
      const { engine } = options.predictor;
      sendJson(res, 200, { ok: true, engine, condition, inputSize: card.architecture.inputSize });
      return;
    }
    if (route === 'GET /v1/card') {
      sendJson(res, 200, card);
      return;
    }
    if (url.pathname === '/v1/screen' && req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      sendJson(res, 405, { error: { code: 'METHOD_NOT_ALLOWED', message: 'POST the DICOM file to /v1/screen', fix: 'use POST' } });
      return;
    }
    if (route !== 'POST /v1/screen') {
      const fix = 'POST /v1/screen, GET /, GET /healthz, GET /v1/card';
      sendJson(res, 404, { error: { code: 'NOT_FOUND', message: `no route ${route}`, fix } });
      return;
    }
    const work = async () => {
      const overrides = parseOverrides(url);
      const body = await readBody(req, limit);
      if (body.length === 0) throw new CxrkitError('UPLOAD_EMPTY', 'the request body is empty', { received: 0, fix: 'send the DICOM file as the request body', pkg: 'serve' });
      return screenDicomWithCard(body, card, options.predictor, overrides);
    };
    const run = queue.then(work, work);
    queue = run.catch(() => undefined);
    run.then(
      (result) => sendJson(res, 200, result),
      (e: unknown) => {
        const status = statusFor(e);
        if (status === 500 && !isCxrkitError(e)) {
          sendJson(res, 500, { error: { code: 'INTERNAL', message: 'the screen failed unexpectedly', fix: 'see the server log' } });
          console.error('[cxrkit/serve] internal error:', e);
          return;
        }
        const ce = e as CxrkitError;
        sendJson(res, status, { error: { code: ce.code, message: ce.message, fix: ce.fix } });
      },
    );
  };
}

/** Starts the service; resolves once it listens. Default host 127.0.0.1, port 8080 (0 = any free port). */
export async function startScreeningServer(options: ScreeningServiceOptions & { port?: number; host?: string }): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = createServer(createScreeningHandler(options));
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, host, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : options.port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    server,
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
