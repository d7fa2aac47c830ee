// The service as a clinic runs it (`npm run serve -- --onnx`: examples/serve.ts in its own process, onnxruntime
// engine, Grad-CAM from the tfjs model beside the ONNX file), with HOME and TMPDIR pointed at empty folders:
// - every line it prints during a full run — uploads of the real radiographs, whose headers carry patient
//   names, IDs and birth dates, and of a synthetic one with a name, ID and birth date of our own — is checked
//   for those identifiers: none may appear (the access log keeps hashed UIDs only);
// - onnxruntime-node writes no telemetry (device id, event database, mat-debug-<pid>.log): both folders stay empty;
// - SIGTERM: the screen in flight is answered, then the process exits 0.
// tsx (the test's TypeScript loader, not part of the service) is run with its cache off so it writes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeDicom, readDicom, synthesizeRadiograph } from '@cxrkit/core/tfjs-free';
import { sharedPath, repoRoot, testOutputDir } from '../../../test/helpers.js';
import { writeTestModel } from './testing/test-model.js';

// Patient identifiers in the shared files' headers (read with pydicom: PatientName, PatientID, PatientBirthDate).
const FILES: Record<string, string[]> = {
  'nhsx-nccid-testdata/1.3.6.1.4.1.11129.5.5.110503645592756492463169821050252582267888.dcm': ['Covid0000'],
  'torchxrayvision-tests/1.2.276.0.7230010.3.1.4.8323329.6904.1517875201.850819.dcm': [
    '16d7f894-55d7-4d95-8957-d18987f0e981',
  ],
  'nema-wg04/RG1_JLSN': ['CompressedSamples^RG1', 'CompressedSamples', '9RG1', '19400305', '1940-03-05'],
  'nema-wg04/RG2_JPLL': ['CompressedSamples^RG2', '10RG2'],
  'nema-wg04/RG3_JPLL': ['CompressedSamples^RG3', '11RG3', '19790408', '1979-04-08'],
  'nema-wg04/CT1_UNC': ['CompressedSamples^CT1', '1CT1'],
  'nema-wg04/MR4_UNC': ['CompressedSamples^MR4', '7MR4', '19010101', '1901-01-01'],
  'dwv-tests-data/gdcm-CR-MONO1-10-chest.dcm': [],
  'pydicom-data/HTJ2K_08_RGB.dcm': [],
};
const missing = Object.keys(FILES).find((f) => !existsSync(sharedPath('dicom', f)));
const skip = missing ? `shared data file missing: ${missing} (set CXRKIT_DATA)` : false;

test('a full run of the service prints no patient name, ID or birth date, writes no telemetry, stops on SIGTERM', {
  skip,
  timeout: 300_000,
}, async () => {
  const modelDir = await writeTestModel(testOutputDir(`serve-process-${process.pid}`));
  const home = await mkdtemp(join(tmpdir(), 'cxrkit-home-'));
  const temp = await mkdtemp(join(tmpdir(), 'cxrkit-tmp-'));
  // our own patient: name, ID, and (from the age) a birth date in the header
  const s = synthesizeRadiograph({ seed: 31, size: 512, age: 71, sex: 'F' });
  const synthetic = encodeDicom(
    { image: s.image, labels: s.labels },
    { patientName: 'DOE^JANE^QUINN', patientId: 'PID-7741-XQ', seed: 31 },
  );
  const birth = (await readDicom(synthetic)).meta.birthDate!; // ISO YYYY-MM-DD
  assert.match(birth, /^\d{4}-\d{2}-\d{2}$/);
  const identifiers = [
    ...Object.values(FILES).flat(),
    'DOE^JANE^QUINN',
    'DOE',
    'QUINN',
    'PID-7741-XQ',
    birth,
    birth.replaceAll('-', ''),
  ];

  const child = spawn(
    process.execPath,
    [
      '--conditions=cxrkit-source',
      '--import',
      'tsx',
      join(repoRoot, 'examples', 'serve.ts'),
      '--model',
      modelDir,
      '--port',
      '0',
      '--onnx',
      '--threads',
      '1',
    ],
    {
      cwd: repoRoot,
      env: { PATH: process.env['PATH'], HOME: home, TMPDIR: temp, TSX_DISABLE_CACHE: '1', CXRKIT_BACKEND: 'cpu' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL after 180 s:\n${output}`)), 180_000);
      const look = () => {
        const m = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      };
      child.stdout.on('data', look);
      void exited.then((code) => reject(new Error(`service exited with ${code}:\n${output}`)));
    });
    assert.match(output, /Grad-CAM on 9 layer/, 'on --onnx the tfjs model beside the ONNX file explains');
    const post = async (body: Uint8Array, query = '') => {
      const r = await fetch(`${url}/v1/screen${query}`, {
        method: 'POST',
        headers: { 'content-type': 'application/dicom' },
        body: body as unknown as string,
      });
      // biome-ignore lint/suspicious/noExplicitAny: the reply's JSON, checked field by field below
      return { status: r.status, json: (await r.json()) as Record<string, any> };
    };
    const statuses: number[] = [];
    for (const f of Object.keys(FILES)) {
      const r = await post(new Uint8Array(await readFile(sharedPath('dicom', f))), '?include=patient');
      statuses.push(r.status);
    }
    const ours = await post(synthetic, '?include=patient,image');
    assert.equal(ours.status, 200);
    assert.equal(ours.json.patient.id, 'PID-7741-XQ', 'asked for: the reply has the ID; the log must not');
    assert.ok(ours.json.screened && ours.json.gradcam.png.length > 1000, 'screened with a Grad-CAM');
    statuses.push((await post(synthetic.subarray(0, 3000))).status); // truncated: a refusal
    // the GDCM chest records no age, which this model fuses: 422 (the page asks for it); the rest answer 200
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200, 200, 422, 200, 400]);

    // SIGTERM with a screen in flight: it is answered, then the process exits 0
    const inFlight = post(new Uint8Array(await readFile(sharedPath('dicom', 'nema-wg04/RG1_JLSN'))));
    await new Promise((r) => setTimeout(r, 150));
    child.kill('SIGTERM');
    assert.equal((await inFlight).status, 200);
    assert.equal(await exited, 0, output);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
  }

  const leaked = identifiers.filter((id) => output.includes(id));
  assert.deepEqual(leaked, [], `identifiers in the service's output:\n${output}`);
  const lines = output.split('\n').filter(Boolean);
  const entries = lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(entries.filter((e) => e['route'] === '/v1/screen').length, 12, output);
  const allowed = [
    'time',
    'requestId',
    'method',
    'route',
    'status',
    'durationMs',
    'bytesIn',
    'outcome',
    'code',
    'sop',
    'study',
    'cardId',
  ];
  for (const e of entries) for (const k of Object.keys(e)) assert.ok(allowed.includes(k), `log field ${k}`);
  assert.ok(entries.every((e) => e['sop'] === undefined || /^[0-9a-f]{16}$/.test(String(e['sop']))));
  console.log(
    `# ${lines.length} lines printed, ${entries.length} access-log entries, ${identifiers.length} identifiers: none found`,
  );

  const written = [...(await readdir(home, { recursive: true })), ...(await readdir(temp, { recursive: true }))];
  assert.deepEqual(written, [], `files written under HOME or TMPDIR: ${written.join(', ')}`);
  await rm(home, { recursive: true, force: true });
  await rm(temp, { recursive: true, force: true });
  await rm(modelDir, { recursive: true, force: true });
});
