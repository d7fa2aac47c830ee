/**
 * @cxrkit/tfjs-ext/base — everything cxrkit adds to TensorFlow.js 4.22, with no side effect on import
 * (tfjs's own pattern: `@tensorflow/tfjs-backend-cpu/base`). `@cxrkit/tfjs-ext` is the same plus the
 * registration at import; use this entry to register yourself (`registerGradientFixes()`,
 * `autoRegisterWasmTrainingKernels()`, `registerWasmTrainingKernels()`).
 *
 * - wasm training: the kernels tfjs-backend-wasm lacks or runs as scalar loops (WASM SIMD, XNNPACK),
 *   threads in Node, the 4 GiB heap guard, fused Adam (see src/wasm/README.md);
 * - gradient fixes for every backend (AvgPool with 'same' padding) and the unfused Conv2D call;
 * - the one layer-graph walker (nested models, tfjs-layers' execution order) that Grad-CAM, the ONNX
 *   exporter and the trainer share;
 * - webgpu training: a tiled filter gradient and a deterministic (no split-K) matmul (src/webgpu/README.md).
 */
export * from './wasm/index.js';
export { gradientFixesRegistered } from './gradients/register-gradient-fixes.js';
export { ensureTrainingKernels } from './ensure-training-kernels.js';
export { unfusedConv2d, lacksFilterGradient } from './unfused-conv.js';
export * from './layer-graph/index.js';
export * from './webgpu/index.js';
