// What happens to every instance the DICOM receivers (STOW-RS, C-STORE) accept: a bounded queue, then one
// at a time: screen → (interim intended-use check) → SR (+ SC) → send to the destination. Accepting is
// quick and synchronous, so the sender is acknowledged before the screen runs; a full queue refuses.
import { isCxrkitError } from '@cxrkit/core/tfjs-free';
import type { ModelCard } from '@cxrkit/models/card';
import type { ResultObject } from './build-sr.js';
import { decideOutcome } from './decide-outcome.js';
import { buildResultObjects } from './result-objects.js';
import { reasonFromError } from './reason-from-error.js';
import type { ScreeningOutcome } from './screening-outcome.js';
import { readSourceHeader, type SourceHeader } from './source-header.js';
import { hashUid } from './uid.js';

/** Where result objects go (see destination.ts: STOW-RS or C-STORE). */
export interface ResultDestination {
  /** E.g. 'stow-rs http://pacs:8042/dicom-web' or 'c-store ORTHANC@pacs:4242'. */
  readonly description: string;
  /** Stores the objects; rejects when the destination refused any. */
  send(objects: ResultObject[]): Promise<void>;
}

/** One line of the receiver's log: no patient identifiers (UIDs are hashed, see hashUid). */
export type ReceiverEvent =
  | { type: 'accepted'; via: string; study: string; instance: string; pending: number }
  | { type: 'refused'; via: string; code: string; reason: string; instance?: string }
  | {
      type: 'screened';
      study: string;
      instance: string;
      screened: boolean;
      positive?: boolean;
      score?: number;
      reasons?: string[];
      ms: number;
    }
  | { type: 'forwarded'; study: string; instance: string; objects: number; destination: string; ms: number }
  | { type: 'failed'; study: string; instance: string; stage: 'results' | 'forward'; error: string };

/** Options of {@link createDicomReceiver}. */
export interface DicomReceiverOptions {
  /** The model card the service screens with. */
  card: ModelCard;
  /**
   * Screens one Part-10 file: the service's screening (e.g. serve's screenDicomWithCard with its predictor),
   * returning its result; a throw becomes "not screened" with the error as the reason.
   */
  screen: (bytes: Uint8Array) => Promise<ScreeningOutcome>;
  /** Where the SR and SC go. */
  destination: ResultDestination;
  /** Instances waiting at most; beyond, new ones are refused ("out of resources"). Default 16. */
  maxPending?: number;
  /** Bytes waiting at most (sum of the files). Default 512 MiB. */
  maxPendingBytes?: number;
  /** Attempts to send one result before giving up. Default 3 (waiting 1 s, then 2 s). */
  sendAttempts?: number;
  /** Called with every event (for the service's log); never given patient identifiers. */
  onEvent?: (event: ReceiverEvent) => void;
}

/** What {@link DicomReceiver.accept} answers. */
export type AcceptResult =
  | { accepted: true; header: SourceHeader }
  | {
      accepted: false;
      /** 'unreadable' (not a usable Part-10 file), 'busy' (queue full). */
      why: 'unreadable' | 'busy';
      code: string;
      reason: string;
      header?: SourceHeader;
    };

/** The receive pipeline shared by the STOW-RS route and the C-STORE SCP. */
export interface DicomReceiver {
  /** Takes one received Part-10 file into the queue, or refuses it (see AcceptResult). `via`: for the log. */
  accept(bytes: Uint8Array, via: string): AcceptResult;
  /** Resolves when every accepted instance has been screened and sent (or has failed). */
  idle(): Promise<void>;
  /** Instances waiting or in work. */
  readonly pending: number;
  readonly card: ModelCard;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Creates the receive pipeline. Nothing runs until an instance is accepted. */
export function createDicomReceiver(options: DicomReceiverOptions): DicomReceiver {
  const { card, destination } = options;
  const maxPending = options.maxPending ?? 16;
  const maxPendingBytes = options.maxPendingBytes ?? 512 * 2 ** 20;
  const attempts = Math.max(1, options.sendAttempts ?? 3);
  const emit = (e: ReceiverEvent) => options.onEvent?.(e);
  const queue: { bytes: Uint8Array; header: SourceHeader }[] = [];
  let pendingBytes = 0;
  let running = false;
  let idleWaiters: (() => void)[] = [];

  async function send(objects: ResultObject[]): Promise<void> {
    for (let i = 1; ; i++) {
      try {
        await destination.send(objects);
        return;
      } catch (e) {
        if (i >= attempts) throw e;
        await sleep(1000 * 2 ** (i - 1));
      }
    }
  }

  async function process(bytes: Uint8Array, header: SourceHeader): Promise<void> {
    const study = hashUid(header.studyInstanceUid);
    const instance = hashUid(header.sopInstanceUid);
    const t0 = performance.now();
    const outcome = await decideOutcome(() => options.screen(bytes), header, card);
    const screened = outcome.screened !== false && typeof outcome.score === 'number';
    emit({
      type: 'screened',
      study,
      instance,
      screened,
      ...(screened ? { positive: outcome.positive, score: outcome.score } : { reasons: outcome.reasons }),
      ms: Math.round(performance.now() - t0),
    });
    let objects: ResultObject[];
    try {
      const made = await buildResultObjects(outcome, bytes, { card, header });
      objects = made.sc ? [made.sr, made.sc] : [made.sr];
    } catch (e) {
      emit({ type: 'failed', study, instance, stage: 'results', error: reasonFromError(e) });
      return;
    }
    const t1 = performance.now();
    try {
      await send(objects);
      const ms = Math.round(performance.now() - t1);
      emit({ type: 'forwarded', study, instance, objects: objects.length, destination: destination.description, ms });
    } catch (e) {
      emit({ type: 'failed', study, instance, stage: 'forward', error: (e as Error).message });
    }
  }

  async function run(): Promise<void> {
    running = true;
    while (queue.length) {
      const item = queue[0]!;
      try {
        await process(item.bytes, item.header);
      } catch (e) {
        const ids = { study: hashUid(item.header.studyInstanceUid), instance: hashUid(item.header.sopInstanceUid) };
        emit({ type: 'failed', ...ids, stage: 'results', error: reasonFromError(e) });
      }
      queue.shift();
      pendingBytes -= item.bytes.length;
    }
    running = false;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const w of waiters) w();
  }

  return {
    card,
    get pending() {
      return queue.length;
    },
    accept(bytes, via) {
      let header: SourceHeader;
      try {
        header = readSourceHeader(bytes);
      } catch (e) {
        const code = isCxrkitError(e) ? e.code : 'DICOMNET_NOT_PART10';
        const reason = reasonFromError(e);
        emit({ type: 'refused', via, code, reason });
        return { accepted: false, why: 'unreadable', code, reason };
      }
      if (queue.length >= maxPending || pendingBytes + bytes.length > maxPendingBytes) {
        const reason = `the screening queue is full (${queue.length} instances waiting)`;
        emit({ type: 'refused', via, code: 'DICOMNET_BUSY', reason, instance: hashUid(header.sopInstanceUid) });
        return { accepted: false, why: 'busy', code: 'DICOMNET_BUSY', reason, header };
      }
      queue.push({ bytes, header });
      pendingBytes += bytes.length;
      emit({
        type: 'accepted',
        via,
        study: hashUid(header.studyInstanceUid),
        instance: hashUid(header.sopInstanceUid),
        pending: queue.length,
      });
      if (!running) void run();
      return { accepted: true, header };
    },
    idle() {
      if (!running && queue.length === 0) return Promise.resolve();
      return new Promise<void>((resolve) => idleWaiters.push(resolve));
    },
  };
}
