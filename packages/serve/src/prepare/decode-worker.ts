// Worker-thread entry of the decode pool (decode-pool.ts): prepares one upload per message with
// prepareDicom and posts the result back, its pixel arrays transferred. Errors go back as data (a
// CxrkitError's code, message, fix and received value), never as an uncaught exception.
import { parentPort } from 'node:worker_threads';
import { isCxrkitError } from '@cxrkit/core/tfjs-free';
import { prepareDicom, type PrepareRequest, type PreparedImage } from './prepare-dicom.js';

/** A job: an id and what prepareDicom needs. */
export interface DecodeJob {
  id: number;
  request: PrepareRequest;
}

/** The worker's answer to a job. */
export type DecodeReply =
  | { id: number; ok: true; prepared: PreparedImage }
  | {
      id: number;
      ok: false;
      error: { code?: string; message: string; fix?: string; received?: unknown; pkg?: string };
    };

/** The buffers of a prepared image that can move to the main thread without a copy. */
function transferables(p: PreparedImage): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const b of Object.values(p.inputs ?? {})) out.add(b.data.buffer as ArrayBuffer);
  if (p.preview) out.add(p.preview.data.buffer as ArrayBuffer);
  return [...out];
}

if (parentPort) {
  const port = parentPort;
  port.on('message', async (job: DecodeJob) => {
    let reply: DecodeReply;
    try {
      const prepared = await prepareDicom(job.request);
      reply = { id: job.id, ok: true, prepared };
      port.postMessage(reply, transferables(prepared));
    } catch (e) {
      const error = isCxrkitError(e)
        ? { code: e.code, message: e.message, fix: e.fix, received: safeReceived(e.received), pkg: e.pkg }
        : { message: e instanceof Error ? e.message : String(e) };
      reply = { id: job.id, ok: false, error };
      port.postMessage(reply);
    }
  });
  port.postMessage({ ready: true });
}

/** A received value that survives structured cloning (functions and class instances do not). */
function safeReceived(value: unknown): unknown {
  try {
    return structuredClone(value);
  } catch {
    return String(value);
  }
}
