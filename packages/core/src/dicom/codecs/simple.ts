// Encapsulated frames that are not image-compressed: Encapsulated Uncompressed (1.2.840.10008.1.2.1.98)
// and Deflated Image Frame Compression (1.2.840.10008.1.2.8.1, deflate via fflate).
import { frameBits, type PixelModule } from '../pixel-module.js';
import type { DecodedFrame, FrameCodec } from './types.js';
import { dicomError } from '../errors.js';
import { unpackBits } from '../stored.js';

function raw(bytes: Uint8Array, pm: PixelModule): DecodedFrame {
  if (pm.bitsAllocated === 1)
    return { bytes: unpackBits(bytes, 0, pm.rows * pm.columns * pm.samplesPerPixel), planar: false };
  return { bytes, planar: pm.planarConfiguration === 1 };
}

/** Encapsulated uncompressed frames: the fragment bytes are the little-endian samples. */
export const encapsulatedNativeCodec: FrameCodec = {
  name: 'encapsulated uncompressed',
  isFrameStart: () => false,
  decode: raw,
};

/** Deflated frames: each frame is a raw deflate stream of the native frame (inflate size-capped). */
export async function createDeflateCodec(): Promise<FrameCodec> {
  const { Inflate } = await import('fflate');
  return {
    name: 'deflate',
    isFrameStart: () => false,
    decode(encoded, pm) {
      const cap = Math.ceil(frameBits(pm) / 8);
      const out = new Uint8Array(cap);
      let o = 0;
      const inflater = new Inflate((chunk) => {
        const n = Math.min(chunk.length, cap - o);
        out.set(chunk.subarray(0, n), o);
        o += n;
      });
      try {
        inflater.push(encoded, true);
      } catch (e) {
        throw dicomError('DICOM_DECODE_FAILED', `deflate: the frame cannot be inflated (${(e as Error).message})`, {
          received: `${encoded.length} bytes`,
          fix: 'the deflated frame is corrupt; re-export the file',
          cause: e,
        });
      }
      if (o < cap) {
        throw dicomError('DICOM_PIXEL_DATA_SHORT', `deflate: the frame inflates to ${o} bytes but ${cap} are needed`, {
          received: `${o} bytes`,
          fix: 'the deflated frame is incomplete; re-export the file',
        });
      }
      return { ...raw(out, pm), owned: true };
    },
  };
}
