// The service under the clients issue 14 found it could not stand: a slow uploader (it held another user's
// upload for 56 s), a full queue (it never answered 503), a chunked upload over the limit (a reset, not 413), a
// 2 GB declared length, headers trickled byte by byte, a client that hangs up (logged as an internal error), the
// 522 KB deflated 16384² bomb (12.7 s with the event loop blocked), no auth, no readiness, no graceful stop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { sharedPath } from '../../../test/helpers.js';
import { resolveScreeningConfig, startScreeningServer, type AccessLogEntry, type ScreeningPredictor } from './index.js';
import { recordingPredictor } from './test-predictors.js';
import { deflateBomb } from './testing/bomb.js';
import { postHead, rawConnection, trickle } from './testing/raw-http.js';

const config = resolveScreeningConfig({ inputSize: 64, threshold: 0.5 });
const nccidPath = sharedPath(
  'dicom',
  'nhsx-nccid-testdata',
  '1.3.6.1.4.1.11129.5.5.110503645592756492463169821050252582267888.dcm',
);
const skip = existsSync(nccidPath) ? false : `shared data missing: ${nccidPath} (set CXRKIT_DATA)`;
const chest = () => readFile(nccidPath).then((b) => new Uint8Array(b));

const post = (url: string, body: Uint8Array, headers: Record<string, string> = {}) =>
  fetch(`${url}/v1/screen`, {
    method: 'POST',
    headers: { 'content-type': 'application/dicom', ...headers },
    body: body as unknown as string,
  });

/** A predictor that waits for `release()` before answering (to fill the queue on purpose). */
function heldPredictor(): ScreeningPredictor & { release(): void; started: Promise<void> } {
  let release!: () => void;
  let started!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const startedP = new Promise<void>((r) => (started = r));
  return {
    inputNames: ['image'],
    outputNames: ['head_output'],
    engine: 'held',
    release,
    started: startedP,
    async predict() {
      started();
      await gate;
      return { head_output: { data: Float32Array.of(0.2), shape: [1, 1] } };
    },
  };
}

test('a client trickling 4 bytes/s does not hold another upload; it is cut off with 408', { skip }, async () => {
  const log: AccessLogEntry[] = [];
  const server = await startScreeningServer({
    predictor: recordingPredictor(['image'], 0.3),
    config,
    port: 0,
    bodyLimits: { graceMs: 4000, minBytesPerSecond: 1024 },
    log: (e) => log.push(e),
  });
  try {
    const port = Number(new URL(server.url).port);
    const bytes = await chest();
    assert.equal((await post(server.url, bytes)).status, 200); // warm: workers started, codecs loaded
    const slow = rawConnection(port);
    slow.socket.write(postHead('/v1/screen', 127_000));
    const sent = trickle(slow.socket, bytes.subarray(0, 127_000), 4, 1000);
    const t0 = Date.now();
    const fast = await post(server.url, bytes);
    const fastMs = Date.now() - t0;
    assert.equal(fast.status, 200);
    const reply = await slow.reply;
    assert.equal(reply.status, 408, reply.body);
    assert.equal(JSON.parse(reply.body).error.code, 'UPLOAD_TOO_SLOW');
    assert.equal(reply.headers['connection'], 'close');
    assert.ok(reply.closedByServer);
    assert.ok(
      fastMs < reply.replyMs,
      `the normal upload (${fastMs} ms) did not wait for the slow one (${reply.replyMs} ms)`,
    );
    console.log(`# normal upload answered in ${fastMs} ms while the slow client was cut off after ${reply.replyMs} ms`);
    await sent;
    assert.ok(log.some((e) => e.status === 408 && e.code === 'UPLOAD_TOO_SLOW'));
  } finally {
    await server.close();
  }
});

test('a full queue answers 503 with Retry-After; /readyz says so; /healthz still answers', { skip }, async () => {
  const predictor = heldPredictor();
  const server = await startScreeningServer({ predictor, config, port: 0, maxQueue: 1, decodeWorkers: 1 });
  try {
    const bytes = await chest();
    const first = post(server.url, bytes);
    await predictor.started; // the first screen holds the model
    const second = post(server.url, bytes); // waits in the queue (capacity: 1 running + 1 waiting)
    for (let i = 0; i < 100 && server.handler.inFlight < 2; i++) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 300)); // the second upload is read and admitted
    const third = await post(server.url, bytes);
    assert.equal(third.status, 503);
    const retry = Number(third.headers.get('retry-after'));
    assert.ok(Number.isInteger(retry) && retry >= 1 && retry <= 60, `Retry-After ${retry}`);
    const body = (await third.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'SERVICE_BUSY');
    assert.match(body.error.message, /busy.*try again/);
    const ready = await fetch(`${server.url}/readyz`);
    assert.equal(ready.status, 503);
    assert.equal(((await ready.json()) as { reason: string }).reason, 'queue full');
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    predictor.release();
    assert.equal((await first).status, 200);
    assert.equal((await second).status, 200);
    assert.equal((await fetch(`${server.url}/readyz`)).status, 200);
  } finally {
    predictor.release();
    await server.close();
  }
});

test('413 for a chunked body over the limit and for a 2 GB declared length; the connection is closed', async () => {
  const server = await startScreeningServer({
    predictor: recordingPredictor(['image'], 0.3),
    config,
    port: 0,
    maxUploadBytes: 1 << 20,
  });
  try {
    const port = Number(new URL(server.url).port);
    // chunked: 64 KiB chunks, forever, until the server answers and hangs up
    const chunked = rawConnection(port);
    chunked.socket.write(postHead('/v1/screen', undefined));
    const chunk = Buffer.concat([Buffer.from('10000\r\n'), Buffer.alloc(0x10000, 7), Buffer.from('\r\n')]);
    let written = 0;
    const writer = setInterval(() => {
      if (chunked.socket.destroyed) return clearInterval(writer);
      chunked.socket.write(chunk);
      written += 0x10000;
    }, 5);
    const reply = await chunked.reply;
    clearInterval(writer);
    chunked.socket.destroy();
    assert.equal(reply.status, 413, reply.body);
    assert.equal(JSON.parse(reply.body).error.code, 'UPLOAD_TOO_LARGE');
    assert.equal(reply.headers['connection'], 'close');
    assert.ok(reply.closedByServer, 'the server hung up after the 413');
    console.log(
      `# chunked: 413 after ${reply.replyMs} ms; the client had written ${(written / 2 ** 20).toFixed(1)} MiB`,
    );

    // 2 GB declared, nothing sent: refused at once, without waiting for a body
    const big = rawConnection(port);
    big.socket.write(postHead('/v1/screen', 2 * 2 ** 30));
    const bigReply = await big.reply;
    assert.equal(bigReply.status, 413);
    assert.equal(bigReply.headers['connection'], 'close');
    assert.ok(bigReply.closedByServer);
    big.socket.destroy();
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200, 'still serving');
  } finally {
    await server.close();
  }
});

test('headers trickled byte by byte are cut off; a client that hangs up is logged as aborted, not an error', async () => {
  const log: AccessLogEntry[] = [];
  const server = await startScreeningServer({
    predictor: recordingPredictor(['image'], 0.3),
    config,
    port: 0,
    headersTimeoutMs: 1500,
    log: (e) => log.push(e),
  });
  try {
    const port = Number(new URL(server.url).port);
    const slowloris = rawConnection(port);
    const head = Buffer.from(postHead('/v1/screen', 10));
    void trickle(slowloris.socket, head, 1, 300);
    const reply = await slowloris.reply;
    slowloris.socket.destroy();
    assert.ok(reply.closedByServer);
    assert.ok(reply.status === 408 || reply.status === 0, `status ${reply.status}`);
    assert.ok(reply.replyMs < 8000, `cut off after ${reply.replyMs} ms`);

    const quitter = rawConnection(port);
    quitter.socket.write(postHead('/v1/screen', 100_000));
    quitter.socket.write(Buffer.alloc(5000, 1));
    await new Promise((r) => setTimeout(r, 200));
    quitter.socket.destroy();
    for (let i = 0; i < 50 && !log.some((e) => e.outcome === 'aborted'); i++)
      await new Promise((r) => setTimeout(r, 20));
    const aborted = log.find((e) => e.route === '/v1/screen' && e.outcome === 'aborted');
    assert.ok(aborted, JSON.stringify(log));
    assert.equal(aborted.status, 499);
    assert.ok(!log.some((e) => e.outcome === 'error' || e.status >= 500), JSON.stringify(log));
  } finally {
    await server.close();
  }
});

test('a bearer token guards every route but /, /healthz and /readyz; wrong content types are 415', {
  skip,
}, async () => {
  const server = await startScreeningServer({
    predictor: recordingPredictor(['image'], 0.3),
    config,
    port: 0,
    token: 'correct horse battery staple',
  });
  try {
    const bytes = await chest();
    const none = await post(server.url, bytes);
    assert.equal(none.status, 401);
    assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer/);
    assert.equal(((await none.json()) as { error: { code: string } }).error.code, 'UNAUTHORIZED');
    assert.equal((await post(server.url, bytes, { authorization: 'Bearer wrong' })).status, 401);
    assert.equal((await fetch(`${server.url}/v1/card`)).status, 401);
    const ok = await post(server.url, bytes, { authorization: 'Bearer correct horse battery staple' });
    assert.equal(ok.status, 200);
    for (const open of ['/', '/healthz', '/readyz'])
      assert.equal((await fetch(`${server.url}${open}`)).status, 200, open);
    const page = await (await fetch(`${server.url}/`)).text();
    assert.match(page, /id="token" type="password"/);
    for (const type of ['application/json', 'text/plain', 'multipart/form-data; boundary=x']) {
      const r = await post(server.url, bytes, {
        authorization: 'Bearer correct horse battery staple',
        'content-type': type,
      });
      assert.equal(r.status, 415, type);
      assert.equal(((await r.json()) as { error: { code: string } }).error.code, 'UPLOAD_BAD_TYPE');
    }
  } finally {
    await server.close();
  }
});

test('the 522 KB deflated 16384² bomb is refused in the worker while /healthz keeps answering', async () => {
  const bomb = await deflateBomb();
  assert.ok(bomb.length < 600_000, `${bomb.length} bytes`);
  const server = await startScreeningServer({ predictor: recordingPredictor(['image'], 0.3), config, port: 0 });
  try {
    const t0 = Date.now();
    const refused = post(server.url, bomb).then(async (r) => ({
      status: r.status,
      body: await r.json(),
      ms: Date.now() - t0,
    }));
    const health: number[] = [];
    let done = false;
    void refused.then(() => (done = true));
    while (!done) {
      const h0 = Date.now();
      assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
      health.push(Date.now() - h0);
      await new Promise((r) => setTimeout(r, 50));
    }
    const r = await refused;
    assert.equal(r.status, 400);
    assert.equal((r.body as { error: { code: string } }).error.code, 'DICOM_DIMENSIONS_TOO_LARGE');
    assert.match((r.body as { error: { message: string } }).error.message, /far larger than a chest radiograph/);
    const worst = Math.max(...health);
    console.log(
      `# bomb refused in ${r.ms} ms; /healthz answered ${health.length} times meanwhile, slowest ${worst} ms`,
    );
    assert.ok(health.length >= 1);
    assert.ok(worst < 1000, `/healthz took ${worst} ms during the bomb`);
    assert.ok(r.ms < 15_000, `refused after ${r.ms} ms`);
  } finally {
    await server.close();
  }
});

test('graceful shutdown: the screen in flight finishes, new connections are refused, then it stops', {
  skip,
}, async () => {
  const predictor = heldPredictor();
  const server = await startScreeningServer({ predictor, config, port: 0 });
  const bytes = await chest();
  const inFlight = post(server.url, bytes);
  await predictor.started;
  const closing = server.close();
  await new Promise((r) => setTimeout(r, 100));
  await assert.rejects(fetch(`${server.url}/healthz`), 'a closed server accepts no new connection');
  let closed = false;
  void closing.then(() => (closed = true));
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(closed, false, 'close() waits for the screen in flight');
  predictor.release();
  const r = await inFlight;
  assert.equal(r.status, 200);
  assert.equal(((await r.json()) as { screened: boolean }).screened, true);
  await closing;
});
