// For the tests: DICOM upper-layer PDUs built byte by byte from PS3.8 (A-ASSOCIATE-RQ, P-DATA-TF) and
// DIMSE command sets from PS3.7 (implicit VR little endian), so the SCP can be fed well-formed, truncated
// and hostile traffic that no DICOM library would send, and its answers read back.
import { connect, type Socket } from 'node:net';

const ascii = (s: string) => Buffer.from(s, 'latin1');
const u16 = (n: number) => Buffer.from([(n >> 8) & 0xff, n & 0xff]);
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};
const evenUid = (uid: string) => (uid.length % 2 ? Buffer.concat([ascii(uid), Buffer.from([0])]) : ascii(uid));
const item = (type: number, body: Buffer) => Buffer.concat([Buffer.from([type, 0]), u16(body.length), body]);
const pad16 = (ae: string) => ascii(ae.padEnd(16, ' ').slice(0, 16));

/** An A-ASSOCIATE-RQ PDU proposing `contexts` (id odd, abstract syntax, transfer syntaxes). */
export function associateRq(
  called: string,
  calling: string,
  contexts: { id: number; abstract: string; syntaxes: string[] }[],
  maxLength = 16384,
): Buffer {
  const items = [
    item(0x10, ascii('1.2.840.10008.3.1.1.1')),
    ...contexts.map((c) =>
      item(
        0x20,
        Buffer.concat([
          Buffer.from([c.id, 0, 0, 0]),
          item(0x30, ascii(c.abstract)),
          ...c.syntaxes.map((t) => item(0x40, ascii(t))),
        ]),
      ),
    ),
    item(0x50, Buffer.concat([item(0x51, u32(maxLength)), item(0x52, ascii('1.2.3.4.5.6.7'))])),
  ];
  const body = Buffer.concat([u16(1), Buffer.alloc(2), pad16(called), pad16(calling), Buffer.alloc(32), ...items]);
  return Buffer.concat([Buffer.from([0x01, 0]), u32(body.length), body]);
}

/** A P-DATA-TF PDU with one PDV (command or data set fragment, last or not). */
export function pdataTf(contextId: number, fragment: Buffer, command: boolean, last: boolean): Buffer {
  const pdv = Buffer.concat([
    u32(fragment.length + 2),
    Buffer.from([contextId, (command ? 1 : 0) | (last ? 2 : 0)]),
    fragment,
  ]);
  return Buffer.concat([Buffer.from([0x04, 0]), u32(pdv.length), pdv]);
}

/** An A-RELEASE-RQ PDU. */
export const releaseRq = Buffer.from([0x05, 0, 0, 0, 0, 4, 0, 0, 0, 0]);

function element(group: number, el: number, value: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16LE(group, 0);
  h.writeUInt16LE(el, 2);
  h.writeUInt32LE(value.length, 4);
  return Buffer.concat([h, value]);
}
const us = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
};

/** A C-STORE-RQ command set (implicit VR little endian, with its group length), announcing a data set. */
export function cStoreRq(sopClass: string, sopInstance: string, messageId = 1): Buffer {
  const rest = Buffer.concat([
    element(0x0000, 0x0002, evenUid(sopClass)),
    element(0x0000, 0x0100, us(0x0001)),
    element(0x0000, 0x0110, us(messageId)),
    element(0x0000, 0x0700, us(0)),
    element(0x0000, 0x0800, us(0x0000)),
    element(0x0000, 0x1000, evenUid(sopInstance)),
  ]);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(rest.length);
  return Buffer.concat([element(0x0000, 0x0000, len), rest]);
}

/** A C-ECHO-RQ command set (no data set). */
export function cEchoRq(messageId = 1): Buffer {
  const rest = Buffer.concat([
    element(0x0000, 0x0002, evenUid('1.2.840.10008.1.1')),
    element(0x0000, 0x0100, us(0x0030)),
    element(0x0000, 0x0110, us(messageId)),
    element(0x0000, 0x0800, us(0x0101)),
  ]);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(rest.length);
  return Buffer.concat([element(0x0000, 0x0000, len), rest]);
}

/** A received PDU: type and body. */
export interface Pdu {
  type: number;
  body: Buffer;
}

/** The Status (0000,0900) of the command set carried by a P-DATA-TF PDU, if any. */
export function commandStatus(pdu: Pdu): number | undefined {
  let p = 0;
  let command = Buffer.alloc(0);
  while (p + 6 <= pdu.body.length) {
    const len = pdu.body.readUInt32BE(p);
    const header = pdu.body[p + 5]!;
    if (header & 1) command = Buffer.concat([command, pdu.body.subarray(p + 6, p + 4 + len)]);
    p += 4 + len;
  }
  for (let q = 0; q + 8 <= command.length; ) {
    const group = command.readUInt16LE(q);
    const el = command.readUInt16LE(q + 2);
    const len = command.readUInt32LE(q + 4);
    if (group === 0 && el === 0x0900) return command.readUInt16LE(q + 8);
    q += 8 + len;
  }
  return undefined;
}

/** A raw connection to an SCP: write bytes, read whole PDUs, see when it closes. */
export class WireClient {
  readonly socket: Socket;
  private buffer = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  closed = false;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (d: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, d]);
      this.wake();
    });
    const end = () => {
      this.closed = true;
      this.wake();
    };
    socket.on('close', end);
    socket.on('end', end);
    socket.on('error', end);
  }

  private wake() {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Connects to host:port. */
  static open(port: number, host = '127.0.0.1'): Promise<WireClient> {
    return new Promise((resolve, reject) => {
      const s = connect({ port, host }, () => resolve(new WireClient(s)));
      s.once('error', reject);
    });
  }

  /** Writes raw bytes (ignored once the peer has closed). */
  send(bytes: Buffer | Uint8Array): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  /** The next whole PDU, or undefined when the connection closes (or `timeoutMs` passes) first. */
  async nextPdu(timeoutMs = 10_000): Promise<Pdu | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.buffer.length >= 6) {
        const len = this.buffer.readUInt32BE(2);
        if (this.buffer.length >= 6 + len) {
          const pdu = { type: this.buffer[0]!, body: this.buffer.subarray(6, 6 + len) };
          this.buffer = this.buffer.subarray(6 + len);
          return pdu;
        }
      }
      if (this.closed || Date.now() > deadline) return undefined;
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, Math.max(1, deadline - Date.now())).unref();
      });
    }
  }

  /** Resolves once the peer has closed the connection (or after `timeoutMs`); returns whether it closed. */
  async waitClosed(timeoutMs = 10_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) {
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, Math.max(1, deadline - Date.now())).unref();
      });
    }
    return this.closed;
  }

  close(): void {
    this.socket.destroy();
  }
}
