// The contract between the reader and a frame codec.
import type { PixelModule } from '../pixel-module.js';

/** What a codec returns for one frame. */
export interface DecodedFrame {
  /** Little-endian samples of BitsAllocated/8 bytes (1 byte for 8-bit), `rows × columns × samples` of them. */
  bytes: Uint8Array;
  /** Colour samples are planar (RR…GG…BB…) rather than interleaved. */
  planar: boolean;
  /** The photometric interpretation of the decoded samples when the codec converted colour (JPEG YBR → RGB). */
  photometric?: string;
  /** `bytes` is a fresh buffer nothing else references: the reader may keep it and fix values in place. */
  owned?: boolean;
}

/** A loaded codec: decodes one compressed frame synchronously (throws on corrupt data). */
export interface FrameCodec {
  readonly name: string;
  /** True when `bytes` begins a new frame (used to split frames when there is no offset table). */
  isFrameStart(bytes: Uint8Array): boolean;
  decode(encoded: Uint8Array, pm: PixelModule): DecodedFrame;
}
