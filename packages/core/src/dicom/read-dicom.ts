// readDicom: a DICOM file (bytes or a path) → DicomImage with stored, modality and grayscale pixels.
// Data flow: bytes → DataSet (parse.ts) → pixel module (validated) → frames (native or codec) →
// Modality LUT → optional VOI → MONOCHROME1 inversion → GrayImage in [0, 1], bone bright.
import type { DataSet } from 'dicom-parser';
import type { GrayImage } from '../image/types.js';
import { dicomError } from './errors.js';
import { isCxrkitError } from '../errors.js';
import { parseDataSet } from './parse.js';
import { readMeta, type DicomMeta } from './meta.js';
import { readPixelModule, type PixelModule } from './pixel-module.js';
import { TRANSFER_SYNTAXES, REFUSED_TRANSFER_SYNTAXES, type TransferSyntaxInfo } from './transfer-syntax.js';
import { checkNativeLength, encapsulatedFrame, nativeFrame } from './frames.js';
import { storedFromBytes, type StoredPixels } from './stored.js';
import { bitsStoredRange } from './bits-stored.js';
import { transformStored } from './stored-table.js';
import {
  applyModality,
  applyVoi,
  modalityRange,
  readModalityTransform,
  readVoiTransform,
  rescaleUnit,
  readPalette,
  paletteLuma,
  type ModalityTransform,
  type VoiTransform,
} from './luts.js';
import { loadCodec, type LoadableCodec } from './codecs/index.js';
import { readJpegFrameHeader, startsWithSoi } from './codecs/jpeg-markers.js';
import type { FrameCodec } from './codecs/types.js';

/** Options of {@link readDicom}. */
export interface ReadDicomOptions {
  /**
   * Largest accepted rows × columns × frames × samplesPerPixel; larger headers are refused with
   * DICOM_DIMENSIONS_TOO_LARGE before anything is allocated. Default 2^28 (268 M samples: a 4k × 4k
   * radiograph is 16.8 M).
   */
  maxPixels?: number;
  /** Largest accepted size of an inflated deflate-compressed data set, bytes. Default 1 GiB. */
  maxInflatedBytes?: number;
}

/** Options of {@link DicomImage.grayscale}. */
export interface GrayscaleOptions {
  /**
   * Apply the file's VOI transform (VOI LUT Sequence, else the first WindowCenter/Width) before
   * presentation. Default false: the full modality range is mapped to [0, 1] instead (as
   * torchxrayvision does; leave contrast to the preprocessing). Ignored when the file has no VOI.
   */
  voi?: boolean;
}

/** Default `maxPixels`: 2^28 samples (rows × columns × frames × samplesPerPixel). */
export const DEFAULT_MAX_PIXELS = 2 ** 28;
const DEFAULT_MAX_INFLATED = 2 ** 30;

/** Decoded pixel arrays are cached per frame; a multi-frame file holds at most this many at once. */
const FRAME_CACHE = 4;

/**
 * A decoded DICOM image. Header attributes are read eagerly; frames are decoded on first access.
 */
export class DicomImage {
  /** Rows (0028,0010): image height in pixels. */
  readonly rows: number;
  /** Columns (0028,0011): image width in pixels. */
  readonly columns: number;
  /** Number of frames (1 for a radiograph). */
  readonly frames: number;
  readonly samplesPerPixel: number;
  /** Photometric Interpretation as the header declares it (`MONOCHROME1`, `MONOCHROME2`, `RGB`, …). */
  readonly photometric: string;
  readonly bitsAllocated: number;
  readonly bitsStored: number;
  /** 0 unsigned, 1 signed (two's complement). */
  readonly pixelRepresentation: 0 | 1;
  /** Transfer Syntax UID (declared, or inferred for files without file meta). */
  readonly transferSyntax: string;
  /** Human-readable name of the transfer syntax. */
  readonly transferSyntaxName: string;
  /** Patient/study metadata (age, sex, view, …). */
  readonly meta: DicomMeta;
  /** Irregularities that were worked around while reading (never silent). */
  readonly warnings: readonly string[];
  /** The Modality LUT that `modalityPixels` applies. */
  readonly modalityTransform: ModalityTransform;
  /** The VOI transform `grayscale({ voi: true })` applies, if the file has one. */
  readonly voiTransform: VoiTransform | undefined;
  /** The parsed data set (dicom-parser), for attributes cxrkit does not surface. */
  readonly dataSet: DataSet;

  readonly #pm: PixelModule;
  readonly #syntax: TransferSyntaxInfo;
  readonly #bigEndian: boolean;
  readonly #native: boolean;
  readonly #codec: FrameCodec | undefined;
  readonly #cache = new Map<number, { stored: StoredPixels; photometric: string }>();

  /** @internal use {@link readDicom}. */
  constructor(init: {
    dataSet: DataSet;
    pm: PixelModule;
    syntax: TransferSyntaxInfo;
    transferSyntax: string;
    bigEndian: boolean;
    native: boolean;
    codec: FrameCodec | undefined;
    warnings: string[];
  }) {
    const { pm } = init;
    this.dataSet = init.dataSet;
    this.#pm = pm;
    this.#syntax = init.syntax;
    this.#bigEndian = init.bigEndian;
    this.#native = init.native;
    this.#codec = init.codec;
    this.rows = pm.rows;
    this.columns = pm.columns;
    this.frames = pm.frames;
    this.samplesPerPixel = pm.samplesPerPixel;
    this.photometric = pm.photometric;
    this.bitsAllocated = pm.bitsAllocated;
    this.bitsStored = pm.bitsStored;
    this.pixelRepresentation = pm.pixelRepresentation;
    this.transferSyntax = init.transferSyntax;
    this.transferSyntaxName = init.syntax.name;
    this.meta = readMeta(init.dataSet);
    this.warnings = init.warnings;
    this.modalityTransform = readModalityTransform(init.dataSet, pm.pixelRepresentation === 1);
    this.voiTransform = readVoiTransform(init.dataSet);
  }

  #frame(frame: number): { stored: StoredPixels; photometric: string } {
    if (!Number.isInteger(frame) || frame < 0 || frame >= this.frames) {
      throw dicomError('DICOM_FRAME_OUT_OF_RANGE', `frame ${frame} does not exist (the image has ${this.frames})`, {
        received: frame,
        fix: `pass an integer frame index in [0, ${this.frames - 1}]`,
      });
    }
    const hit = this.#cache.get(frame);
    if (hit) return hit;
    let out: { stored: StoredPixels; photometric: string };
    if (this.#native) {
      out = { stored: nativeFrame(this.dataSet, this.#pm, frame, this.#bigEndian), photometric: this.photometric };
    } else {
      const codec = this.#codec!;
      const encoded = encapsulatedFrame(this.dataSet, this.#pm, frame, (b) => codec.isFrameStart(b));
      const decoded = codec.decode(encoded, this.#pm);
      out = {
        stored: storedFromBytes(decoded.bytes, this.#pm, {
          planar: decoded.planar,
          owned: decoded.owned === true,
        }),
        photometric: decoded.photometric ?? this.photometric,
      };
    }
    if (this.#cache.size >= FRAME_CACHE) this.#cache.delete(this.#cache.keys().next().value!);
    this.#cache.set(frame, out);
    return out;
  }

  /**
   * Stored values of one frame exactly as encoded (what pydicom's `pixel_array` gives): a typed array
   * chosen by BitsAllocated/PixelRepresentation (Uint8/Int8/Uint16/Int16/Uint32/Int32, Float32/Float64
   * for float pixel data, Uint8 0/1 for 1-bit), signed and masked to BitsStored, row-major,
   * length rows × columns × samplesPerPixel, colour interleaved (RGBRGB…). Do not mutate: it is cached.
   *
   * Uncompressed little-endian frames are usually a zero-copy view over the bytes given to `readDicom`
   * (no per-pixel work): the array then shares that memory, and its `buffer` is the file's buffer (use
   * `byteOffset`/`byteLength`). Changing those bytes changes the pixels, and transferring or detaching
   * their buffer (postMessage with a transfer list) empties the array: `.slice()` it first to own a copy.
   * A view is made only when the frame fills at least half of the underlying ArrayBuffer, so keeping
   * the array alive never pins a much larger buffer (one frame of a long multi-frame file is copied);
   * big-endian, odd-offset, planar or out-of-range frames are copied once.
   */
  storedPixels(frame = 0): StoredPixels {
    return this.#frame(frame).stored;
  }

  /**
   * The photometric interpretation of `storedPixels(frame)`'s values: the header's, except when the
   * codec converted colour (JPEG baseline YBR_FULL_422 decodes to RGB).
   */
  pixelPhotometric(frame = 0): string {
    return this.#frame(frame).photometric;
  }

  /**
   * Modality values of one frame (Hounsfield units for CT, detector values for CR/DX): stored values
   * through the Modality LUT Sequence or RescaleSlope/RescaleIntercept. Float32Array of
   * rows × columns × samplesPerPixel (colour images are not rescaled: the Modality LUT is grayscale only).
   */
  modalityPixels(frame = 0): Float32Array {
    const stored = this.storedPixels(frame);
    if (this.samplesPerPixel !== 1 || this.#pm.pixelKind !== 'int' || this.photometric === 'PALETTE COLOR') {
      return Float32Array.from(stored as ArrayLike<number>);
    }
    const t = this.modalityTransform;
    // A rescale is one multiply-add per pixel, as cheap as a table look-up; a Modality LUT Sequence is not.
    if (t.kind === 'rescale') return applyModality(stored, t);
    return transformStored(stored, this.#pm, (values) => applyModality(values, t));
  }

  /**
   * A grayscale view for models: float pixels in [0, 1] where bone is bright, shape `height × width`
   * (= rows × columns). Modality values, then either the file's VOI (`voi: true`, when it has one) or
   * the full modality range of BitsStored mapped linearly to [0, 1], then MONOCHROME1 inverted
   * (1 − v, after VOI as PS3.3 C.7.6.3.1.2 requires). Colour images give their luma (BT.601; YBR: Y);
   * palette-colour images the luma of their palette colours (segmented palettes are refused with
   * DICOM_UNSUPPORTED_PIXEL_FORMAT).
   */
  grayscale(frame = 0, options: GrayscaleOptions = {}): GrayImage {
    const width = this.columns;
    const height = this.rows;
    const pm = this.#pm;
    if (this.photometric === 'PALETTE COLOR') {
      const palette = readPalette(this.dataSet, pm.pixelRepresentation === 1);
      if (!palette) {
        throw dicomError(
          'DICOM_UNSUPPORTED_PIXEL_FORMAT',
          'this palette-colour image has no (non-segmented) palette LUTs cxrkit can apply',
          {
            received: this.photometric,
            fix: 'use storedPixels() (palette indices), or convert the file to RGB/MONOCHROME2 with a DICOM toolkit',
          },
        );
      }
      return { data: paletteLuma(this.storedPixels(frame), palette), width, height };
    }
    if (this.samplesPerPixel === 3) {
      const { stored, photometric } = this.#frame(frame);
      const n = width * height;
      const data = new Float32Array(n);
      const isYbr = photometric.startsWith('YBR');
      for (let i = 0; i < n; i++) {
        const r = stored[3 * i]!;
        data[i] = isYbr ? r : 0.299 * r + 0.587 * stored[3 * i + 1]! + 0.114 * stored[3 * i + 2]!;
      }
      rescaleUnit(data, 0, 2 ** pm.bitsStored - 1);
      return { data, width, height };
    }
    const voi = options.voi ? this.voiTransform : undefined;
    const invert = this.photometric === 'MONOCHROME1';
    if (pm.pixelKind !== 'int') {
      const data = this.modalityPixels(frame);
      if (voi) applyVoi(data, voi);
      else rescaleUnit(data, ...minMax(data));
      if (invert) invertUnit(data);
      return { data, width, height };
    }
    // Integer samples: the chain is elementwise. With a VOI or a Modality LUT Sequence it is costly per
    // pixel, so it runs once per possible stored value (a table, stored-table.ts) with the same arithmetic;
    // a rescale and the range mapping alone are cheaper per pixel than a table look-up (measured).
    const [lo, hi] = modalityRange(this.modalityTransform, ...bitsStoredRange(pm));
    const chain = (values: StoredPixels): Float32Array => {
      const x = applyModality(values, this.modalityTransform);
      if (voi) applyVoi(x, voi);
      else rescaleUnit(x, lo, hi);
      if (invert) invertUnit(x);
      return x;
    };
    const stored = this.storedPixels(frame);
    const costly = voi !== undefined || this.modalityTransform.kind === 'lut';
    return { data: costly ? transformStored(stored, pm, chain) : chain(stored), width, height };
  }
}

/** [min, max] of the values. */
function minMax(data: Float32Array): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/** 1 − v in place (MONOCHROME1 presentation, after VOI: PS3.3 C.7.6.3.1.2). */
function invertUnit(data: Float32Array): void {
  for (let i = 0; i < data.length; i++) data[i] = 1 - data[i]!;
}

/** Sample precision of the first JPEG frame (8 or 12), or undefined when it cannot be read. */
function jpegPrecision(ds: DataSet, pm: PixelModule): number | undefined {
  try {
    return readJpegFrameHeader(encapsulatedFrame(ds, pm, 0, startsWithSoi))?.precision;
  } catch {
    return undefined;
  }
}

async function toBytes(input: Uint8Array | ArrayBuffer | string): Promise<Uint8Array> {
  if (input instanceof Uint8Array) return input;
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  if (ArrayBuffer.isView(input)) {
    const v = input as ArrayBufferView;
    return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  }
  if (typeof input === 'string') {
    try {
      const { readFile } = await import('node:fs/promises');
      const buf = await readFile(input);
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    } catch (e) {
      throw dicomError('DICOM_READ_FAILED', `cannot read ${input} (${(e as Error).message})`, {
        received: input,
        fix: 'check the path (reading by path needs Node); in a browser pass the file bytes instead',
        cause: e,
      });
    }
  }
  throw dicomError('DICOM_READ_FAILED', 'readDicom takes a Uint8Array, an ArrayBuffer or a file path', {
    received: input,
    fix: 'pass the file bytes (e.g. `await readFile(path)`) or its path',
  });
}

/**
 * Reads a DICOM file (Part 10 with preamble, or ACR-NEMA / raw data set without) from bytes or a
 * path (Node). Parses the header, validates the pixel module (refusing absurd sizes before allocating)
 * and loads the codec its transfer syntax needs (lazily, only then); frames decode on first access.
 * Throws CxrkitError with a DICOM_* code (see DICOM_ERROR_CODES) for anything it cannot read.
 */
export async function readDicom(
  input: Uint8Array | ArrayBuffer | string,
  options: ReadDicomOptions = {},
): Promise<DicomImage> {
  const bytes = await toBytes(input);
  const parsed = await parseDataSet(bytes, { maxInflatedBytes: options.maxInflatedBytes ?? DEFAULT_MAX_INFLATED });
  const warnings = [...parsed.warnings];
  const ds = parsed.dataSet;
  const uid = parsed.transferSyntaxUid;
  let syntax = TRANSFER_SYNTAXES.get(uid);
  if (!syntax) {
    const refused = REFUSED_TRANSFER_SYNTAXES.get(uid);
    throw dicomError(
      'DICOM_UNSUPPORTED_TRANSFER_SYNTAX',
      refused ? `transfer syntax ${uid} (${refused}) is not supported` : `transfer syntax ${uid} is unknown`,
      {
        received: uid,
        fix: 'transcode the file to an uncompressed or JPEG/JPEG-LS/JPEG 2000/RLE transfer syntax (e.g. `gdcmconv --raw`)',
      },
    );
  }
  const pm = readPixelModule(ds, { maxPixels: options.maxPixels ?? DEFAULT_MAX_PIXELS }, warnings);
  const encapsulated = pm.element.encapsulatedPixelData === true;
  let native = syntax.codec === 'native' && !syntax.encapsulated;
  if (syntax.encapsulated && !encapsulated) {
    warnings.push(
      `transfer syntax ${uid} (${syntax.name}) declares compressed pixel data but it is not encapsulated: read as uncompressed`,
    );
    syntax = TRANSFER_SYNTAXES.get(parsed.bigEndian ? '1.2.840.10008.1.2.2' : '1.2.840.10008.1.2.1')!;
    native = true;
  } else if (!syntax.encapsulated && encapsulated) {
    throw dicomError('DICOM_MALFORMED', `pixel data is encapsulated but the transfer syntax ${uid} is uncompressed`, {
      received: uid,
      fix: 'the file meta names the wrong transfer syntax; correct (0002,0010) with a DICOM toolkit',
    });
  }
  if (native) checkNativeLength(ds, pm);
  let codecName: LoadableCodec | undefined = native
    ? undefined
    : syntax.codec === 'native'
      ? 'encapsulated-native'
      : (syntax.codec as LoadableCodec);
  if (codecName === 'jpeg-baseline' && jpegPrecision(ds, pm) === 12) codecName = 'jpeg-12bit';
  let codec: FrameCodec | undefined;
  if (codecName !== undefined) {
    try {
      codec = await loadCodec(codecName);
    } catch (e) {
      if (isCxrkitError(e)) throw e;
      throw dicomError(
        'DICOM_CODEC_NOT_INSTALLED',
        `the ${codecName} codec for ${syntax.name} could not be loaded (${(e as Error)?.message ?? String(e)})`,
        {
          received: uid,
          fix: 'reinstall @cxrkit/core so its codec packages (and their .wasm files) are present',
          cause: e,
        },
      );
    }
  }
  return new DicomImage({
    dataSet: ds,
    pm,
    syntax,
    transferSyntax: uid,
    bigEndian: parsed.bigEndian,
    native,
    codec,
    warnings,
  });
}
