// What the exporter knows about each tensor while it walks the tfjs graph.

/**
 * `nchw`: a 4-D feature map stored channels-first inside the ONNX graph (its Keras shape is NHWC);
 * `plain`: any other tensor, stored exactly in its Keras layout.
 */
export type Layout = 'nchw' | 'plain';

export interface TensorInfo {
  /** ONNX tensor name. */
  name: string;
  layout: Layout;
  /** The tfjs (Keras, channels-last) shape, batch first; `null` for unknown dimensions. */
  kerasShape: readonly (number | null)[];
}

/** Maps a Keras (channels-last) axis of a rank-`rank` tensor to the ONNX axis for `layout`. */
export function onnxAxis(axis: number, rank: number, layout: Layout): number {
  const a = axis < 0 ? axis + rank : axis;
  if (layout === 'plain') return a;
  return [0, 2, 3, 1][a]!;
}
