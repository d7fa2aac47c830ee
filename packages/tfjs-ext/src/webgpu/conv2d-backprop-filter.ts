// Conv2DBackpropFilter (the weight gradient of every convolution) for the tfjs `webgpu` backend as
// matrix products. tfjs-backend-webgpu 4.22 runs one shader invocation per filter weight, each summing
// serially over batch × output rows × output columns: for InceptionV3 at 512 × 512 a 3×3×32×32 filter is
// 9,216 invocations of ~128,000 multiply-adds each, which leaves a GPU almost idle. Here:
//   patches[n, (i·kw + j)·ci + c] = x_padded[b, i + s·y, j + s·x, c]   (one StridedSlice per tap, one Concat)
//   dW = patchesᵀ · dy  as S independent products over chunks of L ≤ 1024 rows, then a Sum over the chunks
// — the backend's tiled matmul shaders, enough workgroups, and a fixed summation order (tfjs's own
// split-K matmul adds with float atomics: not repeatable). NHWC only; NCHW falls back to tfjs's kernel.
// Mode 'auto' keeps tfjs's kernel where its serial sums are short (B·Ho·Wo ≤ 4096: the late, wide layers,
// where it has ~10⁵–10⁶ invocations and the patch copies here would cost more than they save).
import { backend_util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { withKernels } from './kernel-runner.js';

interface Attrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

/** Rows per chunk: L = Wo · r for the largest r dividing Ho with L ≤ 1024 (L divides N = B·Ho·Wo). */
function chunkRows(outH: number, outW: number): number {
  let rows = outW;
  for (let r = 1; r <= outH; r++) if (outH % r === 0 && outW * r <= 1024) rows = outW * r;
  return rows;
}

/** Which filter-gradient kernel to use on webgpu: tfjs's, the matmul one, or by size (see the file header). */
export type FilterGradientMode = 'auto' | 'matmul' | 'tfjs';

/** Serial-sum length above which 'auto' uses the matmul kernel. */
export const AUTO_MATMUL_MIN_ROWS = 4096;

/** The filter gradient by matrix products; `fallback` (tfjs's kernel) for NCHW and, in 'auto', short sums. */
export function conv2DBackpropFilterByMatMul(
  fallback: KernelFunc | undefined,
  mode: FilterGradientMode = 'matmul',
): KernelFunc {
  return (args) => {
    const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
    const attrs = args.attrs as unknown as Attrs;
    if (attrs.dataFormat === 'NCHW' && fallback) return fallback(args);
    const info = backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      attrs.filterShape,
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
      false,
      'channelsLast',
    );
    const {
      batchSize: B,
      inHeight: H,
      inWidth: W,
      inChannels: ci,
      outHeight: Ho,
      outWidth: Wo,
      outChannels: co,
    } = info;
    const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
    const { top, left } = info.padInfo;
    const N = B * Ho * Wo;
    const K = kh * kw * ci;
    if (fallback && (mode === 'tfjs' || (mode === 'auto' && N <= AUTO_MATMUL_MIN_ROWS))) return fallback(args);
    return withKernels(args.backend, 'webgpu', (run) => {
      let patches: TensorInfo;
      if (kh === 1 && kw === 1 && sh === 1 && sw === 1 && top === 0 && left === 0 && Ho === H && Wo === W) {
        patches = x;
      } else {
        // pad so that every tap's strided window lies inside (extra rows/columns at the end are zeros)
        const bottom = Math.max(0, (Ho - 1) * sh + kh - top - H);
        const right = Math.max(0, (Wo - 1) * sw + kw - left - W);
        const padded =
          top || left || bottom || right
            ? run(
                'PadV2',
                { x },
                {
                  paddings: [
                    [0, 0],
                    [top, bottom],
                    [left, right],
                    [0, 0],
                  ],
                  constantValue: 0,
                },
              )
            : x;
        const taps: TensorInfo[] = [];
        for (let i = 0; i < kh; i++) {
          for (let j = 0; j < kw; j++) {
            taps.push(
              run(
                'StridedSlice',
                { x: padded },
                {
                  begin: [0, i, j, 0],
                  end: [B, i + (Ho - 1) * sh + 1, j + (Wo - 1) * sw + 1, ci],
                  strides: [1, sh, sw, 1],
                  beginMask: 0,
                  endMask: 0,
                  ellipsisMask: 0,
                  newAxisMask: 0,
                  shrinkAxisMask: 0,
                },
              ),
            );
          }
        }
        // Concat takes its inputs as an array (as tfjs-core's concat op passes them)
        patches =
          taps.length === 1 ? taps[0]! : run('Concat', taps as unknown as Record<string, TensorInfo>, { axis: 3 });
      }
      const L = chunkRows(Ho, Wo);
      const S = N / L;
      const a = run('Reshape', { x: patches }, { shape: [S, L, K] });
      const b = run('Reshape', { x: dy }, { shape: [S, L, co] });
      const products = run('BatchMatMul', { a, b }, { transposeA: true, transposeB: false }); // [S, K, co]
      const dw = S === 1 ? products : run('Sum', { x: products }, { axis: [0], keepDims: false });
      return run('Reshape', { x: dw }, { shape: [kh, kw, ci, co] });
    });
  };
}

/** Kernel config for backend 'webgpu' (see the file header); `fallback` is tfjs's own kernel function. */
export function conv2DBackpropFilterWebGpuConfig(
  fallback: KernelFunc | undefined,
  mode: FilterGradientMode = 'auto',
): KernelConfig {
  return {
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'webgpu',
    kernelFunc: conv2DBackpropFilterByMatMul(fallback, mode),
  };
}
