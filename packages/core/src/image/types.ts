/**
 * A single-channel image: row-major float pixels, `data.length === width * height`.
 * This is the currency of @cxrkit/core: DICOM/PNG readers produce it, transforms take and return it,
 * and it becomes a `[1, height, width, channels]` tensor only at the edge.
 */
export interface GrayImage {
  data: Float32Array;
  width: number;
  height: number;
}

/**
 * An 8-bit grey image: row-major bytes 0–255, `data.length === width * height` (e.g. a CAM atlas scaled
 * to 8 bits). Written to PNG as is by `encodePng` / `writePng`.
 */
export interface Gray8Image {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
}

/**
 * An 8-bit colour image, interleaved row-major: RGBA (`channels` 4, the default when the data has
 * 4 × width × height bytes) or RGB (3). Grad-CAM overlays are RGBA with `Uint8ClampedArray` data (what a
 * browser's `ImageData` takes).
 */
export interface RgbaImage {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
  /** 3 (RGB) or 4 (RGBA). Default: from the data length. */
  channels?: 3 | 4;
}

/** Any image `encodePng` / `writePng` can write. */
export type PngImage = GrayImage | Gray8Image | RgbaImage;
