// `cxrkit inspect <file.dcm> [--json]`: header, metadata and modality-value statistics of a DICOM file.
import { type DicomImage, readDicom } from '@cxrkit/core/tfjs-free';
import { Command } from 'commander';
import type { CliContext } from '../context.js';
import { integerOption } from '../io/option-parsers.js';

/** Min/max/mean/population std of a numeric array (float64 accumulation). */
export function pixelStats(a: ArrayLike<number>): {
  min: number;
  max: number;
  mean: number;
  std: number;
  count: number;
} {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  const mean = sum / a.length;
  let ss = 0;
  for (let i = 0; i < a.length; i++) ss += (a[i]! - mean) ** 2;
  return { min, max, mean, std: Math.sqrt(ss / a.length), count: a.length };
}

/** Everything `inspect` reports, as plain JSON. */
export function describeDicom(file: string, im: DicomImage, frame = 0) {
  const m = im.modalityTransform;
  const v = im.voiTransform;
  return {
    file,
    transferSyntax: im.transferSyntax,
    transferSyntaxName: im.transferSyntaxName,
    rows: im.rows,
    columns: im.columns,
    frames: im.frames,
    samplesPerPixel: im.samplesPerPixel,
    photometric: im.photometric,
    bitsAllocated: im.bitsAllocated,
    bitsStored: im.bitsStored,
    pixelRepresentation: im.pixelRepresentation,
    modalityLut:
      m.kind === 'rescale'
        ? { kind: 'rescale', slope: m.slope, intercept: m.intercept }
        : { kind: 'lut', entries: m.lut.data.length, firstMapped: m.lut.firstMapped },
    voi:
      v === undefined
        ? null
        : v.kind === 'window'
          ? { kind: 'window', center: v.center, width: v.width, function: v.fn }
          : { kind: 'lut', entries: v.lut.data.length },
    meta: im.meta,
    frame,
    modalityStats: pixelStats(im.modalityPixels(frame)),
    warnings: im.warnings,
  };
}

const fmt = (x: number) => (Number.isInteger(x) ? String(x) : x.toPrecision(6));

function text(d: ReturnType<typeof describeDicom>): string {
  const meta = d.meta;
  const show = (x: unknown) => (x === undefined ? '—' : Array.isArray(x) ? x.join(' × ') : String(x));
  const lines = [
    ['file', d.file],
    ['transfer syntax', `${d.transferSyntax} (${d.transferSyntaxName})`],
    ['size', `${d.columns} × ${d.rows} (width × height), ${d.frames} frame(s), ${d.samplesPerPixel} sample(s)/pixel`],
    [
      'pixels',
      `${d.photometric}, ${d.bitsStored} of ${d.bitsAllocated} bits, ${d.pixelRepresentation ? 'signed' : 'unsigned'}`,
    ],
    [
      'modality LUT',
      d.modalityLut.kind === 'rescale'
        ? `slope ${fmt(d.modalityLut.slope!)}, intercept ${fmt(d.modalityLut.intercept!)}`
        : `LUT of ${d.modalityLut.entries} entries`,
    ],
    [
      'VOI',
      d.voi === null
        ? 'none'
        : d.voi.kind === 'window'
          ? `window center ${fmt(d.voi.center!)}, width ${fmt(d.voi.width!)} (${d.voi.function})`
          : `LUT of ${d.voi.entries} entries`,
    ],
    ['patient id', show(meta.patientId)],
    ['sex', show(meta.sex)],
    [
      'age (years)',
      meta.age === undefined
        ? '—'
        : `${fmt(meta.age)} (from ${meta.ageSource === 'dates' ? 'StudyDate − PatientBirthDate' : 'PatientAge'})`,
    ],
    ['study date', show(meta.studyDate)],
    ['modality', show(meta.modality)],
    ['view position', show(meta.viewPosition)],
    ['body part', show(meta.bodyPart)],
    ['manufacturer', show(meta.manufacturer)],
    ['pixel spacing (mm)', show(meta.pixelSpacing)],
    ['imager spacing (mm)', show(meta.imagerPixelSpacing)],
    [
      `modality values (frame ${d.frame})`,
      `min ${fmt(d.modalityStats.min)}, max ${fmt(d.modalityStats.max)}, mean ${fmt(d.modalityStats.mean)}, std ${fmt(d.modalityStats.std)}`,
    ],
  ];
  const w = Math.max(...lines.map(([k]) => k!.length));
  const out = lines.map(([k, val]) => `${k!.padEnd(w)}  ${val}`);
  for (const warning of d.warnings) out.push(`${'warning'.padEnd(w)}  ${warning}`);
  return `${out.join('\n')}\n`;
}

/** `cxrkit inspect`: metadata and modality-value statistics of one DICOM file (or its typed error, exit 1). */
export function inspectCommand(ctx: CliContext): Command {
  return new Command('inspect')
    .summary('print a DICOM file’s metadata (age, sex, view, …) and pixel statistics')
    .description(
      'Reads a DICOM file (any transfer syntax cxrkit decodes) and prints its image attributes, the\n' +
        'patient/study metadata cxrkit uses, and min/max/mean/std of the modality values of one frame.\n' +
        'Prints the patient id: it is for looking at one file, not for logs.',
    )
    .argument('<file>', 'DICOM file')
    .option('--json', 'print one JSON object instead of the table')
    .option('--frame <n>', 'the frame to measure', integerOption('--frame', 0), 0)
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  $ cxrkit inspect chest.dcm',
        '  $ cxrkit inspect chest.dcm --json | jq .meta.age',
        '',
        'Exit codes: 0 ok, 1 the file could not be read (the typed error on stderr), 2 usage.',
      ].join('\n'),
    )
    .action(async (file: string, opts: { json?: boolean; frame: number }) => {
      const im = await readDicom(file);
      const d = describeDicom(file, im, opts.frame);
      ctx.io.stdout(opts.json ? `${JSON.stringify(d, null, 2)}\n` : text(d));
    });
}
