// The Image Pixel module (PS3.3 C.7.6.3): the attributes that say how to read the pixel bytes,
// validated before anything is allocated.
import type { DataSet, Element } from 'dicom-parser';
import { dicomError } from './errors.js';
import { safeString } from './parse.js';

/** The pixel layout of a DICOM image. */
export interface PixelModule {
  rows: number;
  columns: number;
  /** Number of Frames (0028,0008); 1 when absent. */
  frames: number;
  /** 1 (grayscale/palette) or 3 (colour). */
  samplesPerPixel: number;
  /** Photometric Interpretation (0028,0004), e.g. `MONOCHROME1`, `MONOCHROME2`, `RGB`. */
  photometric: string;
  /** 1, 8, 16, 32 (or 32/64 for float pixel data). */
  bitsAllocated: number;
  /** Significant bits per sample (≤ bitsAllocated). */
  bitsStored: number;
  /** 0 unsigned, 1 two's complement. */
  pixelRepresentation: 0 | 1;
  /** 0 interleaved (RGBRGB…), 1 planar (RR…GG…BB…). */
  planarConfiguration: 0 | 1;
  /** Which element holds the pixels: integer Pixel Data, Float or Double Float Pixel Data. */
  pixelKind: 'int' | 'float32' | 'float64';
  /** The pixel data element. */
  element: Element;
}

/** Size limits checked before any pixel buffer is allocated. */
export interface PixelLimits {
  /** Largest accepted rows × columns × frames × samplesPerPixel. */
  maxPixels: number;
}

function us(ds: DataSet, tag: string): number | undefined {
  const el = ds.elements[tag];
  if (!el || el.length < 2) return undefined;
  try {
    return ds.uint16(tag);
  } catch {
    return undefined;
  }
}

function missing(attr: string, tag: string, received: unknown) {
  return dicomError('DICOM_MISSING_ATTRIBUTE', `${attr} ${tag} is missing or invalid`, {
    received,
    fix: `the file does not say how to read its pixels; re-export it with a valid ${attr}`,
  });
}

/** Reads and validates the Image Pixel module; throws typed errors, allocates nothing. */
export function readPixelModule(ds: DataSet, limits: PixelLimits, warnings: string[]): PixelModule {
  const el = ds.elements.x7fe00010 ?? ds.elements.x7fe00008 ?? ds.elements.x7fe00009;
  if (!el) {
    throw dicomError('DICOM_NO_PIXEL_DATA', 'the file has no Pixel Data (7FE0,0010) element', {
      received: safeString(ds, 'x00080016') ? `SOP class ${safeString(ds, 'x00080016')}` : 'no pixel data',
      fix: 'this DICOM object is not an image (report, DICOMDIR, waveform…): pass an image file',
    });
  }
  const pixelKind = el.tag === 'x7fe00008' ? 'float32' : el.tag === 'x7fe00009' ? 'float64' : 'int';
  const rows = us(ds, 'x00280010');
  const columns = us(ds, 'x00280011');
  if (!rows) throw missing('Rows', '(0028,0010)', rows ?? 'absent');
  if (!columns) throw missing('Columns', '(0028,0011)', columns ?? 'absent');
  const bitsAllocated =
    us(ds, 'x00280100') ?? (pixelKind === 'float64' ? 64 : pixelKind === 'float32' ? 32 : undefined);
  if (!bitsAllocated) throw missing('BitsAllocated', '(0028,0100)', 'absent');
  let bitsStored = us(ds, 'x00280101');
  if (bitsStored === undefined) {
    bitsStored = bitsAllocated;
    if (pixelKind === 'int') warnings.push(`BitsStored absent: assumed BitsAllocated (${bitsAllocated})`);
  }
  const pr = us(ds, 'x00280103') ?? 0;
  const samplesPerPixel = us(ds, 'x00280002') ?? 1;
  let photometric = safeString(ds, 'x00280004')?.replace(/\0/g, '').trim().toUpperCase() ?? '';
  if (!photometric) {
    photometric = samplesPerPixel === 1 ? 'MONOCHROME2' : 'RGB';
    warnings.push(`PhotometricInterpretation absent: assumed ${photometric}`);
  }
  const planar = us(ds, 'x00280006') ?? 0;
  const framesRaw = safeString(ds, 'x00280008')?.trim();
  let frames = framesRaw ? Number.parseInt(framesRaw, 10) : 1;
  if (!Number.isFinite(frames) || frames < 1) {
    warnings.push(`NumberOfFrames ${JSON.stringify(framesRaw)} is invalid: assumed 1`);
    frames = 1;
  }

  const validBits = pixelKind === 'int' ? [1, 8, 16, 32] : pixelKind === 'float32' ? [32] : [64];
  if (!validBits.includes(bitsAllocated)) {
    throw dicomError(
      'DICOM_UNSUPPORTED_PIXEL_FORMAT',
      `BitsAllocated ${bitsAllocated} is not one of ${validBits.join(', ')}`,
      {
        received: bitsAllocated,
        fix: 'only the standard sample sizes are read; convert the file with a DICOM toolkit (e.g. dcmconv, gdcmconv)',
      },
    );
  }
  if (bitsStored < 1 || bitsStored > bitsAllocated) {
    throw dicomError(
      'DICOM_UNSUPPORTED_PIXEL_FORMAT',
      `BitsStored ${bitsStored} must be between 1 and BitsAllocated (${bitsAllocated})`,
      {
        received: bitsStored,
        fix: 'the header is inconsistent; re-export the file',
      },
    );
  }
  if (pr !== 0 && pr !== 1) throw missing('PixelRepresentation', '(0028,0103)', pr);
  if (samplesPerPixel !== 1 && samplesPerPixel !== 3) {
    throw dicomError('DICOM_UNSUPPORTED_PIXEL_FORMAT', `SamplesPerPixel ${samplesPerPixel} is not supported (1 or 3)`, {
      received: samplesPerPixel,
      fix: 'convert the image to grayscale or RGB',
    });
  }
  // Refuse absurd sizes before a single pixel buffer is allocated.
  const total = rows * columns * frames * samplesPerPixel;
  if (total > limits.maxPixels) {
    throw dicomError(
      'DICOM_DIMENSIONS_TOO_LARGE',
      `${rows} rows × ${columns} columns × ${frames} frames × ${samplesPerPixel} samples = ${total} exceeds the limit of ${limits.maxPixels}`,
      {
        received: { rows, columns, frames, samplesPerPixel },
        fix: 'raise the `maxPixels` option of readDicom if this file is trusted',
      },
    );
  }
  return {
    rows,
    columns,
    frames,
    samplesPerPixel,
    photometric,
    bitsAllocated,
    bitsStored,
    pixelRepresentation: pr as 0 | 1,
    planarConfiguration: planar === 1 && samplesPerPixel > 1 ? 1 : 0,
    pixelKind,
    element: el,
  };
}

/** Bytes one native (uncompressed) frame takes; 1-bit frames may end mid-byte (see frameBits). */
export function frameBits(pm: PixelModule): number {
  return pm.rows * pm.columns * pm.samplesPerPixel * pm.bitsAllocated;
}
