/**
 * PNG encoding and decoding (pngjs) and baseline JPEG decoding (jpeg-js), on bytes in memory: the one
 * PNG API of cxrkit. `encodePng` writes any of the three pixel layouts — a float {@link GrayImage} (as 8-
 * or 16-bit grey, mapped from [0, 1]), 8-bit grey bytes ({@link Gray8Image}, e.g. a CAM atlas) and 8-bit
 * RGB(A) ({@link RgbaImage}, e.g. a Grad-CAM overlay). Decoders return a GrayImage in [0, 1]. Files:
 * png-file.ts (`readImageFile`, `writePng`, `writePngSync`, Node only).
 */
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import type { Gray8Image, GrayImage, PngImage, RgbaImage } from './types.js';
import { CxrkitError } from '../errors.js';

export interface EncodePngOptions {
  /** Bits per sample of a float GrayImage: 8 (default) or 16. 8-bit pixels are always written as 8 bits. */
  bitDepth?: 8 | 16;
  /**
   * How a float GrayImage's values map to the integer range: 'unit' (default) clamps [0, 1] → [0, 2^bits − 1];
   * 'minmax' stretches the image's own min..max first (handy for z-scored images or CAMs). Only for floats.
   */
  range?: 'unit' | 'minmax';
}

/**
 * Encodes an image as PNG bytes. Which PNG follows from the pixels:
 * - a {@link GrayImage} (`Float32Array`) → greyscale, 8- or 16-bit (big-endian samples as PNG requires),
 *   each value rounded to the nearest level after clamping to [0, 1] (see `options.range`);
 * - a {@link Gray8Image} (`Uint8Array`/`Uint8ClampedArray` of `width·height` bytes) → 8-bit greyscale, as is;
 * - an {@link RgbaImage} (`channels` 3 or 4, or a length of 3 or 4 × `width·height`) → 8-bit RGB / RGBA.
 * @throws CxrkitError `IMAGE_BAD_SHAPE` (sizes and data length disagree), `PNG_BAD_BIT_DEPTH`,
 *   `PNG_BAD_OPTION` (bitDepth 16 or range for 8-bit pixels).
 */
export function encodePng(image: PngImage, options: EncodePngOptions = {}): Uint8Array {
  const float = (image as GrayImage | undefined)?.data instanceof Float32Array;
  if (float) return encodeFloatGray(image as GrayImage, options);
  const { channels, data, width, height } = checkBytes(image as Gray8Image | RgbaImage);
  if ((options.bitDepth !== undefined && options.bitDepth !== 8) || options.range !== undefined) {
    const message = 'bitDepth and range apply to float GrayImages only: 8-bit pixels are written as they are';
    throw new CxrkitError('PNG_BAD_OPTION', message, {
      received: { bitDepth: options.bitDepth, range: options.range },
      fix: 'drop the options, or pass a GrayImage with Float32Array data',
    });
  }
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (channels === 1) {
    const png = new PNG({ width, height, colorType: 0, inputColorType: 0, bitDepth: 8, inputHasAlpha: false });
    png.data = bytes;
    return toUint8(PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false }));
  }
  const colorType = channels === 4 ? 6 : 2;
  const png = new PNG({ width, height, colorType, inputColorType: colorType, inputHasAlpha: channels === 4 });
  png.data = bytes;
  return toUint8(PNG.sync.write(png, { colorType, inputColorType: colorType, inputHasAlpha: channels === 4 }));
}

function encodeFloatGray(image: GrayImage, options: EncodePngOptions): Uint8Array {
  const bitDepth = options.bitDepth ?? 8;
  if (bitDepth !== 8 && bitDepth !== 16) {
    throw new CxrkitError('PNG_BAD_BIT_DEPTH', 'PNG bit depth must be 8 or 16', {
      received: bitDepth,
      fix: 'pass bitDepth: 8 or 16',
    });
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
  return toUint8(PNG.sync.write(png, { colorType: 0, inputColorType: 0, bitDepth, inputHasAlpha: false }));
}

/** The channel count of 8-bit pixels (1, 3 or 4), after checking sizes and length agree. */
function checkBytes(image: Gray8Image | RgbaImage): (Gray8Image | RgbaImage) & { channels: 1 | 3 | 4 } {
  const { width, height } = image ?? ({} as Gray8Image);
  const data = image?.data;
  const n = width * height;
  const bytes = data instanceof Uint8Array || data instanceof Uint8ClampedArray;
  const given = (image as RgbaImage | undefined)?.channels;
  const fromLength = ([1, 3, 4] as const).find((c) => bytes && data.length === c * n);
  const channels = given ?? fromLength;
  const sized = Number.isInteger(width) && Number.isInteger(height) && width >= 1 && height >= 1;
  if (!bytes || !sized || (channels !== 1 && channels !== 3 && channels !== 4) || data.length !== channels * n) {
    const length = (data as { length?: number } | undefined)?.length;
    const type = (data as object | undefined)?.constructor?.name;
    throw new CxrkitError(
      'IMAGE_BAD_SHAPE',
      'PNG pixels must be a GrayImage (Float32Array, width·height values) or 8-bit bytes: width·height grey, ' +
        'or 3 or 4 × width·height RGB(A)',
      {
        received: { width, height, channels: given, length, type },
        fix: 'check width, height and channels against the data (e.g. an overlayHeatmap result, an 8-bit atlas)',
      },
    );
  }
  return { data, width, height, channels };
}

// A copy, not a view: small pngjs Buffers may share a pooled ArrayBuffer.
const toUint8 = (b: Buffer): Uint8Array => new Uint8Array(b);

/** True when `bytes` start with the PNG signature. */
export function isPngBytes(bytes: Uint8Array): boolean {
  return bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
}

/** True when `bytes` start with a JPEG SOI marker. */
export function isJpegBytes(bytes: Uint8Array): boolean {
  return bytes[0] === 0xff && bytes[1] === 0xd8;
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
    throw new CxrkitError('PNG_DECODE_FAILED', 'the bytes are not a readable PNG', {
      received: `${bytes.byteLength} bytes`,
      fix: 'check the file is a PNG (not a JPEG/DICOM renamed .png) and not truncated',
      cause,
    });
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
    throw new CxrkitError('JPEG_DECODE_FAILED', 'the bytes are not a readable JPEG', {
      received: `${bytes.byteLength} bytes`,
      fix: 'check the file is a JPEG and not truncated; 12-bit and lossless JPEG are not supported here',
      cause,
    });
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

/** Throws `IMAGE_BAD_SHAPE` unless `image` is a well-formed {@link GrayImage}. */
export function checkImage(image: GrayImage, name = 'image'): void {
  if (
    !image ||
    !(image.data instanceof Float32Array) ||
    !Number.isInteger(image.width) ||
    !Number.isInteger(image.height) ||
    image.width < 1 ||
    image.height < 1 ||
    image.data.length !== image.width * image.height
  ) {
    throw new CxrkitError(
      'IMAGE_BAD_SHAPE',
      `${name} must be { data: Float32Array, width, height } with data.length === width·height`,
      {
        received:
          image && typeof image === 'object'
            ? {
                width: image.width,
                height: image.height,
                length: (image.data as { length?: number } | undefined)?.length,
                type: image.data?.constructor?.name,
              }
            : image,
        fix: 'build it as { data: new Float32Array(w * h), width: w, height: h }',
      },
    );
  }
}
