// The HTTP routes DICOM networking adds to the screening service (mounted through serve's `routes` option, so
// they sit behind the service's token and access log):
//   POST /dicomweb/studies                  STOW-RS: instances in; each screened, its SR (+ SC) sent on
//   POST /v1/screen?return=sr,sc[,json]      one DICOM in; its SR and SC (and the JSON result) back at once,
//                                            as multipart/related (nothing is sent anywhere, nothing kept)
// The screen is the service's own (RouteContext.screen: its upload limits, queue, decode workers, intended-use
// gate and Grad-CAM), so an image outside the intended use gets the gate's reasons in its SR.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CxrkitError, isCxrkitError } from '@cxrkit/core/tfjs-free';
import type { ModelCard } from '@cxrkit/models/card';
import { parseScreenRequest, type RouteContext, type ServiceRoute } from '@cxrkit/serve';
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
  /** Largest STOW-RS request body, bytes. Default 1 GiB. (`POST /v1/screen` uses the service's limits.) */
  maxStowBytes?: number;
}

const RETURNABLE = ['json', 'sr', 'sc'] as const;

/**
 * Errors of the service itself (busy, timed out, shutting down, a bad parameter, an upload refused): answered
 * by the service with its status (503 + Retry-After, 400, 408, 413), never turned into a "not screened" report.
 */
const SERVICE_ERRORS = /^(SERVICE_BUSY|SERVICE_CLOSED|SCREEN_TIMEOUT|SCREEN_BAD_OVERRIDE|UPLOAD_[A-Z_]+)$/;

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

/** The routes above, for `startScreeningServer({ …, routes: dicomwebRoutes(…) })`. */
export function dicomwebRoutes(options: DicomwebRoutesOptions): ServiceRoute[] {
  const maxStow = options.maxStowBytes ?? 2 ** 30;

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

  async function screenAndReturn(req: IncomingMessage, res: ServerResponse, ctx: RouteContext, wanted: Set<string>) {
    const asked = parseScreenRequest(ctx.url); // a bad ?age= / ?sex= is the client's mistake: the service's 400
    let bytes: Uint8Array;
    try {
      bytes = await ctx.readBody(req);
    } catch (e) {
      if (!isCxrkitError(e, 'UPLOAD_ABORTED')) throw e;
      ctx.annotate({ outcome: 'aborted' });
      res.destroy();
      return;
    }
    const header = readSourceHeader(bytes); // unreadable → 400: there is no study to put a report in
    let serviceError: unknown;
    const outcome = await decideOutcome(async () => {
      try {
        return (await ctx.screen(bytes, asked)).result;
      } catch (e) {
        if (isCxrkitError(e) && SERVICE_ERRORS.test(e.code)) serviceError = e;
        throw e;
      }
    }, options.card);
    if (serviceError) throw serviceError;
    ctx.annotate({ outcome: outcome.screened === false ? 'not-screened' : 'screened', cardId: options.card.id });
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

  /** Answers dicom-net's own errors in its shape; the service's (busy, bad parameter, upload) go to the service. */
  const answer = (res: ServerResponse) => (e: unknown) => {
    if (isCxrkitError(e) && SERVICE_ERRORS.test(e.code)) throw e;
    sendError(res, e);
  };

  return [
    {
      method: '*',
      path: '/dicomweb/studies',
      handle: async (req, res) => {
        if (req.method !== 'POST') {
          res.setHeader('allow', 'POST');
          sendJson(res, 405, {
            error: { code: 'METHOD_NOT_ALLOWED', message: 'STOW-RS takes POST', fix: 'use POST' },
          });
          return;
        }
        await stow(req, res).catch(answer(res));
      },
    },
    {
      method: 'POST',
      path: '/v1/screen',
      handle: async (req, res, ctx) => {
        let wanted: Set<string> | undefined;
        try {
          wanted = returnList(ctx.url);
        } catch (e) {
          sendError(res, e);
          return;
        }
        if (!wanted) return false; // no DICOM asked for: the service's own JSON answer
        await screenAndReturn(req, res, ctx, wanted).catch(answer(res));
      },
    },
  ];
}
