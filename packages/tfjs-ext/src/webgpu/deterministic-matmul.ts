// A repeatability fix for the tfjs `webgpu` backend. For a product with one batch, a small output and a
// long inner dimension (≥ 2000: e.g. a Dense layer on InceptionV3's 2,048 pooled features, batch 2),
// tfjs-backend-webgpu 4.22 picks its split-K matmul, whose partial sums are added with float atomics in
// whatever order the GPU runs them: the same product gives different last bits run to run (seen on
// lavapipe: 1,528 of 2,048 elements differ across 5 runs of [2×4096]·[4096×256]), and so does training
// under the same seed. This wrapper makes exactly those calls use tfjs's small-output tiled program
// (the choice tfjs makes when the inner dimension is < 2000) and leaves every other call alone.
import { env, util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';

const PROGRAM_FLAG = 'WEBGPU_MATMUL_PROGRAM_TYPE';
const THRESHOLD_FLAG = 'WEBGPU_THRESHOLD_TO_INCREASE_WORKGROUPS_FOR_MATMUL';
/** tfjs-backend-webgpu's MatMulProgramType.MatMulSmallOutputSizeProgram. */
const SMALL_OUTPUT_SIZE_PROGRAM = 2;

/** True when tfjs-backend-webgpu 4.22's batchMatMulImpl would choose its split-K program (its rule, restated). */
export function choosesSplitK(
  a: TensorInfo,
  b: TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
  backend: unknown,
): boolean {
  if (Number(env().get(PROGRAM_FLAG)) >= 0) return false; // a program was forced by the user
  const ra = a.shape.length;
  const rb = b.shape.length;
  const innerB = transposeB ? b.shape[rb - 1]! : b.shape[rb - 2]!;
  const outerA = transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
  const outerB = transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
  const batch = Math.max(util.sizeFromShape(a.shape.slice(0, -2)), util.sizeFromShape(b.shape.slice(0, -2)));
  const flag = Number(env().get(THRESHOLD_FLAG));
  const threshold =
    flag > 0
      ? flag
      : Number((backend as { thresholdToIncreaseWorkgroups?: number }).thresholdToIncreaseWorkgroups ?? 8);
  const workgroups = batch * Math.ceil(outerA / 32) * Math.ceil(outerB / 32);
  const few = workgroups <= threshold || (outerA <= 8 && workgroups <= threshold * 2);
  return few && batch * outerA * outerB > 128 && batch === 1 && innerB >= 2000;
}

/** Wraps tfjs's BatchMatMul or _FusedMatMul kernel for 'webgpu' so that it never uses split-K. */
export function deterministicMatMulConfig(original: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const { transposeA, transposeB } = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
    if (!choosesSplitK(a, b, transposeA, transposeB, args.backend)) return original.kernelFunc(args);
    const e = env();
    const saved = e.get(PROGRAM_FLAG);
    e.set(PROGRAM_FLAG, SMALL_OUTPUT_SIZE_PROGRAM);
    try {
      return original.kernelFunc(args);
    } finally {
      e.set(PROGRAM_FLAG, saved);
    }
  };
  return { ...original, kernelFunc };
}
