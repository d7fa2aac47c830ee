// The pixel cache: each included image preprocessed once, at the model's input size, into a raw
// memory-mappable file, so training never decodes a DICOM twice. Data flow: DicomImage.grayscale() →
// cardImagePixels (the model card's own preprocessing) → float32/float16 little-endian file.
//
// Layout: <cache>/<spec hash, 16 hex>/cache.json   (the spec: dtype, shape, preprocessing, how files are named)
//         <cache>/<spec hash, 16 hex>/<40 hex>.f32|.f16 (size × size × 1 values, row-major HWC, little-endian, no header)
// A file's name is the SHA-256 of `<SOP Instance UID>\n<spec hash>` (first 40 hex): no identifier on disk.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { assertKnownKeys, type GrayImage } from '@cxrkit/core/tfjs-free';
import { cardImagePixels } from '@cxrkit/models/card';
import { datasetError } from '../errors.js';
import { float16ToFloat32, float32ToFloat16 } from './float16.js';

/** Format name written into `cache.json`. */
export const PIXEL_CACHE_FORMAT = 'cxrkit-pixel-cache';
/** Version of the cache layout; part of the spec hash. */
export const PIXEL_CACHE_VERSION = 1;

/** What a cached image is: the model card's image preprocessing at one size, stored as one dtype. */
export interface PixelCacheOptions {
  /** Side of the square model input, pixels (e.g. 512). */
  size: number;
  /** The card's normalisation: 'zscore' (thesis Part 2, default) or 'percentile' (Part 1). */
  normalize?: 'zscore' | 'percentile';
  /** Percent clipped at each end before min-max (the card's clipPercent). Default 0.5. */
  clipPercent?: number;
  /** 'float32' (default, exact) or 'float16' (half the disk; ≤ 2^-11 relative rounding). */
  dtype?: 'float32' | 'float16';
}

/** A complete cache spec, as written to `cache.json`. */
export interface PixelCacheSpec {
  format: typeof PIXEL_CACHE_FORMAT;
  version: number;
  dtype: 'float32' | 'float16';
  /** [height, width, channels] of every file. */
  shape: [number, number, 1];
  /** The model card's preprocessing fields these pixels follow (see @cxrkit/models/card). */
  preprocessing: {
    photometric: 'bone-bright';
    clipPercent: number;
    resize: 'bicubic';
    normalize: 'zscore' | 'percentile';
  };
  /** `sha256:` + SHA-256 of the canonical JSON of everything above. */
  hash: string;
  /** How files are named, in words. */
  naming: string;
}

/**
 * The spec of a cache for `options`, with its hash.
 * @throws CxrkitError `CACHE_BAD_OPTION` for a size outside 32–4096, an unknown normalisation or dtype.
 */
export function pixelCacheSpec(options: PixelCacheOptions): PixelCacheSpec {
  assertKnownKeys(options, ['size', 'normalize', 'clipPercent', 'dtype', 'root'], {
    code: 'CACHE_BAD_OPTION',
    pkg: 'dataset',
    where: 'of the pixel cache',
  });
  const { size, normalize = 'zscore', clipPercent = 0.5, dtype = 'float32' } = options;
  if (!Number.isInteger(size) || size < 32 || size > 4096) {
    throw datasetError('CACHE_BAD_OPTION', 'the cache size must be an integer number of pixels in 32–4096', {
      received: size,
      fix: 'pass the model input size, e.g. --cache 512',
    });
  }
  if (normalize !== 'zscore' && normalize !== 'percentile') {
    throw datasetError('CACHE_BAD_OPTION', "the cache normalisation must be 'zscore' or 'percentile'", {
      received: normalize,
      fix: "pass 'zscore' (thesis Part 2) or 'percentile' (Part 1)",
    });
  }
  if (dtype !== 'float32' && dtype !== 'float16') {
    throw datasetError('CACHE_BAD_OPTION', "the cache dtype must be 'float32' or 'float16'", {
      received: dtype,
      fix: "pass 'float32' or 'float16'",
    });
  }
  if (!(clipPercent >= 0 && clipPercent < 50)) {
    throw datasetError('CACHE_BAD_OPTION', 'clipPercent must be in [0, 50)', {
      received: clipPercent,
      fix: 'pass 0.5',
    });
  }
  const body = {
    format: PIXEL_CACHE_FORMAT as typeof PIXEL_CACHE_FORMAT,
    version: PIXEL_CACHE_VERSION,
    dtype,
    shape: [size, size, 1] as [number, number, 1],
    preprocessing: { photometric: 'bone-bright' as const, clipPercent, resize: 'bicubic' as const, normalize },
  };
  const hash = `sha256:${createHash('sha256').update(JSON.stringify(body)).digest('hex')}`;
  return {
    ...body,
    hash,
    naming: 'first 40 hex of SHA-256("<SOP Instance UID>\\n<hash>") + .f32 or .f16',
  };
}

/** The folder of one spec inside a cache root: `<root>/<first 16 hex of the spec hash>`. */
export function pixelCacheDir(root: string, spec: PixelCacheSpec): string {
  return join(root, spec.hash.slice('sha256:'.length, 'sha256:'.length + 16));
}

/** The file holding one image's pixels under a spec. */
export function pixelCachePath(root: string, spec: PixelCacheSpec, sopInstanceUid: string): string {
  const name = createHash('sha256').update(`${sopInstanceUid}\n${spec.hash}`).digest('hex').slice(0, 40);
  return join(pixelCacheDir(root, spec), `${name}.${spec.dtype === 'float32' ? 'f32' : 'f16'}`);
}

/** The model input pixels of a radiograph under a spec (`size × size` floats, the card's preprocessing). */
export function cachePixels(spec: PixelCacheSpec, image: GrayImage): Float32Array {
  const [size] = spec.shape;
  const { normalize, clipPercent } = spec.preprocessing;
  return cardImagePixels(image, {
    architecture: { inputSize: size, channels: 1 },
    preprocessing: { normalize, clipPercent },
  });
}

function toBytes(spec: PixelCacheSpec, pixels: Float32Array): Uint8Array {
  const typed = spec.dtype === 'float32' ? pixels : float32ToFloat16(pixels);
  // typed arrays are little-endian on every platform Node supports (x64, arm64)
  return new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
}

/** Writes `cache.json` for a spec (idempotent). Returns the spec's folder. */
export async function writePixelCacheIndex(root: string, spec: PixelCacheSpec): Promise<string> {
  const dir = pixelCacheDir(root, spec);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'cache.json'), `${JSON.stringify(spec, null, 2)}\n`);
  return dir;
}

/**
 * Preprocesses `image` under `spec` and writes it (to a temporary name, then renamed: a killed scan leaves
 * no half-written file). Returns the file's path.
 */
export async function writeCachedPixels(
  root: string,
  spec: PixelCacheSpec,
  sopInstanceUid: string,
  image: GrayImage,
): Promise<string> {
  const path = pixelCachePath(root, spec, sopInstanceUid);
  await mkdir(pixelCacheDir(root, spec), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  await writeFile(tmp, toBytes(spec, cachePixels(spec, image)));
  await rename(tmp, path);
  return path;
}

/**
 * Reads one image's cached pixels (float32, `size × size`, row-major), or `undefined` when not cached.
 * @throws CxrkitError `CACHE_CORRUPT` when the file has the wrong length.
 */
export async function readCachedPixels(
  root: string,
  spec: PixelCacheSpec,
  sopInstanceUid: string,
): Promise<Float32Array | undefined> {
  const path = pixelCachePath(root, spec, sopInstanceUid);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  const [h, w] = spec.shape;
  const per = spec.dtype === 'float32' ? 4 : 2;
  if (bytes.length !== h * w * per) {
    throw datasetError('CACHE_CORRUPT', `a cached image has ${bytes.length} bytes, expected ${h * w * per}`, {
      received: path,
      fix: 'delete the cache folder and scan again with --cache',
    });
  }
  const copy = new Uint8Array(bytes); // aligned copy
  return spec.dtype === 'float32' ? new Float32Array(copy.buffer) : float16ToFloat32(new Uint16Array(copy.buffer));
}

/**
 * Opens a cache folder written by a scan: `<root>` holding one or more spec folders; picks the one matching
 * `options` (or the only one when `options` is omitted).
 * @throws CxrkitError `CACHE_NOT_FOUND` when no spec folder (or none matching) exists.
 */
export async function openPixelCache(root: string, options?: PixelCacheOptions): Promise<PixelCacheSpec> {
  const { readdir } = await import('node:fs/promises');
  let names: string[] = [];
  try {
    names = await readdir(root);
  } catch {
    names = [];
  }
  const specs: PixelCacheSpec[] = [];
  for (const n of names) {
    try {
      const spec = JSON.parse(await readFile(join(root, n, 'cache.json'), 'utf8')) as PixelCacheSpec;
      if (spec.format === PIXEL_CACHE_FORMAT) specs.push(spec);
    } catch {
      // not a spec folder
    }
  }
  const wanted = options ? pixelCacheSpec(options).hash : undefined;
  const found = wanted ? specs.find((s) => s.hash === wanted) : specs.length === 1 ? specs[0] : undefined;
  if (!found) {
    throw datasetError(
      'CACHE_NOT_FOUND',
      wanted
        ? 'no cache with this size/normalisation/dtype in the folder'
        : `expected one cache spec in the folder, found ${specs.length}`,
      { received: root, fix: 'run cxrkit dataset scan … --cache <size> (or pass the options the cache was made with)' },
    );
  }
  return found;
}
