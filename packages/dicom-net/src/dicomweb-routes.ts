// The HTTP routes DICOM networking adds to the screening service (mounted through serve's `routes` option):
//   POST /dicomweb/studies                  STOW-RS: instances in; each screened, its SR (+ SC) sent on
//   POST /v1/screen?return=sr,sc[,json]      one DICOM in; its SR and SC (and the JSON result) back at once,
//                                            as multipart/related (nothing is sent anywhere, nothing kept)
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CxrkitError, isCxrkitError } from '@cxrkit/core/tfjs-free';
import type { ModelCard } from '@cxrkit/models/card';
import type { ServiceRoute } from '@cxrkit/serve';
import { readBody, sendError, sendJson } from './http-io.js';
import { writeMultipartRelated, type BodyPart } from './multipart.js';
import type { DicomReceiver } from './receiver.js';
import { decideOutcome } from './decide-outcome.js';
import { buildResultObjects } from './result-objects.js';
import type { ScreeningOutcome } from './screening-outcome.js';
import { readSourceHeader } from './source-header.js';
import { storeInstances } from './stow-rs.js';

/** Options of {@link dicomwebRoutes}. */
export interface DicomwebRoutesOptions {
  /** The model card the service screens with. */
  card: ModelCard;
  /** The pipeline STOW-RS feeds. Without one, POST /dicomweb/studies answers 503 (no destination set). */
  receiver?: DicomReceiver;
  /** Screens one uploaded file with the URL's overrides (?age=, ?sex=) for `POST /v1/screen?return=…`. */
  screen: (bytes: Uint8Array, url: URL) => Promise<ScreeningOutcome>;
  /** Largest STOW-RS request body, bytes. Default 1 GiB. */
  maxStowBytes?: number;
  /** Largest `POST /v1/screen` body, bytes. Default 128 MiB. */
  maxUploadBytes?: number;
}

const RETURNABLE = ['json', 'sr', 'sc'] as const;

/** The objects `?return=` asks for, or undefined when it asks for no DICOM (serve answers with JSON). */
function returnList(url: URL): Set<string> | undefined {
  const raw = url.searchParams.getAll('return').flatMap((v) => v.split(','));
  const wanted = new Set(raw.map((v) => v.trim().toLowerCase()).filter(Boolean));
  if (!wanted.has('sr') && !wanted.has('sc')) return undefined;
  for (const w of wanted) {
    if (!(RETURNABLE as readonly string[]).includes(w)) {
      throw new CxrkitError('SCREEN_BAD_RETURN', `unknown return value '${w}'`, {
        received: w,
        fix: 'use ?return=sr,sc (and json for the JSON result too)',
        pkg: 'dicom-net',
      });
    }
  }
  return wanted;
}

/** The JSON-safe view of an outcome (the overlay's pixels left out). */
function outcomeJson(outcome: ScreeningOutcome): Record<string, unknown> {
  const { gradcam, ...rest } = outcome;
  return gradcam ? { ...rest, gradcam: { layers: gradcam.layers } } : rest;
}

/** The routes above, for `startScreeningServer({ …, routes: [dicomwebRoutes(…)] })`. */
export function dicomwebRoutes(options: DicomwebRoutesOptions): ServiceRoute {
  const maxStow = options.maxStowBytes ?? 2 ** 30;
  const maxUpload = options.maxUploadBytes ?? 128 * 2 ** 20;

  async function stow(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const receiver = options.receiver;
    if (!receiver) {
      throw new CxrkitError('DICOMWEB_NO_DESTINATION', 'STOW-RS is off: no destination for results is set', {
        received: undefined,
        fix: 'start the service with --forward http://HOST:PORT/dicom-web or dimse://AET@HOST:PORT',
        pkg: 'dicom-net',
      });
    }
    const body = await readBody(req, maxStow);
    const reply = storeInstances(body, req.headers['content-type'], receiver);
    if (reply.status === 503) res.setHeader('retry-after', '30');
    sendJson(res, reply.status, reply.body, 'application/dicom+json');
  }

  async function screenAndReturn(req: IncomingMessage, res: ServerResponse, url: URL, wanted: Set<string>) {
    const bytes = await readBody(req, maxUpload);
    const header = readSourceHeader(bytes); // unreadable → 400: there is no study to put a report in
    // a bad ?age= / ?sex= is the client's mistake (400), not a reason to report "not screened"
    let badOverride: unknown;
    const screen = async () => {
      try {
        return await options.screen(bytes, url);
      } catch (e) {
        if (isCxrkitError(e, 'SCREEN_BAD_OVERRIDE')) badOverride = e;
        throw e;
      }
    };
    const outcome = await decideOutcome(screen, header, options.card);
    if (badOverride) throw badOverride;
    const made = await buildResultObjects(outcome, bytes, { card: options.card, header });
    const parts: BodyPart[] = [];
    if (wanted.has('json')) {
      parts.push({
        mediaType: 'application/json',
        bytes: new TextEncoder().encode(JSON.stringify(outcomeJson(outcome))),
      });
    }
    if (wanted.has('sr')) parts.push({ mediaType: 'application/dicom', bytes: made.sr.bytes });
    if (wanted.has('sc') && made.sc) parts.push({ mediaType: 'application/dicom', bytes: made.sc.bytes });
    const { body, contentType } = writeMultipartRelated(parts, parts[0]!.mediaType);
    res.writeHead(200, {
      'content-type': contentType,
      'content-length': body.length,
      'cache-control': 'no-store',
      'x-cxrkit-screened': String(made.screened),
    });
    res.end(body);
  }

  return (req, res, url) => {
    if (url.pathname === '/dicomweb/studies') {
      if (req.method !== 'POST') {
        res.setHeader('allow', 'POST');
        sendJson(res, 405, { error: { code: 'METHOD_NOT_ALLOWED', message: 'STOW-RS takes POST', fix: 'use POST' } });
        return true;
      }
      stow(req, res).catch((e: unknown) => sendError(res, e));
      return true;
    }
    if (url.pathname === '/v1/screen' && req.method === 'POST') {
      let wanted: Set<string> | undefined;
      try {
        wanted = returnList(url);
      } catch (e) {
        sendError(res, e);
        return true;
      }
      if (!wanted) return false;
      screenAndReturn(req, res, url, wanted).catch((e: unknown) => sendError(res, e));
      return true;
    }
    return false;
  };
}
