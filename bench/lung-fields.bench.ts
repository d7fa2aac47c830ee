// How often the lung-field check (checkLungFields, @cxrkit/gradcam/tfjs-free) finds two lung fields:
// in the real chest DICOMs and the single-frame grayscale non-chest DICOMs of the shared data, in the 185
// COVID-19 PA radiographs and in the 1,000 NIH 64-px thumbnails (PA and AP). The service's intended-use
// gate refuses a CR/DX file without Body Part Examined when it finds none; these are the figures quoted in
// lung-fields.ts. Writes bench-output/lung-fields.json.
//
//   npm run bench -- --filter lung-fields
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readDicom, readImageFile } from '@cxrkit/core/tfjs-free';
import { checkLungFields } from '@cxrkit/gradcam/tfjs-free';

const root = fileURLToPath(new URL('..', import.meta.url));
const data = process.env.CXRKIT_DATA ?? join(root, '..', 'shared', 'data');
const files: string[] = [];
const walk = (d: string) => {
  for (const e of readdirSync(d)) {
    const p = join(d, e);
    if (statSync(p).isDirectory()) walk(p);
    else files.push(p);
  }
};
walk(join(data, 'dicom'));

let chests = 0;
let chestsFound = 0;
const nonChestsFound: string[] = [];
let nonChests = 0;
let ms = 0;
for (const f of files.sort()) {
  let d: Awaited<ReturnType<typeof readDicom>>;
  try {
    d = await readDicom(f);
  } catch {
    continue;
  }
  if (d.frames !== 1 || d.samplesPerPixel !== 1 || !d.photometric.startsWith('MONO')) continue;
  if (Math.min(d.rows, d.columns) < 128) continue;
  // a chest: the header says so (CR/DX, CHEST), or it is the NIH DX chest whose header has no body part
  const chest =
    (/CHEST/.test(d.meta.bodyPart ?? '') && /^(CR|DX)$/.test(d.meta.modality ?? '') && !/Fake_MONO/.test(f)) ||
    /nhsx-nccid-testdata\/1\.3\.6/.test(f);
  const gray = d.grayscale(0);
  const t0 = performance.now();
  const r = checkLungFields(gray);
  ms += performance.now() - t0;
  if (chest) {
    chests++;
    if (r.found) chestsFound++;
  } else {
    nonChests++;
    if (r.found) nonChestsFound.push(f);
  }
}

const covidDir = join(data, 'cxr', 'covid-pa', 'images');
let covid = 0;
let covidFound = 0;
for (const f of readdirSync(covidDir)) {
  covid++;
  if (checkLungFields(await readImageFile(join(covidDir, f))).found) covidFound++;
}
const nihDir = join(data, 'cxr', 'nih-thumbs64');
const nih = { PA: [0, 0], AP: [0, 0] } as Record<string, [number, number]>;
for (const line of readFileSync(join(nihDir, 'labels.csv'), 'utf8').trim().split('\n').slice(1)) {
  const cols = line.split(',');
  const view = nih[cols[5]!] ?? [0, 0];
  view[0]++;
  if (checkLungFields(await readImageFile(join(nihDir, cols[0]!))).found) view[1]++;
}

const result = {
  dicomChests: { n: chests, found: chestsFound },
  dicomNonChests: { n: nonChests, found: nonChestsFound.length, files: nonChestsFound },
  covidPa: { n: covid, found: covidFound },
  nihThumbs64: { PA: { n: nih.PA![0], found: nih.PA![1] }, AP: { n: nih.AP![0], found: nih.AP![1] } },
  meanMsPerDicom: ms / (chests + nonChests),
};
console.table({
  'DICOM chests': `${chestsFound}/${chests}`,
  'DICOM non-chests (false finds)': `${nonChestsFound.length}/${nonChests}`,
  'COVID-19 PA (JPEG/PNG)': `${covidFound}/${covid}`,
  'NIH 64 px, PA': `${nih.PA![1]}/${nih.PA![0]}`,
  'NIH 64 px, AP': `${nih.AP![1]}/${nih.AP![0]}`,
  'ms per DICOM (mean)': result.meanMsPerDicom.toFixed(0),
});
mkdirSync(join(root, 'bench-output'), { recursive: true });
writeFileSync(join(root, 'bench-output', 'lung-fields.json'), `${JSON.stringify(result, null, 2)}\n`);
