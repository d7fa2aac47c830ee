// The WASM codecs (@cornerstonejs/codec-*): JPEG baseline 8-bit (libjpeg-turbo), JPEG-LS (CharLS),
// JPEG 2000 (OpenJPEG) and HTJ2K (OpenJPH). Each runs inside a WasmHost (fresh instance after any
// failure); headers are checked against the DICOM header before the codec decodes anything.
import type { PixelModule } from '../pixel-module.js';
import type { DecodedFrame, FrameCodec } from './types.js';
import { WasmHost, type Deletable } from './wasm-host.js';
import { checkGeometry, decodeFailed, finishFrame } from './check.js';
import { readJpegFrameHeader, startsWithSoi } from './jpeg-markers.js';
import { dicomError } from '../errors.js';

interface FrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned?: boolean;
}

interface EmDecoder extends Deletable {
  getEncodedBuffer(length: number): Uint8Array;
  getDecodedBuffer(): Uint8Array;
  readHeader?(): void;
  decode(): void;
  getFrameInfo(): FrameInfo;
  getInterleaveMode?(): number;
}

type EmModule = Record<string, new () => EmDecoder>;

const factoryOf = (mod: unknown) =>
  ((mod as { default?: unknown }).default ?? mod) as (o: Record<string, unknown>) => Promise<EmModule>;

/** Copies the codec's output out of WASM memory (the heap view dies with the decoder). */
function copyOut(view: Uint8Array): Uint8Array {
  return view.slice();
}

function withDecoder<T>(host: WasmHost<EmModule>, cls: string, fn: (d: EmDecoder) => T): T {
  return host.run((m) => {
    const Ctor = m[cls];
    if (!Ctor) throw new Error(`${cls} missing from the ${host.name} module`);
    const d = new Ctor();
    try {
      return fn(d);
    } finally {
      try {
        d.delete();
      } catch {
        /* the instance is discarded anyway */
      }
    }
  });
}

function makeCodec(
  name: string,
  host: WasmHost<EmModule>,
  isFrameStart: (b: Uint8Array) => boolean,
  decode: (encoded: Uint8Array, pm: PixelModule) => DecodedFrame,
): FrameCodec & { host: WasmHost<EmModule> } {
  return {
    name,
    host,
    isFrameStart,
    decode(encoded, pm) {
      try {
        return decode(encoded, pm);
      } catch (e) {
        throw decodeFailed(name, e);
      }
    },
  };
}

/** J2K codestream (SOC + SIZ) or JP2 box signature. */
function isJ2kStart(b: Uint8Array): boolean {
  return (
    (b.length >= 4 && b[0] === 0xff && b[1] === 0x4f && b[2] === 0xff && b[3] === 0x51) ||
    (b.length >= 12 && b[4] === 0x6a && b[5] === 0x50)
  );
}

/** Reads the J2K SIZ segment (image size and components) before the codec sees the stream. */
function readSiz(b: Uint8Array): { width: number; height: number; components: number; precision: number } | undefined {
  // Find SOC+SIZ (also inside a JP2 wrapper: search the first 4 KiB).
  const limit = Math.min(b.length - 42, 4096);
  for (let p = 0; p <= limit; p++) {
    if (b[p] === 0xff && b[p + 1] === 0x4f && b[p + 2] === 0xff && b[p + 3] === 0x51) {
      const dv = new DataView(b.buffer, b.byteOffset + p + 4);
      // SIZ after its marker: Lsiz, Rsiz, Xsiz, Ysiz, XOsiz, YOsiz, tile sizes/offsets, Csiz, Ssiz…
      const xs = dv.getUint32(4);
      const ys = dv.getUint32(8);
      const x0 = dv.getUint32(12);
      const y0 = dv.getUint32(16);
      const comps = dv.getUint16(36);
      const ssiz = b.length > p + 4 + 38 ? b[p + 4 + 38]! : 0;
      return { width: xs - x0, height: ys - y0, components: comps, precision: (ssiz & 0x7f) + 1 };
    }
  }
  return undefined;
}

const hosts = new Map<string, WasmHost<EmModule>>();

function host(name: string, load: () => Promise<unknown>, wasm: string): WasmHost<EmModule> {
  let h = hosts.get(name);
  if (!h) {
    h = new WasmHost<EmModule>(name, async (opts) => factoryOf(await load())(opts), wasm);
    hosts.set(name, h);
  }
  return h;
}

/** Inserts an APP14 "Adobe" segment with transform 0 (RGB, no colour conversion) after SOI, unless one exists. */
function withAdobeNoTransform(b: Uint8Array): Uint8Array {
  for (let i = 2; i + 10 < b.length && i < 4096; i++) {
    if (b[i] === 0xff && b[i + 1] === 0xee && b[i + 4] === 0x41 && b[i + 5] === 0x64) return b; // existing "Ad(obe)"
  }
  // FF EE, length 14, "Adobe", version 100, flags0 0, flags1 0, transform 0
  const app14 = [0xff, 0xee, 0x00, 0x0e, 0x41, 0x64, 0x6f, 0x62, 0x65, 0x00, 0x64, 0x00, 0x00, 0x00, 0x00, 0x00];
  const out = new Uint8Array(b.length + app14.length);
  out.set(b.subarray(0, 2), 0);
  out.set(app14, 2);
  out.set(b.subarray(2), 2 + app14.length);
  return out;
}

/** JPEG baseline/extended 8-bit: libjpeg-turbo (colour comes out RGB). 12-bit streams are refused. */
export async function createJpegBaselineCodec(): Promise<FrameCodec> {
  const h = host(
    'libjpeg-turbo',
    () => import('@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs'),
    '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasm',
  );
  await h.ready();
  return makeCodec('JPEG baseline (libjpeg-turbo)', h, startsWithSoi, (encoded, pm) => {
    const sof = readJpegFrameHeader(encoded);
    checkGeometry('JPEG baseline', pm, sof);
    if (sof!.precision !== 8) {
      throw dicomError(
        'DICOM_UNSUPPORTED_PIXEL_FORMAT',
        `JPEG with ${sof!.precision}-bit samples (process 4, extended) is not decoded: only 8-bit JPEG baseline/extended is`,
        {
          received: `${sof!.precision}-bit JPEG`,
          fix: 'transcode the file to a lossless syntax (e.g. `gdcmconv --raw` or `dcmdjpeg`) before reading it',
        },
      );
    }
    if (sof!.marker !== 0xffc0 && sof!.marker !== 0xffc1) {
      throw dicomError(
        'DICOM_DECODE_FAILED',
        `JPEG process with SOF ${sof!.marker.toString(16)} is not baseline/extended Huffman`,
        {
          received: sof!.marker,
          fix: 'the frame uses a JPEG process the transfer syntax does not allow; re-export the file',
        },
      );
    }
    // DICOM RGB means the JPEG holds untransformed RGB samples (PS3.5 §8.2.1); libjpeg would assume
    // YCbCr unless an Adobe marker says "no transform", so add one.
    const stream = pm.samplesPerPixel === 3 && pm.photometric === 'RGB' ? withAdobeNoTransform(encoded) : encoded;
    return withDecoder(h, 'JPEGDecoder', (d) => {
      d.getEncodedBuffer(stream.length).set(stream);
      d.readHeader!();
      const fi = d.getFrameInfo();
      checkGeometry('JPEG baseline', pm, { width: fi.width, height: fi.height, components: fi.componentCount });
      d.decode();
      const out = copyOut(d.getDecodedBuffer());
      return finishFrame('JPEG baseline', pm, out, 8, false, false, pm.samplesPerPixel === 3 ? 'RGB' : undefined);
    });
  });
}

/** JPEG-LS lossless and near-lossless: CharLS. */
export async function createJpegLsCodec(): Promise<FrameCodec> {
  const h = host(
    'charls',
    () => import('@cornerstonejs/codec-charls/decodewasmjs'),
    '@cornerstonejs/codec-charls/decodewasm',
  );
  await h.ready();
  return makeCodec('JPEG-LS (CharLS)', h, startsWithSoi, (encoded, pm) => {
    const sof = readJpegFrameHeader(encoded);
    checkGeometry('JPEG-LS', pm, sof);
    if (sof!.marker !== 0xfff7) throw new Error(`SOF marker ${sof!.marker.toString(16)} is not JPEG-LS (SOF55)`);
    return withDecoder(h, 'JpegLSDecoder', (d) => {
      d.getEncodedBuffer(encoded.length).set(encoded);
      d.decode();
      const fi = d.getFrameInfo();
      checkGeometry('JPEG-LS', pm, { width: fi.width, height: fi.height, components: fi.componentCount });
      const planar = pm.samplesPerPixel > 1 && d.getInterleaveMode!() === 0;
      const out = copyOut(d.getDecodedBuffer());
      return finishFrame('JPEG-LS', pm, out, fi.bitsPerSample, false, planar);
    });
  });
}

function j2kLike(name: string, h: WasmHost<EmModule>, cls: string): FrameCodec {
  return makeCodec(name, h, isJ2kStart, (encoded, pm) => {
    checkGeometry(name, pm, readSiz(encoded));
    return withDecoder(h, cls, (d) => {
      d.getEncodedBuffer(encoded.length).set(encoded);
      // The SIZ check above already matched the size; OpenJPEG fills its frame info only on decode.
      d.decode();
      const fi = d.getFrameInfo();
      checkGeometry(name, pm, {
        width: fi.width,
        height: fi.height,
        components: fi.componentCount,
        precision: fi.bitsPerSample,
      });
      const out = copyOut(d.getDecodedBuffer());
      return finishFrame(name, pm, out, fi.bitsPerSample, fi.isSigned === true, false);
    });
  });
}

/** JPEG 2000 (lossless and lossy): OpenJPEG. */
export async function createJpeg2000Codec(): Promise<FrameCodec> {
  const h = host(
    'openjpeg',
    () => import('@cornerstonejs/codec-openjpeg/decodewasmjs'),
    '@cornerstonejs/codec-openjpeg/decodewasm',
  );
  await h.ready();
  return j2kLike('JPEG 2000 (OpenJPEG)', h, 'J2KDecoder');
}

/** High-Throughput JPEG 2000: OpenJPH. */
export async function createHtj2kCodec(): Promise<FrameCodec> {
  const h = host('openjph', () => import('@cornerstonejs/codec-openjph/wasmjs'), '@cornerstonejs/codec-openjph/wasm');
  await h.ready();
  return j2kLike('HTJ2K (OpenJPH)', h, 'HTJ2KDecoder');
}
