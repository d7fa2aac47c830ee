/**
 * 8- and 16-bit grayscale PNG read/write (pngjs), for preprocessed-image caches and overlays, and
 * baseline JPEG read (jpeg-js) for datasets distributed as JPEG. Pixels map to/from [0, 1].
 */
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { GrayImage } from './types.js';
import { CxrkitError } from '../errors.js';

export interface EncodePngOptions {
  /** Bits per sample: 8 (default) or 16. */
  bitDepth?: 8 | 16;
  /**
   * How values map to the integer range: 'unit' (default) clamps [0, 1] → [0, 2^bits − 1];
   * 'minmax' stretches the image's own min..max first (handy for z-scored images or CAMs).
   */
  range?: 'unit' | 'minmax';
}

/** An RGB(A) overlay image, interleaved 8-bit, for writing colour PNGs (e.g. CAM overlays). */
export interface RgbaImage {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
  /** 3 (RGB) or 4 (RGBA). */
  channels: 3 | 4;
}

/**
 * Encodes a single-channel image as a grayscale PNG (8- or 16-bit, big-endian samples as PNG requires).
 * Values are rounded to the nearest integer level after clamping to [0, 1] (see `range`).
 */
export function encodePng(image: GrayImage, options: EncodePngOptions = {}): Uint8Array {
  const bitDepth = options.bitDepth ?? 8;
  if (bitDepth !== 8 && bitDepth !== 16) {
    throw new CxrkitError('PNG_BAD_BIT_DEPTH', 'PNG bit depth must be 8 or 16', { received: bitDepth, fix: 'pass bitDepth: 8 or 16' });
  }
  checkImage(image);
  const { data, width, height } = image;
  let lo = 0;
  let span = 1;
  if (options.range === 'minmax') {
    let mn = Infinity;
    let mx = -Infinity;
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      if (v < mn) mn = v;
      if (v > mx) mx = v;
    }
    lo = mn;
    span = mx > mn ? mx - mn : 1;
  }
  const max = bitDepth === 16 ? 65535 : 255;
  const png = new PNG({ width, height, colorType: 0, inputColorType: 0, bitDepth, inputHasAlpha: false });
  // pngjs takes 16-bit input as platform-endian uint16 and writes it big-endian itself.
  const samples = bitDepth === 16 ? new Uint16Array(width * height) : new Uint8Array(width * height);
  for (let i = 0; i < data.length; i++) {
    let v = (data[i]! - lo) / span;
    v = v < 0 || Number.isNaN(v) ? 0 : v > 1 ? 1 : v;
    samples[i] = Math.round(v * max);
  }
  png.data = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
  return new Uint8Array(PNG.sync.write(png, { colorType: 0, inputColorType: 0, bitDepth, inputHasAlpha: false }));
}

/** Encodes an interleaved 8-bit RGB or RGBA image as a colour PNG. */
export function encodeRgbPng(image: RgbaImage): Uint8Array {
  const { width, height, channels, data } = image;
  if (data.length !== width * height * channels) {
    throw new CxrkitError('IMAGE_BAD_SHAPE', `RGB(A) data length must be width·height·channels = ${width * height * channels}`, { received: data.length, fix: 'check width, height and channels' });
  }
  const png = new PNG({ width, height, colorType: channels === 4 ? 6 : 2, inputColorType: channels === 4 ? 6 : 2, inputHasAlpha: channels === 4 });
  png.data = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(PNG.sync.write(png, { colorType: channels === 4 ? 6 : 2, inputColorType: channels === 4 ? 6 : 2, inputHasAlpha: channels === 4 }));
}

/**
 * Decodes a PNG (any colour type, 1–16 bits) to a single-channel image in [0, 1] (colour is converted
 * with ITU-R BT.601 luma weights; alpha is ignored). 16-bit samples keep their full precision.
 */
export function decodePng(bytes: Uint8Array): GrayImage {
  let png: PNG;
  try {
    // skipRescale keeps 16-bit samples as 16-bit (pngjs otherwise scales them down to 8 bits).
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), { skipRescale: true } as never);
  } catch (cause) {
    throw new CxrkitError('PNG_DECODE_FAILED', 'the bytes are not a readable PNG', { received: `${bytes.byteLength} bytes`, fix: 'check the file is a PNG (not a JPEG/DICOM renamed .png) and not truncated', cause });
  }
  const { width, height } = png;
  const depth = (png as unknown as { depth?: number }).depth ?? 8;
  const src = png.data as unknown as ArrayLike<number>;
  // pngjs always expands to 4 channels (RGBA); 16-bit data comes as a Uint16Array.
  return rgbaToGray(src, width, height, depth === 16 ? 65535 : 255);
}

/** Decodes a baseline/progressive JPEG to a single-channel image in [0, 1] (BT.601 luma for colour). */
export function decodeJpeg(bytes: Uint8Array): GrayImage {
  let raw: { width: number; height: number; data: Uint8Array };
  try {
    raw = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024, maxResolutionInMP: 200 });
  } catch (cause) {
    throw new CxrkitError('JPEG_DECODE_FAILED', 'the bytes are not a readable JPEG', { received: `${bytes.byteLength} bytes`, fix: 'check the file is a JPEG and not truncated; 12-bit and lossless JPEG are not supported here', cause });
  }
  return rgbaToGray(raw.data, raw.width, raw.height, 255);
}

/** Interleaved RGBA samples → BT.601 luma / `max` (a gray pixel keeps its value exactly); alpha is ignored. */
function rgbaToGray(src: ArrayLike<number>, width: number, height: number, max: number): GrayImage {
  const out = new Float32Array(width * height);
  for (let i = 0; i < out.length; i++) {
    const r = src[i * 4]!;
    const g = src[i * 4 + 1]!;
    const b = src[i * 4 + 2]!;
    out[i] = (r === g && g === b ? r : 0.299 * r + 0.587 * g + 0.114 * b) / max;
  }
  return { data: out, width, height };
}

/** Reads a PNG or JPEG file (by its magic bytes, not its extension) as a single-channel image in [0, 1]. */
export async function readImageFile(path: string): Promise<GrayImage> {
  const bytes = new Uint8Array(await readFile(path));
  if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return decodePng(bytes);
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return decodeJpeg(bytes);
  throw new CxrkitError('IMAGE_UNKNOWN_FORMAT', `${path} is neither PNG nor JPEG`, { received: Array.from(bytes.subarray(0, 8)), fix: 'pass a PNG/JPEG file, or read DICOM files with readDicom()' });
}

/** Writes a single-channel image as a grayscale PNG file (creating the folder). See {@link encodePng}. */
export async function writePng(path: string, image: GrayImage, options: EncodePngOptions = {}): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, encodePng(image, options));
}

/** Throws `IMAGE_BAD_SHAPE` unless `image` is a well-formed {@link GrayImage}. */
export function checkImage(image: GrayImage, name = 'image'): void {
  if (!image || !(image.data instanceof Float32Array) || !Number.isInteger(image.width) || !Number.isInteger(image.height) || image.width < 1 || image.height < 1 || image.data.length !== image.width * image.height) {
    throw new CxrkitError('IMAGE_BAD_SHAPE', `${name} must be { data: Float32Array, width, height } with data.length === width·height`, {
      received: image && typeof image === 'object' ? { width: image.width, height: image.height, length: (image.data as { length?: number } | undefined)?.length, type: image.data?.constructor?.name } : image,
      fix: 'build it as { data: new Float32Array(w * h), width: w, height: h }',
    });
  }
}
