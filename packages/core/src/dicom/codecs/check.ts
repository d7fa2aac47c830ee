// Shared checks for codec input/output against the DICOM header.
import type { PixelModule } from '../pixel-module.js';
import { dicomError } from '../errors.js';
import type { DecodedFrame } from './types.js';

/** Throws DICOM_DECODE_FAILED unless the codestream's size matches the header (checked before decoding). */
export function checkGeometry(
  codec: string,
  pm: PixelModule,
  got: { width: number; height: number; components: number; precision?: number } | undefined,
): void {
  if (!got) {
    throw dicomError('DICOM_DECODE_FAILED', `${codec}: the frame has no readable codestream header`, {
      received: 'no frame header',
      fix: 'the compressed frame is corrupt; re-export the file',
    });
  }
  if (got.width !== pm.columns || got.height !== pm.rows || got.components !== pm.samplesPerPixel) {
    throw dicomError(
      'DICOM_DECODE_FAILED',
      `${codec}: the codestream is ${got.width}×${got.height}×${got.components} but the header says ${pm.columns}×${pm.rows}×${pm.samplesPerPixel}`,
      { received: got, fix: 'the compressed frame does not match Rows/Columns/SamplesPerPixel; re-export the file' },
    );
  }
  if (got.precision !== undefined && (got.precision < 1 || got.precision > 16)) {
    throw dicomError('DICOM_DECODE_FAILED', `${codec}: sample precision ${got.precision} is not supported`, {
      received: got.precision,
      fix: 'the compressed frame is corrupt or uses more than 16 bits',
    });
  }
}

/** Wraps an unexpected codec exception as DICOM_DECODE_FAILED (typed errors pass through). */
export function decodeFailed(codec: string, e: unknown) {
  if (e instanceof Error && e.name === 'CxrkitError') return e;
  const msg = e instanceof Error ? e.message : typeof e === 'number' ? `native exception ${e}` : String(e);
  return dicomError('DICOM_DECODE_FAILED', `${codec} could not decode the frame (${msg.slice(0, 200)})`, {
    received: 'compressed frame',
    fix: 'the compressed pixel data is corrupt or uses an unsupported variant; re-export the file',
    cause: e,
  });
}

/** Bytes per output sample for a pixel module (1-bit and 8-bit → 1, 16-bit → 2, 32-bit → 4). */
export function bytesPerSample(pm: PixelModule): number {
  return pm.bitsAllocated <= 8 ? 1 : pm.bitsAllocated / 8;
}

/**
 * Converts codec output of `fromBytes` per sample to the pixel module's sample size (an 8-bit JPEG in a
 * BitsAllocated 16 file, for instance), sign-extending when the codec output is signed.
 */
export function widen(src: Uint8Array, fromBytes: number, pm: PixelModule, signed: boolean): Uint8Array {
  const to = bytesPerSample(pm);
  if (fromBytes === to) return src;
  const n = Math.floor(src.length / fromBytes);
  const out = new Uint8Array(n * to);
  const dv = new DataView(src.buffer, src.byteOffset, src.byteLength);
  const ov = new DataView(out.buffer);
  for (let i = 0; i < n; i++) {
    const v =
      fromBytes === 1
        ? signed
          ? dv.getInt8(i)
          : dv.getUint8(i)
        : signed
          ? dv.getInt16(i * 2, true)
          : dv.getUint16(i * 2, true);
    if (to === 1) ov.setUint8(i, v & 0xff);
    else if (to === 2) ov.setUint16(i * 2, v & 0xffff, true);
    else ov.setUint32(i * 4, v >>> 0, true);
  }
  return out;
}

/** Throws DICOM_DECODE_FAILED unless the decoded frame has exactly the expected number of bytes. */
export function checkOutput(codec: string, pm: PixelModule, bytes: Uint8Array, bps: number): void {
  const want = pm.rows * pm.columns * pm.samplesPerPixel * bps;
  if (bytes.length < want) {
    throw dicomError('DICOM_DECODE_FAILED', `${codec} produced ${bytes.length} bytes but the frame needs ${want}`, {
      received: `${bytes.length} bytes`,
      fix: 'the compressed frame is corrupt or does not match the header; re-export the file',
    });
  }
}

/**
 * The codec's output (samples of `bitsPerSample` bits: 1 byte up to 8, else 2) → a decoded frame in the
 * pixel module's sample size: checked for a whole frame before and after {@link widen}.
 */
export function finishFrame(
  codec: string,
  pm: PixelModule,
  out: Uint8Array,
  bitsPerSample: number,
  signed: boolean,
  planar: boolean,
  photometric?: string,
): DecodedFrame {
  const inBps = bitsPerSample > 8 ? 2 : 1;
  checkOutput(codec, pm, out, inBps);
  const n = pm.rows * pm.columns * pm.samplesPerPixel;
  const bytes = widen(out.subarray(0, n * inBps), inBps, pm, signed);
  checkOutput(codec, pm, bytes, bytesPerSample(pm));
  // codec output is always copied out of the codec's memory (or widened into a new array): the reader owns it
  return { bytes, planar, owned: true, ...(photometric ? { photometric } : {}) };
}
