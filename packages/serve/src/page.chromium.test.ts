// The upload page in a real browser (Debian's headless Chromium through playwright-core): a clinician uploads a
// DICOM and sees the result, the radiograph and its Grad-CAM; a CT is "not screened" with the reasons; a file
// that is not DICOM, a reply that is not JSON and a network failure are explained in words, and the button
// comes back. Screenshots go to test-output/serve-page/ for people to look at.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTfjsPredictor, loadModelWithCard } from '@cxrkit/models';
import { sharedPath, testOutputDir } from '../../../test/helpers.js';
import { createGradCamExplainer } from '@cxrkit/gradcam';
import { startScreeningServer, type RunningService } from './index.js';
import { writeTestModel } from './testing/test-model.js';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const NIH = sharedPath(
  'dicom',
  'nhsx-nccid-testdata',
  '1.3.6.1.4.1.11129.5.5.110503645592756492463169821050252582267888.dcm',
);
const CT = sharedPath('dicom', 'nema-wg04', 'CT1_UNC');
type Playwright = typeof import('playwright-core');
let playwright: Playwright | undefined;
try {
  playwright = await import('playwright-core');
} catch {
  playwright = undefined;
}
const skip = !existsSync(CHROMIUM)
  ? `no Chromium at ${CHROMIUM} (Debian: apt-get install chromium; or set CHROMIUM_PATH)`
  : !playwright
    ? 'playwright-core is not installed (npm install)'
    : !existsSync(NIH) || !existsSync(CT)
      ? 'shared data missing (set CXRKIT_DATA)'
      : false;

const out = testOutputDir('serve-page');
const modelDir = testOutputDir(`serve-page-model-${process.pid}`);
let server: RunningService;
let browser: Awaited<ReturnType<Playwright['chromium']['launch']>>;

before(async () => {
  if (skip) return;
  await writeTestModel(modelDir);
  const { model, card } = await loadModelWithCard(modelDir);
  server = await startScreeningServer({
    predictor: createTfjsPredictor(model),
    card,
    explainer: createGradCamExplainer(model, card),
    port: 0,
  });
  browser = await playwright!.chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  await mkdir(out, { recursive: true });
});
after(async () => {
  await browser?.close();
  await server?.close();
  await rm(modelDir, { recursive: true, force: true });
});

test('upload a chest DICOM: the result, the radiograph and its Grad-CAM appear', {
  skip,
  timeout: 180_000,
}, async () => {
  const page = await browser.newPage({ viewport: { width: 1100, height: 1000 } });
  await page.goto(server.url);
  await page.setInputFiles('#file', NIH);
  const clicked = page.click('#go');
  await page.waitForSelector('body[data-state="screening"]');
  assert.equal(await page.isDisabled('#go'), true, 'the button is disabled while a screen runs');
  await clicked;
  await page.waitForSelector('body[data-state="done"]', { timeout: 120_000 });
  const heading = await page.textContent('#result h2');
  assert.match(heading ?? '', /(High|Low) risk of osteoporosis on screening/);
  assert.match((await page.textContent('#result')) ?? '', /Score 0\.\d{3} \(threshold 0\.500\).*Age 81 · sex M/s);
  for (const id of ['#preview img', '#overlay img']) {
    await page.waitForFunction((sel) => {
      const img = document.querySelector(sel) as HTMLImageElement | null;
      return img?.complete && img.naturalWidth > 0;
    }, id);
    assert.equal(await page.$eval(id, (img) => (img as HTMLImageElement).naturalWidth), 512, id);
  }
  assert.match((await page.textContent('#overlay figcaption')) ?? '', /Grad-CAM.*9 layers averaged/);
  assert.equal(await page.isDisabled('#go'), false);
  await page.screenshot({ path: join(out, 'screened.png'), fullPage: true });
  await page.close();
});

test('a CT slice is not screened, with the reasons; no score is shown', { skip, timeout: 120_000 }, async () => {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  await page.goto(server.url);
  await page.setInputFiles('#file', CT);
  await page.click('#go');
  await page.waitForSelector('body[data-state="done"]', { timeout: 60_000 });
  const text = (await page.textContent('#result')) ?? '';
  assert.match(text, /Not screened/);
  assert.match(text, /This is a CT image, not a CR or DX radiograph/);
  assert.doesNotMatch(text, /Score|risk of|DXA/);
  await page.screenshot({ path: join(out, 'not-screened.png'), fullPage: true });
  await page.close();
});

test('errors are shown in words and the page never hangs', { skip, timeout: 120_000 }, async () => {
  const page = await browser.newPage();
  await page.goto(server.url);
  const notDicom = join(out, 'notes.txt');
  await writeFile(notDicom, 'not a radiograph, just some notes '.repeat(20));
  const errorText = async () => {
    await page.waitForSelector('body[data-state="error"]', { timeout: 60_000 });
    assert.equal(await page.isDisabled('#go'), false, 'the button is back');
    return (await page.textContent('#result')) ?? '';
  };
  await page.setInputFiles('#file', notDicom);
  await page.click('#go');
  const refused = await errorText();
  assert.match(refused, /not a DICOM image/);
  assert.doesNotMatch(refused, /maxPixels|readDicom|DICOM_NOT_DICOM|option/, 'no developer words');

  // a proxy answering with an HTML error page, then no network at all
  await page.route('**/v1/screen*', (route) =>
    route.fulfill({ status: 502, contentType: 'text/html', body: '<h1>502 Bad Gateway</h1>' }),
  );
  await page.setInputFiles('#file', NIH);
  await page.click('#go');
  assert.match(await errorText(), /unexpected answer \(status 502\)/);
  await page.unroute('**/v1/screen*');
  await page.route('**/v1/screen*', (route) => route.abort('connectionrefused'));
  await page.click('#go');
  assert.match(await errorText(), /could not be reached/);
  await page.screenshot({ path: join(out, 'network-error.png'), fullPage: true });
  await page.close();
});
