// The onnxruntime-web example's three defects of issue 14, fixed and checked:
// - export-model.ts exports the trained model folder it is given (same card, same outputs as the tfjs model),
//   not random weights;
// - serve.mjs listens on 127.0.0.1 only (a connection to another interface of this machine is refused);
// - the page takes DICOM files: decoded by cxrkit's reader in the bundle and prepared by the service's own
//   prepareDicom (gate included) — bit-equal inputs to the service's in Node, a CT not screened — and, in
//   headless Chromium when it is installed, a chest DICOM picked in the file input is screened on the page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as ort from 'onnxruntime-node';
import { createTfjsPredictor, loadModelWithCard } from '@cxrkit/models';
import type { ModelCard } from '@cxrkit/models/card';
import { readOnnxInfo } from '@cxrkit/onnx';
import { prepareDicom } from '@cxrkit/serve';
import { writeTestModel } from '../packages/serve/src/testing/test-model.js';
import { sharedPath, repoRoot, testOutputDir } from './helpers.js';

const example = join(repoRoot, 'examples', 'onnx-browser');
const NIH = sharedPath(
  'dicom',
  'nhsx-nccid-testdata',
  '1.3.6.1.4.1.11129.5.5.110503645592756492463169821050252582267888.dcm',
);
const CT = sharedPath('dicom', 'nema-wg04', 'CT1_UNC');
const JPEG = sharedPath('dicom', 'torchxrayvision-tests', '1.2.276.0.7230010.3.1.4.8323329.6904.1517875201.850819.dcm');
const skip = [NIH, CT, JPEG].every(existsSync) ? false : 'shared data missing (set CXRKIT_DATA)';
const dir = testOutputDir(`onnx-browser-${process.pid}`);
const onnxPath = join(dir, 'exported.onnx');
let card: ModelCard;

interface Browser {
  cardFromOnnx(bytes: Uint8Array): ModelCard;
  isDicom(bytes: Uint8Array, name?: string): boolean;
  screenDicomBytes(
    o: typeof ort,
    s: ort.InferenceSession,
    card: ModelCard,
    bytes: Uint8Array,
  ): Promise<{
    prepared: { verdict: { screened: boolean; reasons: string[] }; inputs?: Record<string, { data: Float32Array }> };
    result?: { score: number };
  }>;
}

before(async () => {
  await writeTestModel(dir);
  // the example's exporter, on the trained (here: seeded) model folder
  const r = spawnSync(
    process.execPath,
    ['--conditions=cxrkit-source', '--import', 'tsx', join(example, 'export-model.ts'), dir, '--out', onnxPath],
    { cwd: repoRoot, encoding: 'utf8', timeout: 300_000 },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /exported the trained model in/);
  card = readOnnxInfo(new Uint8Array(await readFile(onnxPath))).card!;
});
after(() => rm(dir, { recursive: true, force: true }));

test('export-model.ts exports the model folder it is given: its card, its outputs', async () => {
  const { model, card: folderCard } = await loadModelWithCard(dir);
  assert.equal(card.id, folderCard.id);
  const session = await ort.InferenceSession.create(await readFile(onnxPath), { intraOpNumThreads: 1 });
  const size = folderCard.architecture.inputSize;
  const image = Float32Array.from({ length: size * size }, (_, i) => Math.cos(i / 53));
  const feeds = {
    image: new ort.Tensor('float32', image, [1, size, size, 1]),
    age: new ort.Tensor('float32', Float32Array.of(0.66), [1, 1]),
    sex: new ort.Tensor('float32', Float32Array.of(0), [1, 1]),
  };
  const viaOnnx = (await session.run(feeds))[session.outputNames[0]!]!.data as Float32Array;
  const viaTfjs = await createTfjsPredictor(model).predict({
    image: { data: image, shape: [1, size, size, 1] },
    age: { data: Float32Array.of(0.66), shape: [1, 1] },
    sex: { data: Float32Array.of(0), shape: [1, 1] },
  });
  assert.ok(Math.abs(viaOnnx[0]! - viaTfjs['head_output']!.data[0]!) < 1e-4, `${viaOnnx[0]} vs tfjs`);
  await session.release();
  model.dispose();
  const usage = spawnSync(
    process.execPath,
    ['--conditions=cxrkit-source', '--import', 'tsx', join(example, 'export-model.ts')],
    { cwd: repoRoot, encoding: 'utf8' },
  );
  assert.equal(usage.status, 2, 'no folder and no --untrained: usage, nothing written');
  assert.match(usage.stderr, /trained model folder/);
});

test('the page’s DICOM path is the service’s: same inputs bit for bit, the same gate', { skip }, async () => {
  const { buildCardBundle } = (await import(pathToFileURL(join(example, 'build-card.mjs')).href)) as {
    buildCardBundle(): Promise<unknown>;
  };
  await buildCardBundle();
  const browser = (await import(pathToFileURL(join(example, 'screening.mjs')).href)) as Browser;
  const bytes = new Uint8Array(await readFile(onnxPath));
  assert.deepEqual(browser.cardFromOnnx(bytes), card);
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
  const nih = new Uint8Array(await readFile(NIH));
  assert.equal(browser.isDicom(nih), true);
  assert.equal(browser.isDicom(new Uint8Array(200), 'chest.dcm'), true);
  assert.equal(browser.isDicom(new Uint8Array(200), 'chest.png'), false);
  const r = await browser.screenDicomBytes(ort, session, card, nih);
  assert.equal(r.prepared.verdict.screened, true);
  const service = await prepareDicom({ bytes: nih, card });
  for (const [name, b] of Object.entries(service.inputs!)) {
    assert.deepEqual(r.prepared.inputs![name]!.data, b.data, `input ${name}`);
  }
  assert.ok(r.result && r.result.score > 0 && r.result.score < 1);
  const ct = await browser.screenDicomBytes(ort, session, card, new Uint8Array(await readFile(CT)));
  assert.equal(ct.result, undefined);
  assert.ok(
    ct.prepared.verdict.reasons.some((x) => /This is a CT image/.test(x)),
    ct.prepared.verdict.reasons.join(),
  );
  await assert.rejects(
    browser.screenDicomBytes(ort, session, card, new Uint8Array(await readFile(JPEG))),
    (e: unknown) => (e as { code?: string }).code === 'DICOM_CODEC_NOT_INSTALLED',
    'the bundle carries no WASM codecs: a JPEG DICOM is refused with the code the page explains',
  );
  await session.release();
});

/** Starts serve.mjs on a free port; resolves its URL. */
async function startExample(extra: string[] = []) {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const child = spawn(process.execPath, [join(example, 'serve.mjs'), String(port), '--model', onnxPath, ...extra], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /on (http:\/\/\S+\/)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`serve.mjs exited with ${code}: ${out}`)));
  });
  return { child, url, port };
}

test('serve.mjs listens on 127.0.0.1 only', async () => {
  const { child, url, port } = await startExample();
  try {
    assert.equal(url, `http://127.0.0.1:${port}/`);
    assert.equal((await fetch(url)).status, 200);
    const other = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
    if (!other) return; // no other interface on this machine to try
    const refused = await new Promise<boolean>((resolve) => {
      const s = connect(port, other);
      s.once('connect', () => {
        s.destroy();
        resolve(false);
      });
      s.once('error', () => resolve(true));
    });
    assert.equal(refused, true, `a connection to ${other}:${port} was accepted`);
  } finally {
    child.kill();
  }
});

const chromium = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
let playwright: typeof import('playwright-core') | undefined;
try {
  playwright = await import('playwright-core');
} catch {
  playwright = undefined;
}
const noBrowser = !existsSync(chromium)
  ? `no Chromium at ${chromium} (Debian: apt-get install chromium)`
  : !playwright
    ? 'playwright-core is not installed'
    : skip;

test('in Chromium, a chest DICOM picked in the file input is screened on the page; a CT is not', {
  skip: noBrowser,
  timeout: 240_000,
}, async () => {
  const { child, url } = await startExample();
  const browser = await playwright!.chromium.launch({ executablePath: chromium, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage();
    await page.goto(url);
    await page.waitForFunction(() => document.body.dataset['done'] === 'yes', null, { timeout: 180_000 });
    assert.match((await page.getAttribute('#file', 'accept')) ?? '', /\.dcm/);
    for (const [file, expected] of [
      [NIH, /score 0\.\d{4} → (positive|negative) at threshold 0\.500 .*\(age 81, sex M\)/],
      [CT, /Not screened: This is a CT image/],
    ] as const) {
      const before = await page.textContent('#result');
      await page.setInputFiles('#file', file);
      await page.waitForFunction((b) => document.getElementById('result')!.textContent !== b, before, {
        timeout: 60_000,
      });
      assert.match((await page.textContent('#result')) ?? '', expected);
    }
    await mkdir(testOutputDir('onnx-browser'), { recursive: true });
    await page.screenshot({ path: join(testOutputDir('onnx-browser'), 'ct-not-screened.png') });
  } finally {
    await browser.close();
    child.kill();
  }
});
