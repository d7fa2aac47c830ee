// The clinic's DICOM network, end to end, with real components on loopback: Orthanc (Debian package, with
// its DICOMweb plugin) as the PACS, dcmtk's storescu as the modality, and two cxrkit services started as
// `npm run serve` starts them (examples/serve.ts) with a small seeded model saved with its card:
//   A: --dimse-port … --ae-title CXRKIT --forward dimse://ORTHANC@…  (C-STORE in, C-STORE out)
//   B: --forward http://…/dicom-web                                  (STOW-RS in, STOW-RS out)
// storescu → Orthanc → (REST /modalities/cxrkit/store | DICOMweb /dicom-web/servers/cxrkit/stow) → cxrkit →
// SR (+ SC) → Orthanc; the test finds them in the source's study through Orthanc's QIDO-RS and REST, checks the
// references and the score (against the model run here, in this process), and dciodvfy's verdict on what
// Orthanc stored. A CT sent the same way gets an SR that says "not screened", and no SC.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { createRng, readDicom } from '@cxrkit/core';
import { buildScreeningModel, createTfjsPredictor, loadModelWithCard, saveModel } from '@cxrkit/models';
import { modelInputs, type ModelCardInput } from '@cxrkit/models/card';
import { dciodvfy, PY_SR_TREE, pydicomJson, skipDciodvfy, skipPydicom } from '../packages/dicom-net/src/test-tools.js';
import { sharedPath, repoRoot } from './helpers.js';

const ORTHANC = '/usr/sbin/Orthanc';
const DICOMWEB_PLUGIN = '/usr/share/orthanc/plugins/libOrthancDicomWeb.so';
const run = promisify(execFile);
const has = (cmd: string) => spawnSync(cmd, ['--version'], { stdio: 'ignore' }).error === undefined;
const files = {
  cr: sharedPath('dicom', 'torchxrayvision-tests', '1.2.276.0.7230010.3.1.4.8323329.6904.1517875201.850819.dcm'),
  dx: sharedPath(
    'dicom',
    'nhsx-nccid-testdata',
    '1.3.6.1.4.1.11129.5.5.110503645592756492463169821050252582267888.dcm',
  ),
  ct: sharedPath('dicom', 'nema-wg04', 'CT1_UNC'),
};
const skip = !existsSync(ORTHANC)
  ? `needs Orthanc (${ORTHANC}, Debian package orthanc)`
  : !existsSync(DICOMWEB_PLUGIN)
    ? `needs the Orthanc DICOMweb plugin (${DICOMWEB_PLUGIN}, Debian package orthanc-dicomweb)`
    : !has('storescu')
      ? 'needs storescu (Debian package dcmtk)'
      : Object.values(files).some((f) => !existsSync(f))
        ? 'the shared DICOM files are missing (set CXRKIT_DATA)'
        : skipPydicom || skipDciodvfy || false;

const SIZE = 64;
const cardInput: ModelCardInput = {
  name: 'network_test_osteoporosis',
  architecture: { backbone: 'resnet50', widthMultiplier: 1 / 16, inputSize: SIZE, channels: 1 },
  preprocessing: { normalize: 'zscore' },
  fusion: [
    { input: 'age', source: 'age', scale: 0.01 },
    { input: 'sex', source: 'sex', codes: { F: 0, M: 1 } },
  ],
  task: { kind: 'binary', condition: 'osteoporosis', positive: 'lowest T-score ≤ −2.5: refer for DXA' },
  threshold: { value: 0.5, rule: { method: 'fixed' } },
  trainingData: { source: 'none (untrained, seeded test model)', synthetic: true, counts: { train: 0 } },
};

/** The seeded screening model (same weights on every run), saved with its card. */
async function saveSeededModel(dir: string): Promise<void> {
  const model = buildScreeningModel({
    backbone: 'resnet50',
    inputShape: [SIZE, SIZE, 1],
    backboneOptions: { widthMultiplier: 1 / 16 },
    task: 'binary',
    fusion: ['age', 'sex'],
  });
  const rng = createRng(14);
  for (const w of model.weights) {
    const shape = w.shape as number[];
    if (!/kernel/.test(w.originalName)) continue;
    const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
    const limit = Math.sqrt(6 / (receptive * (shape.at(-2)! + shape.at(-1)!)));
    const n = shape.reduce((a, b) => a * b, 1);
    tf.tidy(
      () =>
        void w.write(
          tf.tensor(
            Float32Array.from({ length: n }, () => rng.uniform(-limit, limit)),
            shape,
          ),
        ),
    );
  }
  await saveModel(model, dir, { card: cardInput });
  model.dispose();
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** A child process whose output is kept; resolves when a line matches `ready`. */
function start(cmd: string, args: string[], ready: RegExp, env: NodeJS.ProcessEnv = process.env) {
  const child = spawn(cmd, args, { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: string[] = [];
  const up = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${cmd} did not start:\n${out.join('')}`)), 120_000);
    const onData = (d: Buffer) => {
      out.push(d.toString());
      if (ready.test(out.join(''))) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${cmd} exited (${code}):\n${out.join('')}`)));
  });
  return { child, out, up };
}

let dir = '';
let orthanc: ReturnType<typeof start> | undefined;
const services: ReturnType<typeof start>[] = [];
const ports = { http: 0, dicom: 0, aHttp: 0, aDimse: 0, bHttp: 0 };
let base = '';
let expectedScore = 0;

const api = async (path: string, init?: RequestInit) => {
  const r = await fetch(`${base}${path}`, init);
  if (!r.ok) throw new Error(`${init?.method ?? 'GET'} ${path}: ${r.status} ${await r.text()}`);
  return r;
};
const json = async <T>(path: string, init?: RequestInit) => (await (await api(path, init)).json()) as T;
const post = (path: string, body: unknown) =>
  json<unknown>(path, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'cxrkit-network-'));
  const modelDir = join(dir, 'model');
  await saveSeededModel(modelDir);
  // the score the service must report for the CR, computed here with the same model and card
  const loaded = await loadModelWithCard(modelDir);
  const predictor = createTfjsPredictor(loaded.model);
  const image = await readDicom(files.cr);
  const out = await predictor.predict(modelInputs(image.grayscale(0), image.meta, loaded.card));
  expectedScore = out[predictor.outputNames[0]!]!.data[0]!;
  predictor.dispose();

  for (const k of Object.keys(ports) as (keyof typeof ports)[]) ports[k] = await freePort();
  base = `http://127.0.0.1:${ports.http}`;
  const config = {
    Name: 'cxrkit-test-pacs',
    StorageDirectory: join(dir, 'orthanc-db'),
    IndexDirectory: join(dir, 'orthanc-db'),
    HttpPort: ports.http,
    DicomPort: ports.dicom,
    DicomAet: 'ORTHANC',
    RemoteAccessAllowed: false,
    AuthenticationEnabled: false,
    HttpServerEnabled: true,
    DicomServerEnabled: true,
    StorageCompression: false,
    SaveJobs: false,
    Plugins: [DICOMWEB_PLUGIN],
    DicomWeb: { Enable: true, Root: '/dicom-web/' },
  };
  writeFileSync(join(dir, 'orthanc.json'), JSON.stringify(config));
  orthanc = start(ORTHANC, [join(dir, 'orthanc.json')], /Orthanc has started/);
  await orthanc.up;

  const serve = (args: string[], ready: RegExp) =>
    start(
      process.execPath,
      ['--conditions=cxrkit-source', '--import', 'tsx', 'examples/serve.ts', '--model', modelDir, ...args],
      ready,
      {
        ...process.env,
        CXRKIT_BACKEND: 'cpu',
      },
    );
  const a = serve(
    [
      '--port',
      String(ports.aHttp),
      '--dimse-port',
      String(ports.aDimse),
      '--ae-title',
      'CXRKIT',
      '--forward',
      `dimse://ORTHANC@127.0.0.1:${ports.dicom}`,
    ],
    /C-STORE SCP CXRKIT/,
  );
  const b = serve(
    ['--port', String(ports.bHttp), '--forward', `http://127.0.0.1:${ports.http}/dicom-web`],
    /STOW-RS at/,
  );
  services.push(a, b);
  await Promise.all([a.up, b.up]);
  await api('/modalities/cxrkit', {
    method: 'PUT',
    body: JSON.stringify({ AET: 'CXRKIT', Host: '127.0.0.1', Port: ports.aDimse }),
  });
  await api('/dicom-web/servers/cxrkit', {
    method: 'PUT',
    body: JSON.stringify({ Url: `http://127.0.0.1:${ports.bHttp}/dicomweb/` }),
  });
});

after(async () => {
  for (const p of [...services, orthanc]) {
    if (p && p.child.exitCode === null) {
      const exited = new Promise((r) => p.child.once('exit', r));
      p.child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (p.child.exitCode === null) p.child.kill('SIGKILL');
    }
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const PY_IDS = `
import json, sys, pydicom
ds = pydicom.dcmread(sys.argv[1], stop_before_pixels=True)
print(json.dumps({'study': ds.StudyInstanceUID, 'series': ds.SeriesInstanceUID, 'sop': ds.SOPInstanceUID,
  'sopClass': ds.SOPClassUID, 'name': str(ds.get('PatientName', '')), 'id': str(ds.get('PatientID', '')),
  'birth': str(ds.get('PatientBirthDate', ''))}))`;
type Ids = { study: string; series: string; sop: string; sopClass: string; name: string; id: string; birth: string };
const ids = (path: string) => pydicomJson<Ids>(new Uint8Array(readFileSync(path)), PY_IDS);

/** Sends a file to Orthanc with dcmtk's storescu (the modality); returns Orthanc's instance id. */
async function modalitySends(path: string): Promise<string> {
  await run('storescu', ['-xy', '-aec', 'ORTHANC', '127.0.0.1', String(ports.dicom), path]);
  const found = await post('/tools/find', { Level: 'Instance', Query: { SOPInstanceUID: ids(path).sop } });
  assert.equal((found as string[]).length, 1);
  return (found as string[])[0]!;
}

/** Polls QIDO-RS for the study's instances until `done` says so (or 90 s pass). */
async function instancesOf(study: string, done: (modalities: string[]) => boolean) {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const list = await json<Record<string, { Value?: string[] }>[]>(
      `/dicom-web/studies/${study}/instances?includefield=00080060`,
    );
    const modalities = list.map((i) => i['00080060']?.Value?.[0] ?? '');
    if (done(modalities) || Date.now() > deadline) return list;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The stored file of the study's instance with this modality (via Orthanc's REST API). */
async function fileOf(study: string, sopInstanceUid: string): Promise<Uint8Array> {
  const found = (await post('/tools/find', {
    Level: 'Instance',
    Query: { StudyInstanceUID: study, SOPInstanceUID: sopInstanceUid },
  })) as string[];
  return new Uint8Array(await (await api(`/instances/${found[0]}/file`)).arrayBuffer());
}

type Node = { concept: string[] | null; value?: unknown; children: Node[] };
const find = (n: Node, code: string): Node[] =>
  (n.concept?.[0] === code ? [n] : []).concat(n.children.flatMap((c) => find(c, code)));
const sopOf = (i: Record<string, { Value?: string[] }>) => i['00080018']!.Value![0]!;
const modalityOf = (i: Record<string, { Value?: string[] }>) => i['00080060']?.Value?.[0];

test('C-STORE round trip: modality → Orthanc → cxrkit (C-STORE SCP) → SR + SC back in the same study', {
  skip,
}, async (t) => {
  const src = ids(files.cr);
  const t0 = performance.now();
  const id = await modalitySends(files.cr);
  const t1 = performance.now();
  await post('/modalities/cxrkit/store', { Resources: [id], Synchronous: true });
  const t2 = performance.now();
  const list = await instancesOf(src.study, (m) => m.includes('SR') && m.includes('OT'));
  const t3 = performance.now();
  t.diagnostic(
    `storescu → Orthanc ${(t1 - t0).toFixed(0)} ms; Orthanc C-STORE to cxrkit ${(t2 - t1).toFixed(0)} ms; ` +
      `until SR + SC stored back ${(t3 - t2).toFixed(0)} ms`,
  );
  const sr = list.find((i) => modalityOf(i) === 'SR');
  const sc = list.find((i) => modalityOf(i) === 'OT');
  assert.ok(sr && sc, `SR and SC in the study: ${list.map(modalityOf).join(', ')}`);
  const srFile = await fileOf(src.study, sopOf(sr));
  const scFile = await fileOf(src.study, sopOf(sc));
  for (const f of [srFile, scFile]) assert.deepEqual(dciodvfy(f).errors, []);
  const tree = pydicomJson<{ study: string; patientId: string; evidence: string[]; root: Node }>(srFile, PY_SR_TREE);
  assert.deepEqual(tree.evidence, [src.study, src.series, src.sop]);
  assert.deepEqual(find(tree.root, '260753009')[0]!.value, [src.sopClass, src.sop]);
  assert.equal(tree.patientId, src.id);
  const score = find(tree.root, 'SCORE')[0]!.value as number;
  assert.ok(Math.abs(score - expectedScore) < 1e-6, `SR score ${score} vs the model here ${expectedScore}`);
  assert.deepEqual(
    find(tree.root, 'REFER_DXA')[0]!.value,
    expectedScore >= 0.5 ? ['373066001', 'SCT', 'Yes'] : ['373067005', 'SCT', 'No'],
  );
  const scRef = pydicomJson<{ src: string }>(
    scFile,
    `import json, sys, pydicom\nds = pydicom.dcmread(sys.argv[1], stop_before_pixels=True)\nprint(json.dumps({'src': ds.SourceImageSequence[0].ReferencedSOPInstanceUID}))`,
  );
  assert.equal(scRef.src, src.sop);
});

test('STOW-RS round trip: Orthanc → cxrkit (POST /dicomweb/studies) → SR + SC by STOW-RS; a CT gets a not-screened SR only', {
  skip,
}, async (t) => {
  const dx = ids(files.dx);
  const ct = ids(files.ct);
  const dxId = await modalitySends(files.dx);
  const ctId = await modalitySends(files.ct);
  const t0 = performance.now();
  await post('/dicom-web/servers/cxrkit/stow', { Resources: [dxId, ctId], Synchronous: true });
  const t1 = performance.now();
  const dxList = await instancesOf(dx.study, (m) => m.includes('SR') && m.includes('OT'));
  const ctList = await instancesOf(ct.study, (m) => m.includes('SR'));
  const t2 = performance.now();
  t.diagnostic(
    `Orthanc STOW-RS to cxrkit ${(t1 - t0).toFixed(0)} ms; until both studies have their results ${(t2 - t1).toFixed(0)} ms`,
  );
  assert.deepEqual(dxList.map(modalityOf).sort(), ['DX', 'OT', 'SR']);
  assert.deepEqual(ctList.map(modalityOf).sort(), ['CT', 'SR']); // no SC for an image that was not screened
  const ctSr = await fileOf(ct.study, sopOf(ctList.find((i) => modalityOf(i) === 'SR')!));
  assert.deepEqual(dciodvfy(ctSr).errors, []);
  const tree = pydicomJson<{ evidence: string[]; root: Node }>(ctSr, PY_SR_TREE);
  assert.deepEqual(tree.evidence, [ct.study, ct.series, ct.sop]);
  assert.deepEqual(find(tree.root, 'SCREENED')[0]!.value, ['373067005', 'SCT', 'No']);
  assert.match(
    find(tree.root, 'NOT_SCREENED_WHY')[0]!.value as string,
    /This is a CT image, not a CR or DX radiograph/,
  );
  const dxSr = await fileOf(dx.study, sopOf(dxList.find((i) => modalityOf(i) === 'SR')!));
  assert.deepEqual(dciodvfy(dxSr).errors, []);
  assert.equal(typeof find(pydicomJson<{ root: Node }>(dxSr, PY_SR_TREE).root, 'SCORE')[0]!.value, 'number');
});

test('the services’ logs hold no patient name, ID or birth date, and no UID in the clear', { skip }, () => {
  const log = services.flatMap((s) => s.out).join('');
  assert.match(log, /"type":"forwarded"/);
  for (const f of Object.values(files)) {
    const p = ids(f);
    const secrets = [p.id, p.birth, p.study, p.sop, ...p.name.split('^')].filter((s) => s && s.length >= 4);
    for (const s of secrets) assert.ok(!log.includes(s), `a service log holds ${s}`);
  }
});
