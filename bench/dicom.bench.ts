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
//
// Then side by side with pydicom + GDCM (bench/decode-pydicom.py, Debian python3-pydicom / python3-gdcm)
// on the NEMA RG1 chest in three syntaxes: JPEG-LS near-lossless (RG1_JLSN), JPEG 2000 lossy (RG1_J2KI),
// and uncompressed (RG1_JLSN decompressed by dcmtk's dcmdjpls into a temporary folder, explicit and
// implicit VR little endian): bytes → stored pixel array, rounds alternating between the two sides, the
// ratio per syntax, and a check that both decoded the same pixels. The Python side (or the uncompressed
// files, without dcmtk) is skipped with the reason when missing.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg, tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { readDicom } from '@cxrkit/core';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const reps = Number(arg('reps', '7'));
const rounds = Number(arg('rounds', '3'));
const root = fileURLToPath(new URL('..', import.meta.url));
const data = process.env.CXRKIT_DATA ?? join(root, '..', 'shared', 'data');

const CASES = [
  { label: 'RG1 chest CR, JPEG 2000 lossy', file: 'dicom/nema-wg04/RG1_J2KI' },
  { label: 'RG1 chest CR, JPEG-LS near-lossless', file: 'dicom/nema-wg04/RG1_JLSN' },
  {
    label: 'DX chest 1024², uncompressed',
    file: 'dicom/nhsx-nccid-testdata/1.3.6.1.4.1.11129.5.5.110503645592756492463169821050252582267888.dcm',
  },
  {
    label: 'CR chest 1024², JPEG baseline',
    file: 'dicom/torchxrayvision-tests/1.2.276.0.7230010.3.1.4.8323329.6904.1517875201.850819.dcm',
  },
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
console.log(
  `reps ${reps}, load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')} (2 cores; other jobs make numbers noisy)`,
);
console.table(rows);

// ---- side by side with pydicom + GDCM on RG1 ----
const PY = '/usr/bin/python3';
const pyReason = !existsSync(PY)
  ? `${PY} not found (install Debian python3, python3-pydicom, python3-gdcm)`
  : spawnSync(PY, ['-c', 'import pydicom, gdcm, numpy'], { encoding: 'utf8' }).status !== 0
    ? `${PY} lacks pydicom, gdcm or numpy (install Debian python3-pydicom, python3-gdcm)`
    : undefined;
const tmp = mkdtempSync(join(tmpdir(), 'cxrkit-bench-dicom-'));
const rg1 = join(data, 'dicom', 'nema-wg04');
const SIDE: Array<{ label: string; path?: string; reason?: string }> = [
  { label: 'RG1 JPEG-LS near-lossless', path: join(rg1, 'RG1_JLSN') },
  { label: 'RG1 JPEG 2000 lossy', path: join(rg1, 'RG1_J2KI') },
];
for (const [flag, label] of [
  ['+te', 'RG1 uncompressed, explicit VR LE'],
  ['+ti', 'RG1 uncompressed, implicit VR LE'],
] as const) {
  const out = join(tmp, `RG1_${flag.slice(1).toUpperCase()}.dcm`);
  const r = spawnSync('dcmdjpls', [flag, join(rg1, 'RG1_JLSN'), out], { encoding: 'utf8' });
  SIDE.push(
    r.status === 0
      ? { label, path: out }
      : { label, reason: `dcmdjpls (Debian dcmtk) could not make it: ${r.error?.message ?? r.stderr}` },
  );
}
const sideRows: Record<string, unknown>[] = [];
let pyVersions: Record<string, string> | undefined;
try {
  const files = SIDE.filter((c) => c.path);
  const ours = new Map<string, number[]>(files.map((c) => [c.path!, []]));
  const theirs = new Map<string, number[]>(files.map((c) => [c.path!, []]));
  const sums = new Map<string, { ours: number; theirs?: number; syntax: string; handler?: string }>();
  for (const c of files) {
    const bytes = new Uint8Array(readFileSync(c.path!));
    const im = await readDicom(bytes); // warm-up: codec instantiation
    const px = im.storedPixels() as ArrayLike<number>;
    let sum = 0;
    for (let i = 0; i < px.length; i++) sum += px[i]!;
    sums.set(c.path!, { ours: sum, syntax: im.transferSyntaxName });
  }
  for (let r = 0; r < rounds; r++) {
    for (const c of files) {
      const bytes = new Uint8Array(readFileSync(c.path!));
      for (let i = 0; i < reps; i++) {
        const t = performance.now();
        (await readDicom(bytes)).storedPixels();
        ours.get(c.path!)!.push(performance.now() - t);
      }
    }
    if (pyReason) continue;
    const py = spawnSync(PY, [join(root, 'bench', 'decode-pydicom.py'), String(reps), ...files.map((c) => c.path!)], {
      encoding: 'utf8',
      maxBuffer: 1 << 24,
    });
    if (py.status !== 0) throw new Error(`decode-pydicom.py failed: ${py.stderr}`);
    const res = JSON.parse(py.stdout) as {
      files: Record<string, { ms: number[]; handler: string; sum: number }>;
      versions: Record<string, string>;
    };
    pyVersions = res.versions;
    for (const c of files) {
      const f = res.files[c.path!]!;
      theirs.get(c.path!)!.push(...f.ms);
      Object.assign(sums.get(c.path!)!, { theirs: f.sum, handler: f.handler });
    }
  }
  for (const c of SIDE) {
    if (!c.path) {
      sideRows.push({
        case: c.label,
        'cxrkit ms': 'skipped',
        'pydicom+GDCM ms': 'skipped',
        'cxrkit / Python': '—',
        note: c.reason,
      });
      continue;
    }
    const a = median(ours.get(c.path)!);
    const b = pyReason ? undefined : median(theirs.get(c.path)!);
    const s = sums.get(c.path)!;
    sideRows.push({
      case: c.label,
      transferSyntax: s.syntax,
      'cxrkit ms': Number(a.toFixed(1)),
      'pydicom+GDCM ms': b === undefined ? 'skipped' : Number(b.toFixed(1)),
      'cxrkit / Python': b === undefined ? '—' : Number((a / b).toFixed(2)),
      'same pixels':
        b === undefined ? '—' : s.ours === s.theirs ? `yes (${s.handler})` : `NO: sum ${s.ours} vs ${s.theirs}`,
    });
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
console.log(
  `\nreadDicom(bytes).storedPixels() vs pydicom.dcmread(bytes).pixel_array (GDCM for compressed), ${rounds} rounds × ${reps} reps ` +
    `each side (median), load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
);
console.table(sideRows);
if (pyReason) console.log(`Python side skipped: ${pyReason}`);
else
  console.log(
    `Python ${pyVersions!.python}, pydicom ${pyVersions!.pydicom}, GDCM ${pyVersions!.gdcm}, numpy ${pyVersions!.numpy}`,
  );

mkdirSync(join(root, 'bench-output'), { recursive: true });
writeFileSync(
  join(root, 'bench-output', 'dicom.json'),
  JSON.stringify(
    {
      date: new Date().toISOString(),
      reps,
      rounds,
      loadavg: loadavg(),
      rows,
      sideBySide: sideRows,
      python: pyReason ? { skipped: pyReason } : pyVersions,
    },
    null,
    2,
  ),
);
