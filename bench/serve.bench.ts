// Load on the screening service, as a clinic runs it: examples/serve.ts --onnx in its own process on loopback
// (onnxruntime engine; Grad-CAM from the tfjs model beside the ONNX file), N clients uploading real radiographs
// back to back for a fixed time, through Node's fetch (undici), no retries. Two phases: Grad-CAM on (the
// default) and off (?gradcam=0). Reports throughput, p50/p99 latency, the statuses (every request must get a
// result or a 503: zero other 5xx, zero lost), and the service's peak RSS (VmHWM). Writes bench-output/serve.json.
//
//   npm run bench -- --filter serve [--clients 8] [--seconds 60] [--model out/demo/model] [--max-queue 16]
//
// Default model: the seeded test model of the service's tests (InceptionV3 1/16 width, 160 px, age + sex): the
// load is then mostly decoding, the intended-use checks and preprocessing. Pass --model for a real one.
// Timings are noisy when other jobs share the cores: the load average is printed.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeTestModel } from '../packages/serve/src/testing/test-model.js';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const clients = Number(arg('clients', '8'));
const maxQueue = arg('max-queue', '16'); // the service's default; a small one shows the 503s of back-pressure
const seconds = Number(arg('seconds', '60'));
const root = fileURLToPath(new URL('..', import.meta.url));
const data = process.env['CXRKIT_DATA'] ?? join(root, '..', 'shared', 'data');
async function testModel(): Promise<string> {
  const { initBackend } = await import('@cxrkit/core');
  await initBackend({ kind: 'cpu', load: () => import('@tensorflow/tfjs-backend-cpu') });
  return writeTestModel(join(root, 'bench-output', 'serve-model'));
}
const modelDir = arg('model', '') || (await testModel());

// real radiographs: four chests (DX 1024², CR JPEG 1024², NEMA RG1 JPEG-LS 1841 × 1955, CR 440²) and two
// radiographs of other body parts (NEMA RG2 hip, RG3 extremity: answered "not screened")
const UPLOADS = [
  ['nhsx-nccid-testdata/1.3.6.1.4.1.11129.5.5.110503645592756492463169821050252582267888.dcm', ''],
  ['torchxrayvision-tests/1.2.276.0.7230010.3.1.4.8323329.6904.1517875201.850819.dcm', ''],
  ['nema-wg04/RG1_JLSN', ''],
  ['dwv-tests-data/gdcm-CR-MONO1-10-chest.dcm', 'age=66&sex=F'], // its header has no age
  ['nema-wg04/RG2_JPLL', ''],
  ['nema-wg04/RG3_JPLL', ''],
].map(([f, q]) => ({
  name: f!.split('/').pop()!.slice(0, 24),
  bytes: readFileSync(join(data, 'dicom', f!)),
  query: q!,
}));

const child = spawn(
  process.execPath,
  [
    '--conditions=cxrkit-source',
    '--import',
    'tsx',
    join(root, 'examples', 'serve.ts'),
    '--model',
    modelDir,
    '--port',
    '0',
    '--onnx',
    '--max-queue',
    maxQueue,
  ],
  {
    cwd: root,
    env: { ...process.env, CXRKIT_BACKEND: process.env['CXRKIT_BACKEND'] ?? 'wasm' },
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
let banner = '';
const url = await new Promise<string>((resolve, reject) => {
  child.stdout.on('data', (d: Buffer) => {
    banner += d;
    const m = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(banner);
    if (m) resolve(m[1]!);
  });
  child.once('exit', (code) => reject(new Error(`service exited with ${code}\n${banner}`)));
});
child.stdout.resume(); // the access log: not kept
console.log(banner.split('\n')[0]);

/** Peak and current resident memory of the service process (MiB), from /proc. */
function memory(): { peak: number; now: number } {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const kib = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? Number.NaN);
  return { peak: kib('VmHWM') / 1024, now: kib('VmRSS') / 1024 };
}

interface Phase {
  label: string;
  requests: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
  statuses: Record<string, number>;
  lost: number;
  screened: number;
  notScreened: number;
}

async function phase(label: string, extraQuery: string): Promise<Phase> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let lost = 0;
  let screened = 0;
  let notScreened = 0;
  let next = 0;
  const end = Date.now() + seconds * 1000;
  const lane = async () => {
    while (Date.now() < end) {
      const u = UPLOADS[next++ % UPLOADS.length]!;
      const query = [u.query, extraQuery].filter(Boolean).join('&');
      const t0 = performance.now();
      try {
        const r = await fetch(`${url}/v1/screen${query ? `?${query}` : ''}`, {
          method: 'POST',
          headers: { 'content-type': 'application/dicom' },
          body: u.bytes as unknown as string,
        });
        const body = (await r.json()) as { screened?: boolean };
        latencies.push(performance.now() - t0);
        statuses[r.status] = (statuses[r.status] ?? 0) + 1;
        if (r.status === 200) body.screened ? screened++ : notScreened++;
      } catch {
        lost++; // no HTTP answer at all
      }
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: clients }, lane));
  const elapsed = (Date.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? Number.NaN;
  return {
    label,
    requests: latencies.length + lost,
    perSecond: latencies.length / elapsed,
    p50: q(0.5),
    p99: q(0.99),
    max: latencies.at(-1) ?? Number.NaN,
    statuses,
    lost,
    screened,
    notScreened,
  };
}

try {
  // warm: workers, codecs, the tfjs explainer
  for (const u of UPLOADS)
    await fetch(`${url}/v1/screen?${u.query}`, { method: 'POST', body: u.bytes as unknown as string });
  const phases = [await phase('Grad-CAM on (default)', ''), await phase('Grad-CAM off (?gradcam=0)', 'gradcam=0')];
  const mem = memory();
  const table = Object.fromEntries(
    phases.map((p) => [
      p.label,
      {
        requests: p.requests,
        'answers/s': p.perSecond.toFixed(2),
        'results/s': ((p.perSecond * (p.statuses['200'] ?? 0)) / Math.max(1, p.requests - p.lost)).toFixed(2),
        'p50 ms': p.p50.toFixed(0),
        'p99 ms': p.p99.toFixed(0),
        'max ms': p.max.toFixed(0),
        statuses: Object.entries(p.statuses)
          .map(([s, n]) => `${s}: ${n}`)
          .join(', '),
        lost: p.lost,
      },
    ]),
  );
  console.table(table);
  const bad = phases.flatMap((p) =>
    Object.keys(p.statuses)
      .filter((s) => !['200', '503'].includes(s))
      .map((s) => `${p.label}: ${s}`),
  );
  const load = loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
  const lost = phases.reduce((a, p) => a + p.lost, 0);
  console.log(
    `${clients} clients × ${seconds} s per phase, max queue ${maxQueue}, on ${cpus().length} cores ` +
      `(load average ${load}); service peak RSS ${mem.peak.toFixed(0)} MiB (now ${mem.now.toFixed(0)} MiB); ` +
      `statuses other than 200/503: ${bad.length ? bad.join(', ') : 'none'}; lost: ${lost}`,
  );
  mkdirSync(join(root, 'bench-output'), { recursive: true });
  const report = {
    clients,
    seconds,
    maxQueue: Number(maxQueue),
    model: modelDir,
    cores: cpus().length,
    loadavg: loadavg(),
    peakRssMiB: mem.peak,
    phases,
  };
  writeFileSync(join(root, 'bench-output', 'serve.json'), `${JSON.stringify(report, null, 2)}\n`);
  if (bad.length || phases.some((p) => p.lost)) process.exitCode = 1;
} finally {
  child.kill('SIGTERM');
}
