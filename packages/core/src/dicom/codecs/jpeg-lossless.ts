// JPEG Lossless, process 14 (any predictor, and SV1): jpeg-lossless-decoder-js (pure JS).
import { Decoder } from 'jpeg-lossless-decoder-js';
import type { FrameCodec } from './types.js';
import { checkGeometry, decodeFailed, finishFrame } from './check.js';
import { readJpegFrameHeader, startsWithSoi } from './jpeg-markers.js';

/** The JPEG lossless codec. */
export const jpegLosslessCodec: FrameCodec = {
  name: 'JPEG lossless',
  isFrameStart: startsWithSoi,
  decode(encoded, pm) {
    const sof = readJpegFrameHeader(encoded);
    checkGeometry('JPEG lossless', pm, sof);
    if (sof!.marker !== 0xffc3 && sof!.marker !== 0xffc7)
      throw decodeFailed('JPEG lossless', new Error(`SOF marker ${sof!.marker.toString(16)} is not lossless`));
    const inBps = sof!.precision > 8 ? 2 : 1;
    let out: Uint8Array;
    try {
      const buf = encoded.buffer.slice(encoded.byteOffset, encoded.byteOffset + encoded.byteLength) as ArrayBuffer;
      const res = new Decoder().decode(buf, 0, buf.byteLength, inBps) as unknown as ArrayBufferView;
      out = new Uint8Array(res.buffer, res.byteOffset, res.byteLength);
    } catch (e) {
      throw decodeFailed('JPEG lossless', e);
    }
    return finishFrame('JPEG lossless', pm, out, sof!.precision, false, false);
  },
};
