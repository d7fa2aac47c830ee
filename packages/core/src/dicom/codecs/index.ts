// Lazy codec loading: a codec module (and its WASM) is imported the first time a file needs it, so
// reading uncompressed files never pays for the decoders.
import type { CodecName } from '../transfer-syntax.js';
import type { FrameCodec } from './types.js';

export type { FrameCodec, DecodedFrame } from './types.js';

/** Codecs by the name the transfer-syntax table uses (plus the encapsulated-uncompressed pass-through). */
export type LoadableCodec = Exclude<CodecName, 'native'> | 'encapsulated-native' | 'jpeg-12bit';

const loaded = new Set<LoadableCodec>();

/** The codecs loaded so far in this process (to check that uncompressed reads load none). */
export function loadedCodecs(): ReadonlySet<LoadableCodec> {
  return loaded;
}

/**
 * Returns a ready codec (WASM instantiated). Called on every `readDicom` of a compressed file, which
 * also replaces an instance that failed earlier.
 */
export async function loadCodec(name: LoadableCodec): Promise<FrameCodec> {
  loaded.add(name);
  switch (name) {
    case 'encapsulated-native':
      return (await import('./simple.js')).encapsulatedNativeCodec;
    case 'deflate':
      return (await import('./simple.js')).createDeflateCodec();
    case 'rle':
      return (await import('./rle.js')).rleCodec;
    case 'jpeg-lossless':
      return (await import('./jpeg-lossless.js')).jpegLosslessCodec;
    case 'jpeg-baseline':
      return (await import('./wasm-codecs.js')).createJpegBaselineCodec();
    case 'jpeg-12bit':
      return (await import('./jpeg12.js')).createJpeg12Codec();
    case 'jpeg-ls':
      return (await import('./wasm-codecs.js')).createJpegLsCodec();
    case 'jpeg2000':
      return (await import('./wasm-codecs.js')).createJpeg2000Codec();
    case 'htj2k':
      return (await import('./wasm-codecs.js')).createHtj2kCodec();
  }
}
