// The DIMSE C-STORE SCP: an AE title on a TCP port that a modality or PACS sends images to (dcmjs-dimse's
// Scp on our own net.Server, so the host, connection count and shutdown are ours). Verification and every
// storage SOP class are accepted, in any transfer syntax the reader decodes (deflate refused); each C-STORE
// is handed to the receive pipeline and answered at once: Success when queued (non-chest images included:
// they get a "not screened" report), A700 when the queue is full or the instance too large, C000 when it
// cannot be read. Framing errors (garbage, PDUs over the announced length) end in an A-ABORT.
import { createServer, type Server, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { CxrkitError, TRANSFER_SYNTAXES } from '@cxrkit/core/tfjs-free';
import dimse from 'dcmjs-dimse';
import { checkAeTitle } from './destination.js';
import { wrapDataset } from './part10.js';
import { abortPdu, createPduGuard } from './pdu-guard.js';
import type { DicomReceiver } from './receiver.js';

const { Scp, Dataset } = dimse;
const { CEchoResponse, CStoreResponse, CFindResponse, CMoveResponse, CGetResponse } = dimse.responses;
const { Status, StorageClass, SopClass, PresentationContextResult, RejectResult, RejectSource, RejectReason } =
  dimse.constants;

type Association = InstanceType<typeof dimse.association.Association>;
type PresentationContext = InstanceType<typeof dimse.association.PresentationContext>;
type CStoreRequest = InstanceType<typeof dimse.requests.CStoreRequest>;
type CEchoRequest = InstanceType<typeof dimse.requests.CEchoRequest>;
type CFindRequest = InstanceType<typeof dimse.requests.CFindRequest>;
type CMoveRequest = InstanceType<typeof dimse.requests.CMoveRequest>;
type CGetRequest = InstanceType<typeof dimse.requests.CGetRequest>;
type Response = InstanceType<typeof dimse.responses.Response>;

/** C-STORE statuses (PS3.4 B.2.3). */
export const C_STORE_STATUS = { success: 0x0000, outOfResources: 0xa700, cannotUnderstand: 0xc000 } as const;

/** Transfer syntaxes accepted for storage: those the reader decodes, except deflated data sets. */
export const ACCEPTED_TRANSFER_SYNTAXES: readonly string[] = [...TRANSFER_SYNTAXES.values()]
  .filter((t) => !t.deflated)
  .map((t) => t.uid);

const STORAGE_CLASSES = new Set<string>(Object.values(StorageClass as unknown as Record<string, string>));

/** Something the SCP reports (for the service log; no patient identifiers). */
export type DimseEvent =
  | { type: 'association'; callingAeTitle: string; accepted: boolean; reason?: string }
  | { type: 'aborted'; reason: string }
  | { type: 'network-error'; message: string }
  | { type: 'c-store'; status: number; reason?: string };

/** Options of {@link startDimseReceiver}. */
export interface DimseReceiverOptions {
  receiver: DicomReceiver;
  /** The SCP's AE title (called AE title senders must use). Default 'CXRKIT'. */
  aeTitle?: string;
  /** TCP port; 0 = any free port. Default 11112. */
  port?: number;
  /** Interface to listen on. Default '127.0.0.1' (give '0.0.0.0' to accept modalities on the network). */
  host?: string;
  /** Calling AE titles accepted; undefined = any. */
  allowedCallingAeTitles?: string[];
  /** Maximum PDU length announced (bytes). Default 65536. */
  maxPduLength?: number;
  /** Largest instance accepted (bytes); larger ones are read and dropped, answered A700. Default 256 MiB. */
  maxInstanceBytes?: number;
  /** Simultaneous connections at most. Default 32. */
  maxConnections?: number;
  /** Seconds a connection may wait for an association, and between PDUs. Default 30 and 60. */
  associationTimeoutSeconds?: number;
  pduTimeoutSeconds?: number;
  onEvent?: (event: DimseEvent) => void;
}

/** A running SCP. */
export interface DimseReceiverHandle {
  aeTitle: string;
  host: string;
  port: number;
  server: Server;
  /** Stops listening and closes open associations. */
  close(): Promise<void>;
}

/** Collects a C-STORE's data set bytes up to a limit; beyond it, counts and drops them. */
class BoundedSink extends Writable {
  chunks: Buffer[] = [];
  size = 0;
  overflow = false;
  constructor(private readonly limit: number) {
    super();
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, done: (e?: Error | null) => void): void {
    this.size += chunk.length;
    if (this.size > this.limit) {
      this.overflow = true;
      this.chunks = [];
    } else {
      this.chunks.push(chunk);
    }
    done();
  }
}

/**
 * Starts the C-STORE SCP; resolves once it listens.
 * @throws CxrkitError `DICOMNET_BAD_AE_TITLE`, and the listen error (e.g. EADDRINUSE).
 */
export async function startDimseReceiver(options: DimseReceiverOptions): Promise<DimseReceiverHandle> {
  const aeTitle = checkAeTitle(options.aeTitle ?? 'CXRKIT');
  const host = options.host ?? '127.0.0.1';
  const maxPdu = options.maxPduLength ?? 65536;
  const maxInstance = options.maxInstanceBytes ?? 256 * 2 ** 20;
  const allowed = options.allowedCallingAeTitles?.map((t) => t.trim());
  const receiver = options.receiver;
  const emit = (e: DimseEvent) => options.onEvent?.(e);
  dimse.log.setLevel('silent'); // dcmjs-dimse logs every PDU to the console otherwise

  class CxrkitScp extends Scp {
    private store?: { sink: BoundedSink; transferSyntaxUid: string };

    override associationRequested(association: Association): void {
      const calling = association.getCallingAeTitle().trim();
      const called = association.getCalledAeTitle().trim();
      let reason: number | undefined;
      if (called !== aeTitle) reason = RejectReason.CalledAeNotRecognized;
      else if (allowed && !allowed.includes(calling)) reason = RejectReason.CallingAeNotRecognized;
      if (reason !== undefined) {
        emit({ type: 'association', callingAeTitle: calling, accepted: false, reason: `called ${called}` });
        this.sendAssociationReject(RejectResult.Permanent, RejectSource.ServiceUser, reason);
        return;
      }
      association.setMaxPduLength(maxPdu);
      for (const { id } of association.getPresentationContexts()) {
        const context = association.getPresentationContext(id);
        const abstract = context.getAbstractSyntaxUid();
        if (abstract !== SopClass.Verification && !STORAGE_CLASSES.has(abstract)) {
          context.setResult(PresentationContextResult.RejectAbstractSyntaxNotSupported);
          continue;
        }
        const ts = context.getTransferSyntaxUids().find((t) => ACCEPTED_TRANSFER_SYNTAXES.includes(t));
        if (ts) context.setResult(PresentationContextResult.Accept, ts);
        else context.setResult(PresentationContextResult.RejectTransferSyntaxesNotSupported);
      }
      emit({ type: 'association', callingAeTitle: calling, accepted: true });
      this.sendAssociationAccept();
    }

    override associationReleaseRequested(): void {
      this.sendAssociationReleaseResponse();
    }

    override cEchoRequest(request: CEchoRequest, callback: (r: Response) => void): void {
      const response = CEchoResponse.fromRequest(request);
      response.setStatus(Status.Success);
      callback(response);
    }

    override createStoreWritableStream(context: PresentationContext): Writable {
      const sink = new BoundedSink(maxInstance);
      this.store = { sink, transferSyntaxUid: context.getAcceptedTransferSyntaxUid() ?? '' };
      return sink;
    }

    override createDatasetFromStoreWritableStream(
      _writable: Writable,
      _context: PresentationContext,
      callback: (dataset: InstanceType<typeof Dataset>) => void,
    ): void {
      // the bytes stay in this.store; dcmjs-dimse only needs a Dataset object to carry on
      callback(new Dataset({}));
    }

    override cStoreRequest(request: CStoreRequest, callback: (r: Response) => void): void {
      const response = CStoreResponse.fromRequest(request);
      const store = this.store;
      this.store = undefined;
      const answer = (status: number, reason?: string) => {
        response.setStatus(status);
        if (reason) response.setErrorComment(reason.slice(0, 64));
        emit({ type: 'c-store', status, reason });
        callback(response);
      };
      if (!store || store.sink.overflow) {
        answer(C_STORE_STATUS.outOfResources, `instance larger than ${maxInstance} bytes`);
        return;
      }
      const bytes = new Uint8Array(Buffer.concat(store.sink.chunks));
      const file = wrapDataset(
        bytes,
        store.transferSyntaxUid,
        request.getAffectedSopClassUid(),
        request.getAffectedSopInstanceUid(),
      );
      const result = receiver.accept(file, 'c-store');
      if (result.accepted) answer(C_STORE_STATUS.success);
      else answer(result.why === 'busy' ? C_STORE_STATUS.outOfResources : C_STORE_STATUS.cannotUnderstand, result.code);
    }

    // query/retrieve is not offered: answered "unrecognized operation"
    override cFindRequest(request: CFindRequest, callback: (r: Response[]) => void): void {
      const response = CFindResponse.fromRequest(request);
      response.setStatus(Status.UnrecognizedOperation);
      callback([response]);
    }

    override cMoveRequest(request: CMoveRequest, callback: (r: InstanceType<typeof CMoveResponse>[]) => void): void {
      const response = CMoveResponse.fromRequest(request);
      response.setStatus(Status.UnrecognizedOperation);
      callback([response]);
    }

    override cGetRequest(request: CGetRequest, callback: (r: InstanceType<typeof CGetResponse>[]) => void): void {
      const response = CGetResponse.fromRequest(request);
      response.setStatus(Status.UnrecognizedOperation);
      callback([response]);
    }

    override abort(): void {
      emit({ type: 'aborted', reason: 'A-ABORT from the peer' });
    }
  }

  const sockets = new Set<Socket>();
  const opts = {
    connectTimeout: (options.associationTimeoutSeconds ?? 30) * 1000,
    associationTimeout: (options.associationTimeoutSeconds ?? 30) * 1000,
    pduTimeout: (options.pduTimeoutSeconds ?? 60) * 1000,
  };
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const guard = createPduGuard({ maxPDataLength: maxPdu });
    let aborted = false;
    // runs before dcmjs-dimse's own 'data' listener: a violation aborts before anything is buffered
    socket.prependListener('data', (chunk: Buffer) => {
      const violation = guard(chunk);
      if (!violation || aborted) return;
      aborted = true;
      emit({ type: 'aborted', reason: violation.message });
      socket.end(abortPdu(violation.reason)); // the A-ABORT, then FIN; closed for good below
      setTimeout(() => socket.destroy(), 1000).unref();
    });
    const scp = new CxrkitScp(socket, opts);
    (scp as unknown as { connected: boolean }).connected = true;
    scp.on('networkError', (e: Error) => {
      if (aborted) return; // dcmjs-dimse choking on the same bytes: the abort is already on its way
      emit({ type: 'network-error', message: e.message });
      socket.destroy();
    });
  });
  server.maxConnections = options.maxConnections ?? 32;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 11112, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (e) => emit({ type: 'network-error', message: e.message }));
  const address = server.address();
  if (!address || typeof address === 'string') {
    throw new CxrkitError('DICOMNET_LISTEN_FAILED', 'the SCP has no TCP address', {
      received: address,
      fix: 'check host and port',
      pkg: 'dicom-net',
    });
  }
  return {
    aeTitle,
    host,
    port: address.port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
