// STOW-RS (PS3.18 10.5): a multipart/related body of DICOM Part-10 instances in, each handed to the
// receive pipeline, and the Store Instances Response out (DICOM JSON): Referenced SOP Sequence for the
// instances taken, Failed SOP Sequence (with a Failure Reason) for the others; 200 when all were taken,
// 202 when some failed, 409 when none was taken (503 when the queue was full for all of them).
import { CxrkitError } from '@cxrkit/core/tfjs-free';
import { parseRelatedContentType, readMultipartRelated, type MultipartLimits } from './multipart.js';
import type { DicomReceiver } from './receiver.js';

/** Failure Reasons of the Store Instances Response (PS3.18 Table I.2-1 / PS3.4 B.2.3). */
export const STOW_FAILURE = {
  /** Refused: out of resources (the screening queue is full). */
  outOfResources: 0xa700,
  /** Error: cannot understand (not a readable Part-10 instance). */
  cannotUnderstand: 0xc000,
  /** Referenced transfer syntax not supported. */
  transferSyntaxNotSupported: 0xc122,
} as const;

/** One instance's fate in a STOW-RS request. */
export interface StowInstanceOutcome {
  stored: boolean;
  sopClassUid?: string;
  sopInstanceUid?: string;
  failureReason?: number;
}

/** The Store Instances Response: HTTP status and the DICOM JSON body. */
export interface StowResponse {
  status: 200 | 202 | 409 | 503;
  body: Record<string, unknown>;
  outcomes: StowInstanceOutcome[];
}

const ui = (v: string) => ({ vr: 'UI', Value: [v] });

/** The DICOM JSON Store Instances Response for `outcomes`, and its HTTP status. */
export function stowResponse(outcomes: StowInstanceOutcome[]): StowResponse {
  const stored = outcomes.filter((o) => o.stored);
  const failed = outcomes.filter((o) => !o.stored);
  const ref = (o: StowInstanceOutcome) => ({
    ...(o.sopClassUid ? { '00081150': ui(o.sopClassUid) } : {}),
    ...(o.sopInstanceUid ? { '00081155': ui(o.sopInstanceUid) } : {}),
  });
  const body: Record<string, unknown> = {};
  if (failed.length) {
    body['00081198'] = {
      vr: 'SQ',
      Value: failed.map((o) => ({ ...ref(o), '00081197': { vr: 'US', Value: [o.failureReason] } })),
    };
  }
  if (stored.length) body['00081199'] = { vr: 'SQ', Value: stored.map(ref) };
  const allBusy = failed.length > 0 && failed.every((o) => o.failureReason === STOW_FAILURE.outOfResources);
  const status = failed.length === 0 ? 200 : stored.length > 0 ? 202 : allBusy ? 503 : 409;
  return { status, body, outcomes };
}

/**
 * Handles one STOW-RS request body: checks the media types, hands each instance to `receiver`.
 * @throws CxrkitError `DICOMWEB_BAD_CONTENT_TYPE` / `DICOMWEB_UNSUPPORTED_MEDIA_TYPE` (→ 415),
 *   `DICOMWEB_BAD_MULTIPART`, `DICOMWEB_NO_INSTANCES` (→ 400).
 */
export function storeInstances(
  body: Uint8Array,
  contentTypeHeader: string | undefined,
  receiver: DicomReceiver,
  limits?: MultipartLimits,
): StowResponse {
  const { type, boundary } = parseRelatedContentType(contentTypeHeader);
  if (type !== undefined && type !== 'application/dicom') {
    throw new CxrkitError(
      'DICOMWEB_UNSUPPORTED_MEDIA_TYPE',
      `STOW-RS here takes application/dicom instances, not ${type}`,
      {
        received: type,
        fix: 'send Content-Type: multipart/related; type="application/dicom"',
        pkg: 'dicom-net',
      },
    );
  }
  const parts = readMultipartRelated(body, boundary, type ?? 'application/dicom', limits);
  if (parts.length === 0) {
    throw new CxrkitError('DICOMWEB_NO_INSTANCES', 'the request holds no instance', {
      received: 0,
      fix: 'send at least one application/dicom part',
      pkg: 'dicom-net',
    });
  }
  const outcomes = parts.map((part): StowInstanceOutcome => {
    if (part.mediaType !== 'application/dicom') return { stored: false, failureReason: STOW_FAILURE.cannotUnderstand };
    const r = receiver.accept(part.bytes, 'stow-rs');
    if (r.accepted) return { stored: true, sopClassUid: r.header.sopClassUid, sopInstanceUid: r.header.sopInstanceUid };
    const failureReason =
      r.why === 'busy'
        ? STOW_FAILURE.outOfResources
        : r.code === 'DICOMNET_UNSUPPORTED_TRANSFER_SYNTAX'
          ? STOW_FAILURE.transferSyntaxNotSupported
          : STOW_FAILURE.cannotUnderstand;
    return {
      stored: false,
      sopClassUid: r.header?.sopClassUid,
      sopInstanceUid: r.header?.sopInstanceUid,
      failureReason,
    };
  });
  return stowResponse(outcomes);
}
