// Bad input over HTTP: 1,000 DICOMs mutated by the core fuzzer's mutations (truncation, bit flips, length and
// value overwrites, cut and duplicated chunks) of real files covering every decoder, sent four at a time;
// bodies cut short by clients that hang up; wrong content types; a 2 GB declared length; trickled headers.
// Every request gets a 4xx or a 503 (or a 200: a mutation can leave a readable file), never another 5xx; the
// service keeps serving a real chest radiograph afterwards; and the process's memory comes back near its
// level after warm-up (bound stated below).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createRng } from '@cxrkit/core/tfjs-free';
import { mutate } from '../../core/src/dicom/fuzz-worker.js';
import { sharedPath } from '../../../test/helpers.js';
import { resolveScreeningConfig, startScreeningServer, type AccessLogEntry } from './index.js';
import { recordingPredictor } from './test-predictors.js';
import { postHead, rawConnection, trickle } from './testing/raw-http.js';

const SOURCES = [
  'dwv-tests-data/dwv-test-simple.dcm', // explicit LE
  'fo-dicom-test-data/1403-OB.dcm', // tiny RGB
  'pydicom-data/emri_small_big_endian.dcm', // big endian, 10 frames
  'pydicom-data/liver_deflate.dcm', // deflated frames, 1-bit
  'dicomParser-testImages/deflate/report_dfl', // deflated data set
  'pydicom-data/emri_small_RLE.dcm', // RLE
  'pydicom-data/emri_small_jpeg_2k_lossless.dcm', // JPEG 2000
  'pydicom-data/emri_small_jpeg_ls_lossless.dcm', // JPEG-LS
  'pydicom-data/JLSL_08_07_0_1F.dcm', // JPEG-LS 8-bit, no preamble
  'dwv-tests-data/leadtools-8BitsJpegLossyGrayScale.dcm', // JPEG baseline
  'pydicom-data/HTJ2K_08_RGB.dcm', // HTJ2K
  'pydicom-data/OBXXXX1A_rle.dcm', // palette colour, RLE
  'dwv-tests-data/gdcm-CR-MONO1-10-chest.dcm', // a CR chest (reaches the lung-field check and the model)
  'nema-wg04/CT1_UNC', // CT
];
const CHEST = 'nhsx-nccid-testdata/1.3.6.1.4.1.11129.5.5.110503645592756492463169821050252582267888.dcm';
const missing = [...SOURCES, CHEST].find((f) => !existsSync(sharedPath('dicom', f)));
const skip = missing ? `shared data file missing: ${missing} (set CXRKIT_DATA)` : false;
const CASES = Number(process.env['CXRKIT_SERVE_FUZZ_CASES'] ?? 1000);
const SEED = 20260514;
/** Memory bound after the run, above the level after warm-up (both after a full GC). */
const RSS_BOUND_MIB = 96;
const HEAP_BOUND_MIB = 16;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const mib = (b: number) => b / 2 ** 20;
async function settled() {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 100));
  }
  const m = process.memoryUsage();
  return { rss: mib(m.rss), heap: mib(m.heapUsed) };
}

test(`${CASES} fuzzed DICOMs and hostile clients over HTTP: only 4xx/503, the service keeps serving, memory returns`, {
  skip,
  timeout: 900_000,
}, async () => {
  const log: AccessLogEntry[] = [];
  const config = resolveScreeningConfig({ inputSize: 64, threshold: 0.5 });
  const server = await startScreeningServer({
    predictor: recordingPredictor(['image'], 0.5),
    config,
    port: 0,
    maxQueue: 4,
    headersTimeoutMs: 1500,
    bodyLimits: { graceMs: 2000, minBytesPerSecond: 1024, idleMs: 2000 },
    log: (e) => log.push(e),
  });
  const port = Number(new URL(server.url).port);
  const sources = await Promise.all(SOURCES.map(async (f) => new Uint8Array(await readFile(sharedPath('dicom', f)))));
  const chest = new Uint8Array(await readFile(sharedPath('dicom', CHEST)));
  const statuses = new Map<number, number>();
  const codes = new Map<string, number>();
  const count = <K>(m: Map<K, number>, k: K) => m.set(k, (m.get(k) ?? 0) + 1);
  const send = async (body: Uint8Array, type = 'application/dicom') => {
    const r = await fetch(`${server.url}/v1/screen`, {
      method: 'POST',
      headers: { 'content-type': type },
      body: body as unknown as string,
    });
    const text = await r.text();
    count(statuses, r.status);
    if (r.status !== 200) count(codes, (JSON.parse(text) as { error: { code: string } }).error.code);
    return r.status;
  };
  const fuzz = async (from: number, to: number) => {
    let next = from;
    const lane = async () => {
      while (next < to) {
        const i = next++;
        const r = createRng(SEED + i * 7919);
        const src = sources[Math.floor(r.next() * sources.length)]!;
        const { bytes } = mutate(src, () => r.next());
        await send(bytes);
      }
    };
    await Promise.all([lane(), lane(), lane(), lane()]);
  };

  try {
    assert.equal(await send(chest), 200);
    await fuzz(0, 50); // warm-up: workers, codecs, the lung check, JIT
    const base = await settled();
    await fuzz(50, CASES);
    assert.equal(
      [...statuses.values()].reduce((a, b) => a + b, 0),
      CASES + 1,
      'every request was answered',
    );

    // bodies cut short: the client declares 20 kB, sends 5 kB, and hangs up (or half-closes)
    for (const hangUp of ['destroy', 'end'] as const) {
      const c = rawConnection(port);
      c.socket.write(postHead('/v1/screen', 20_000));
      c.socket.write(chest.subarray(0, 5000));
      await new Promise((r) => setTimeout(r, 100));
      c.socket[hangUp]();
      const reply = await c.reply;
      assert.ok(reply.status === 0 || reply.status === 408 || reply.status === 400, `cut body: ${reply.status}`);
    }
    // wrong content types
    for (const type of ['application/json', 'image/png', 'text/html']) assert.equal(await send(chest, type), 415);
    // a 2 GB declared length
    const big = rawConnection(port);
    big.socket.write(postHead('/v1/screen', 2 * 2 ** 30));
    assert.equal((await big.reply).status, 413);
    big.socket.destroy();
    // trickled headers
    const loris = rawConnection(port);
    void trickle(loris.socket, Buffer.from(postHead('/v1/screen', 10)), 1, 250);
    const lorisReply = await loris.reply;
    loris.socket.destroy();
    assert.ok(lorisReply.closedByServer && (lorisReply.status === 408 || lorisReply.status === 0));

    // still serving
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    const after = await fetch(`${server.url}/v1/screen`, { method: 'POST', body: chest as unknown as string });
    assert.equal(after.status, 200);
    assert.equal(((await after.json()) as { screened: boolean }).screened, true);
    const end = await settled();

    const summary = [...statuses.entries()].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}: ${n}`);
    const top = [...codes.entries()].sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${n}`);
    console.log(`# statuses ${summary.join(', ')}; codes ${top.join(', ')}`);
    console.log(
      `# memory after warm-up rss ${base.rss.toFixed(0)} MiB heap ${base.heap.toFixed(0)} MiB; after the run rss ` +
        `${end.rss.toFixed(0)} MiB heap ${end.heap.toFixed(0)} MiB (bounds +${RSS_BOUND_MIB} / +${HEAP_BOUND_MIB} MiB)`,
    );
    for (const status of statuses.keys()) {
      assert.ok(status === 200 || (status >= 400 && status < 500) || status === 503, `status ${status}`);
    }
    assert.ok(!log.some((e) => e.status >= 500 && e.status !== 503), 'no 5xx but 503 in the log');
    assert.ok(!log.some((e) => e.code === 'INTERNAL'), 'no internal error');
    assert.ok((statuses.get(400) ?? 0) > CASES / 4, 'the mutations exercised the refusals');
    assert.ok(end.rss - base.rss < RSS_BOUND_MIB, `rss grew ${(end.rss - base.rss).toFixed(0)} MiB`);
    assert.ok(end.heap - base.heap < HEAP_BOUND_MIB, `heap grew ${(end.heap - base.heap).toFixed(0)} MiB`);
  } finally {
    await server.close();
  }
});
