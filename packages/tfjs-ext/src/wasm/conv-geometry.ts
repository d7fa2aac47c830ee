import { backend_util } from '@tensorflow/tfjs-core';

/** Geometry of an NHWC conv, as tfjs-core computes it (so padding matches the forward pass exactly). */
export interface ConvGeometry {
  batch: number;
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  outC: number;
  kH: number;
  kW: number;
  sH: number;
  sW: number;
  padTop: number;
  padLeft: number;
}

/**
 * Computes the conv geometry for x [batch, h, w, c] and filter [kH, kW, inC, outC] via
 * backend_util.computeConv2DInfo (dilation 1: tfjs-core refuses gradients of dilated convs).
 */
export function convGeometry(
  xShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  strides: [number, number] | number,
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding,
  dimRoundingMode: 'floor' | 'round' | 'ceil' | undefined,
  dataFormat: 'NHWC' | 'NCHW' = 'NHWC',
): ConvGeometry {
  if (dataFormat !== 'NHWC') {
    throw new Error(
      `[cxrkit/tfjs-ext] the wasm training kernels support dataFormat 'NHWC' only (received '${dataFormat}')`,
    );
  }
  const info = backend_util.computeConv2DInfo(
    xShape,
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  return {
    batch: info.batchSize,
    inH: info.inHeight,
    inW: info.inWidth,
    inC: info.inChannels,
    outH: info.outHeight,
    outW: info.outWidth,
    outC: info.outChannels,
    kH: info.filterHeight,
    kW: info.filterWidth,
    sH: info.strideHeight,
    sW: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}
