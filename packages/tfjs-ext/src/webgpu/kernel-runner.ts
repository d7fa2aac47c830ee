// Runs the webgpu backend's own registered kernels on TensorInfos, so the kernels in this folder are
// compositions of tfjs-backend-webgpu's shaders and never import that package (backends are injected).
import { getKernel, type KernelBackend, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';

/** What the kernels here use of the backend object (duck-typed). */
interface DisposingBackend extends KernelBackend {
  disposeData(dataId: object, force?: boolean): boolean;
}

/**
 * Runs `fn` with a `run(kernelName, inputs, attrs)` bound to `backend` and returns `fn`'s result; every
 * other tensor created through `run` is released, on success and on error.
 */
export function withKernels(backend: unknown, backendName: string, fn: (run: KernelRun) => TensorInfo): TensorInfo {
  const b = backend as DisposingBackend;
  const live: TensorInfo[] = [];
  const run: KernelRun = (name, inputs, attrs = {}) => {
    const config = getKernel(name, backendName);
    if (config === undefined)
      throw new Error(`[cxrkit/models] kernel '${name}' is not registered for backend '${backendName}'`);
    const out = config.kernelFunc({ inputs, attrs: attrs as unknown as NamedAttrMap, backend: b }) as TensorInfo;
    live.push(out);
    return out;
  };
  let result: TensorInfo | undefined;
  try {
    result = fn(run);
    return result;
  } finally {
    for (const t of live) if (t !== result) b.disposeData(t.dataId);
  }
}

/** Runs a registered kernel of the bound backend; its output is released by {@link withKernels} unless returned. */
export type KernelRun = (name: string, inputs: Record<string, TensorInfo>, attrs?: object) => TensorInfo;
