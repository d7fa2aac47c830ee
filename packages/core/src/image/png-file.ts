/**
 * PNG/JPEG files on disk (Node only: imports node:fs). Reading sniffs the format from the bytes; writing
 * encodes with {@link encodePng} (any of GrayImage, Gray8Image, RgbaImage) and creates the folder.
 * `writePng` is the async variant, `writePngSync` the synchronous one; both return the path written.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { GrayImage, PngImage } from './types.js';
import { decodeJpeg, decodePng, encodePng, isJpegBytes, isPngBytes, type EncodePngOptions } from './png.js';
import { CxrkitError } from '../errors.js';

/** Reads a PNG or JPEG file (by its magic bytes, not its extension) as a single-channel image in [0, 1]. */
export async function readImageFile(path: string): Promise<GrayImage> {
  const bytes = new Uint8Array(await readFile(path));
  if (isPngBytes(bytes)) return decodePng(bytes);
  if (isJpegBytes(bytes)) return decodeJpeg(bytes);
  throw new CxrkitError('IMAGE_UNKNOWN_FORMAT', `${path} is neither PNG nor JPEG`, {
    received: Array.from(bytes.subarray(0, 8)),
    fix: 'pass a PNG/JPEG file, or read DICOM files with readDicom() (loadGrayImage reads all three)',
  });
}

/**
 * Writes `image` as a PNG file, creating its folder (async). A float GrayImage becomes 8- or 16-bit grey
 * (`options`), 8-bit grey or RGB(A) bytes are written as they are: see {@link encodePng}.
 * @returns `path`
 */
export async function writePng(path: string, image: PngImage, options: EncodePngOptions = {}): Promise<string> {
  const bytes = encodePng(image, options);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, bytes);
  return path;
}

/** {@link writePng}, synchronously. @returns `path` */
export function writePngSync(path: string, image: PngImage, options: EncodePngOptions = {}): string {
  const bytes = encodePng(image, options);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
  return path;
}
