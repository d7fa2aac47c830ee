// DICOM → float pixels per second: readDicom (parse + codec) and grayscale() (modality LUT, range
// mapping, MONOCHROME1 inversion) for the NEMA RG1 chest (CR, 1955×1841, 15-bit; only its JPEG 2000
// lossy and JPEG-LS near-lossless versions exist) and the 1024² DX chest of nhsx-nccid-testdata
// (implicit VR little endian, 8-bit), plus a few other syntaxes for comparison. Median of --reps runs
// after one warm-up (codec instantiation excluded from the median, reported separately).
//
//   npm run bench -- --filter dicom [--reps 7]
//
// No tfjs backend is involved. Timings are noisy when other jobs share the 2 cores: the load average
// is printed with the table.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { readDicom } from '@cxrkit/core';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const reps = Number(arg('reps', '7'));
const root = fileURLToPath(new URL('..', import.meta.url));
const data = process.env.CXRKIT_DATA ?? join(root, '..', 'shared', 'data');

const CASES = [
  { label: 'RG1 chest CR, JPEG 2000 lossy', file: 'dicom/nema-wg04/RG1_J2KI' },
  { label: 'RG1 chest CR, JPEG-LS near-lossless', file: 'dicom/nema-wg04/RG1_JLSN' },
  { label: 'DX chest 1024², uncompressed', file: 'dicom/nhsx-nccid-testdata/1.3.6.1.4.1.11129.5.5.110503645592756492463169821050252582267888.dcm' },
  { label: 'CR chest 1024², JPEG baseline', file: 'dicom/torchxrayvision-tests/1.2.276.0.7230010.3.1.4.8323329.6904.1517875201.850819.dcm' },
  { label: 'RG2 hip CR 2140×1760, JPEG lossless', file: 'dicom/nema-wg04/RG2_JPLL' },
  { label: 'RG2 hip CR 2140×1760, RLE', file: 'dicom/nema-wg04/RG2_RLE' },
  { label: 'RG2 hip CR 2140×1760, JPEG 2000 lossless', file: 'dicom/nema-wg04/RG2_J2KR' },
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

const rows: Record<string, unknown>[] = [];
for (const c of CASES) {
  const bytes = new Uint8Array(readFileSync(join(data, c.file)));
  let t = performance.now();
  const first = await readDicom(bytes);
  first.grayscale();
  const firstMs = performance.now() - t;
  const total: number[] = [];
  const parse: number[] = [];
  for (let r = 0; r < reps; r++) {
    t = performance.now();
    const im = await readDicom(bytes);
    const t1 = performance.now();
    im.grayscale();
    const t2 = performance.now();
    parse.push(t1 - t);
    total.push(t2 - t);
  }
  const ms = median(total);
  const px = first.rows * first.columns;
  rows.push({
    case: c.label,
    size: `${first.columns}×${first.rows}`,
    transferSyntax: first.transferSyntax,
    'first ms (incl. codec load)': Number(firstMs.toFixed(1)),
    'median ms': Number(ms.toFixed(1)),
    'parse ms': Number(median(parse).toFixed(1)),
    'images/s': Number((1000 / ms).toFixed(2)),
    'Mpixel/s': Number((px / ms / 1000).toFixed(1)),
  });
}
console.log(`reps ${reps}, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')} (2 cores; other jobs make numbers noisy)`);
console.table(rows);
mkdirSync(join(root, 'bench-output'), { recursive: true });
writeFileSync(join(root, 'bench-output', 'dicom.json'), JSON.stringify({ date: new Date().toISOString(), reps, loadavg: loadavg(), rows }, null, 2));
