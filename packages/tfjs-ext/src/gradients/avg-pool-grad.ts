// A correctness fix, for every backend: tfjs 4.22's AvgPool forward divides each window by the number
// of in-bounds pixels (TF/Keras semantics for padding 'same'), but its gradient (AvgPoolGrad on cpu,
// wasm and webgl) divides by the full window size fH·fW. At the borders of a 'same' average pool — in
// every InceptionV3 mixed block (3×3, stride 1, same) — the gradient is therefore too small (e.g. ×4/9
// at a corner of a 3×3 window). This gradient rescales dy per output position by fH·fW / count and
// then uses the backend's own AvgPoolGrad, which makes it exact. 'valid' pools (no padding) are
// unchanged bit for bit.
import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, NamedAttrMap, Tensor } from '@tensorflow/tfjs-core';

/** fH·fW / (in-bounds pixels) per output position, [1, outH, outW, 1]; undefined when never < 1. */
function borderScale(xShape: number[], attrs: NamedAttrMap): Tensor | undefined {
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as {
    filterSize: [number, number] | number;
    strides: [number, number] | number;
    pad: 'valid' | 'same' | number;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
  };
  const info = tf.backend_util.computePool2DInfo(
    xShape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const { outHeight: oh, outWidth: ow, inHeight: ih, inWidth: iw, strideHeight: sh, strideWidth: sw } = info;
  const fh = info.effectiveFilterHeight;
  const fw = info.effectiveFilterWidth;
  const { top, left } = info.padInfo;
  const scale = new Float32Array(oh * ow);
  let partial = false;
  for (let r = 0; r < oh; r++) {
    const r0 = r * sh - top;
    const rows = Math.min(ih, r0 + fh) - Math.max(0, r0);
    for (let c = 0; c < ow; c++) {
      const c0 = c * sw - left;
      const cols = Math.min(iw, c0 + fw) - Math.max(0, c0);
      const count = rows * cols;
      scale[r * ow + c] = (fh * fw) / count;
      if (count !== fh * fw) partial = true;
    }
  }
  return partial ? tf.tensor4d(scale, [1, oh, ow, 1]) : undefined;
}

/** Wraps tfjs-core's AvgPool gradient so that windows cut by 'same' padding get the exact gradient. */
export function avgPoolGradConfig(original: GradConfig): GradConfig {
  return {
    kernelName: 'AvgPool',
    inputsToSave: original.inputsToSave ?? ['x'],
    gradFunc: (dy, saved, attrs) => {
      const x = saved[0]!;
      const scale = borderScale(x.shape, attrs);
      if (scale === undefined) return original.gradFunc(dy, saved, attrs);
      const scaled = tf.mul(dy as Tensor, scale);
      return original.gradFunc(scaled, saved, attrs);
    },
  };
}
