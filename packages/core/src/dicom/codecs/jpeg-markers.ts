// A small JPEG marker walk that reads the frame header (SOFn / JPEG-LS SOF55) before any codec runs,
// so a codec is only ever called on a stream whose size matches the DICOM header.

/** The frame header of a JPEG, JPEG-LS or JPEG lossless stream. */
export interface JpegFrameHeader {
  /** The SOF marker (0xFFC0…0xFFCF, or 0xFFF7 for JPEG-LS). */
  marker: number;
  precision: number;
  height: number;
  width: number;
  components: number;
}

/** True when `b` starts with a JPEG SOI marker. */
export function startsWithSoi(b: Uint8Array): boolean {
  return b.length >= 2 && b[0] === 0xff && b[1] === 0xd8;
}

/** Finds the first SOF segment after SOI by walking marker segments; undefined when there is none. */
export function readJpegFrameHeader(b: Uint8Array): JpegFrameHeader | undefined {
  if (!startsWithSoi(b)) return undefined;
  let p = 2;
  while (p + 4 <= b.length) {
    if (b[p] !== 0xff) return undefined;
    let marker = b[p + 1]!;
    while (marker === 0xff && p + 2 < b.length) {
      p++;
      marker = b[p + 1]!;
    }
    const code = 0xff00 | marker;
    p += 2;
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue;
    if (p + 2 > b.length) return undefined;
    const len = (b[p]! << 8) | b[p + 1]!;
    if (len < 2) return undefined;
    const isSof =
      (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) || marker === 0xf7;
    if (isSof) {
      if (p + 8 > b.length) return undefined;
      return {
        marker: code,
        precision: b[p + 2]!,
        height: (b[p + 3]! << 8) | b[p + 4]!,
        width: (b[p + 5]! << 8) | b[p + 6]!,
        components: b[p + 7]!,
      };
    }
    if (marker === 0xda || marker === 0xd9) return undefined;
    p += len;
  }
  return undefined;
}
