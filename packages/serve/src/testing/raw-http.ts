// Test helper (not part of the package API): HTTP/1.1 over a bare TCP socket, for the clients fetch cannot
// be — one that trickles its headers or body, declares 2 GB, sends chunks past the limit, or hangs up.
import { connect, type Socket } from 'node:net';

/** What came back on the socket. */
export interface RawReply {
  /** Status code of the first reply (0 when none arrived). */
  status: number;
  /** Lower-cased response headers. */
  headers: Record<string, string>;
  /** Response body text (what arrived before the socket closed). */
  body: string;
  /** The server ended or closed the connection. */
  closedByServer: boolean;
  /** Milliseconds from connect to the end of the reply headers (or to the close). */
  replyMs: number;
}

/** An open connection to `port` on 127.0.0.1 and a promise of the reply. */
export function rawConnection(port: number): { socket: Socket; reply: Promise<RawReply> } {
  const socket = connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  const started = Date.now();
  const reply = new Promise<RawReply>((resolve) => {
    let data = '';
    let replyMs = 0;
    let done = false;
    const finish = (closedByServer: boolean) => {
      if (done) return;
      done = true;
      const head = data.indexOf('\r\n\r\n');
      const [statusLine = '', ...lines] = (head >= 0 ? data.slice(0, head) : data).split('\r\n');
      const headers: Record<string, string> = {};
      for (const l of lines) {
        const i = l.indexOf(':');
        if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
      }
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
      resolve({
        status,
        headers,
        body: head >= 0 ? data.slice(head + 4) : '',
        closedByServer,
        replyMs: replyMs || Date.now() - started,
      });
    };
    socket.on('data', (d) => {
      data += d.toString('latin1');
      if (!replyMs && data.includes('\r\n\r\n')) replyMs = Date.now() - started;
    });
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
  });
  return { socket, reply };
}

/** Writes `bytes` `chunk` bytes at a time every `everyMs` until done or the socket closes; resolves the count sent. */
export function trickle(socket: Socket, bytes: Uint8Array, chunk: number, everyMs: number): Promise<number> {
  return new Promise((resolve) => {
    let sent = 0;
    const timer = setInterval(() => {
      if (socket.destroyed || socket.writableEnded || sent >= bytes.length) {
        clearInterval(timer);
        resolve(sent);
        return;
      }
      const part = bytes.subarray(sent, sent + chunk);
      sent += part.length;
      socket.write(part);
    }, everyMs);
  });
}

/** Request head text for a POST of `length` bytes (or chunked when length is undefined). */
export function postHead(path: string, length: number | undefined, extra: Record<string, string> = {}): string {
  const lines = [`POST ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Content-Type: application/dicom'];
  lines.push(length === undefined ? 'Transfer-Encoding: chunked' : `Content-Length: ${length}`);
  for (const [k, v] of Object.entries(extra)) lines.push(`${k}: ${v}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}
