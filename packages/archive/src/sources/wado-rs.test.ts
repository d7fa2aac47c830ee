// WADO-RS against a real DICOMweb server: Debian's Orthanc with its DICOMweb plugin, started here on free
// loopback ports. The instances screened from their URLs give the same records (UIDs, scores) as the same
// files screened from disk; a URL that does not exist is recorded with ARCHIVE_FETCH_FAILED and the run goes on.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { readDicom } from '@cxrkit/core/tfjs-free';
import { createOnnxPredictor } from '@cxrkit/onnx';
import type { PredictorFactory, ScreeningPredictor } from '../pipeline/predictor.js';
import { screenArchive } from '../screen-archive.js';
import { writeSyntheticDicoms, writeTestModel } from '../test-fixtures.js';
import type { ErrorRecord, ScreenRecord } from '../types.js';
import { fetchWadoRsInstance } from './wado-rs.js';

const orthancBin = '/usr/sbin/Orthanc';
const plugins = ['/usr/share/orthanc/plugins', '/usr/lib/orthanc'].find((d) =>
  existsSync(join(d, 'libOrthancDicomWeb.so')),
);
const skip =
  existsSync(orthancBin) && plugins
    ? false
    : 'Orthanc with its DICOMweb plugin is not installed (Debian: orthanc orthanc-dicomweb)';

const root = await mkdtemp(join(tmpdir(), 'cxrkit-wado-'));
let orthanc: ChildProcess | undefined;
let base = '';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

const lines = async <T>(file: string): Promise<T[]> =>
  (await readFile(file, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as T);

const onnx: PredictorFactory = async ({ modelDir, batchSize }) =>
  (await createOnnxPredictor(join(modelDir, 'model.onnx'), {
    load: () => ort,
    batchSize,
    threads: 1,
  })) as ScreeningPredictor;

before(async () => {
  if (skip) return;
  const [http, dicom] = [await freePort(), await freePort()];
  const storage = join(root, 'orthanc');
  await mkdir(storage, { recursive: true });
  const config = {
    Name: 'cxrkit-test',
    HttpPort: http,
    DicomPort: dicom,
    StorageDirectory: storage,
    IndexDirectory: storage,
    RemoteAccessAllowed: false,
    AuthenticationEnabled: false,
    Plugins: [plugins],
    DicomWeb: { Enable: true, Root: '/dicom-web/' },
  };
  await writeFile(join(root, 'orthanc.json'), JSON.stringify(config));
  orthanc = spawn(orthancBin, [join(root, 'orthanc.json')], { stdio: 'ignore' });
  base = `http://127.0.0.1:${http}`;
  const end = Date.now() + 30_000;
  for (;;) {
    const ok = await fetch(`${base}/system`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > end) throw new Error('Orthanc did not start');
    await new Promise((r) => setTimeout(r, 200));
  }
});
after(async () => {
  orthanc?.kill('SIGKILL');
  await rm(root, { recursive: true, force: true });
});

test('instances screened from WADO-RS URLs give the records of the same files read from disk', { skip }, async () => {
  const modelDir = join(root, 'model');
  await writeTestModel(modelDir, { size: 96, tfjs: false });
  const files = await writeSyntheticDicoms(join(root, 'dicoms'), 12, { size: 128 });
  const urls: string[] = [];
  for (const f of files) {
    const r = await fetch(`${base}/instances`, { method: 'POST', body: await readFile(f) });
    assert.ok(r.ok, `upload to Orthanc: HTTP ${r.status}`);
    const m = (await readDicom(f)).meta;
    urls.push(
      `${base}/dicom-web/studies/${m.studyInstanceUid}/series/${m.seriesInstanceUid}/instances/${m.sopInstanceUid}`,
    );
  }
  // the bytes come back whole from the multipart answer
  const first = await fetchWadoRsInstance(urls[0]!);
  assert.equal((await readDicom(first)).meta.sopInstanceUid, (await readDicom(files[0]!)).meta.sopInstanceUid);

  const missing = `${base}/dicom-web/studies/1.2.3/series/4.5.6/instances/7.8.9`;
  const manifest = join(root, 'urls.txt');
  await writeFile(manifest, `${[...urls, missing].join('\n')}\n`);
  const viaWeb = join(root, 'out-web');
  const viaDisk = join(root, 'out-disk');
  await screenArchive({ inputs: [manifest], out: viaWeb, modelDir, createPredictor: onnx, workers: 2, batchSize: 4 });
  await screenArchive({ inputs: files, out: viaDisk, modelDir, createPredictor: onnx, workers: 1, batchSize: 4 });
  const web = await lines<ScreenRecord>(join(viaWeb, 'results.jsonl'));
  const disk = new Map((await lines<ScreenRecord>(join(viaDisk, 'results.jsonl'))).map((r) => [r.sopInstanceUID, r]));
  assert.equal(web.length, 12);
  for (const r of web) {
    assert.ok(r.path.startsWith(`${base}/dicom-web/`));
    const d = disk.get(r.sopInstanceUID)!;
    assert.ok(d, r.sopInstanceUID);
    assert.ok(Math.abs(r.score - d.score) <= 1e-6);
    assert.deepEqual(r.warnings, d.warnings);
  }
  const errors = await lines<ErrorRecord>(join(viaWeb, 'errors.jsonl'));
  assert.deepEqual(
    errors.map((e) => [e.path, e.code]),
    [[missing, 'ARCHIVE_FETCH_FAILED']],
  );
});
