// SplitV for the wasm backend as row copies inside the heap (heapSlice). tfjs 4.22's wasm SplitV runs
// its Slice kernel per output, which first copies the WHOLE input out of the heap: the gradient of every
// InceptionV3/DenseNet Concatenate is a SplitV of an activation-sized tensor (~3.4 ms per call at 299
// batch 2, 15 calls per InceptionV3 step).
import { backend_util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { heapSlice, isWasmHeapBackend } from './heap-copy.js';

export const splitVWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x } = inputs as { x: TensorInfo };
  const { numOrSizeSplits, axis } = attrs as unknown as { numOrSizeSplits: number[] | number; axis: number };
  if (!isWasmHeapBackend(backend) || x.dtype === 'string')
    throw new Error('[cxrkit/tfjs-ext] SplitV: not a numeric tensor on the tfjs wasm backend');
  const $axis = axis < 0 ? axis + x.shape.length : axis;
  const sizes = backend_util.prepareSplitSize(x, numOrSizeSplits, $axis);
  const begin = new Array<number>(x.shape.length).fill(0);
  const size = x.shape.slice();
  return sizes.map((s) => {
    size[$axis] = s;
    const out = heapSlice(backend, x, begin, size);
    begin[$axis]! += s;
    return out;
  });
};

/** Kernel config: SplitV on the wasm backend. */
export const splitVWasmConfig: KernelConfig = { kernelName: 'SplitV', backendName: 'wasm', kernelFunc: splitVWasm };
