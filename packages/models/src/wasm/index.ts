export { registerWasmTrainingKernels, unregisterWasmTrainingKernels, wasmTrainingKernelNames } from './register.js';
