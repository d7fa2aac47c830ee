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
