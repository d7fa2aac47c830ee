// Calls the wasm backend's own registered kernels on TensorInfos, so the training kernels in this
// folder are compositions of XNNPACK-backed kernels and never import @tensorflow/tfjs-backend-wasm.
import {
  isWasmHeapBackend,
  heapFlipTaps,
  heapPadPhaseTranspose,
  heapSlice,
  heapView,
  releaseHeapView,
  type WasmHeapBackend,
} from './heap-copy.js';
import { getKernel, type KernelBackend, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';

/** The subset of the wasm backend object the training kernels use (duck-typed, no import). */
export interface WasmBackendLike extends KernelBackend {
  disposeData(dataId: object, force?: boolean): boolean;
}

/**
 * A tiny kernel runner bound to one backend: `k.run('Transpose', { x }, { perm })`. Every
 * intermediate it returns must be released with `k.free(...)`; `k.done(out)` releases all
 * intermediates created through it except `out`.
 */
export class KernelCalls {
  private readonly live: TensorInfo[] = [];
  private readonly views: TensorInfo[] = [];

  constructor(
    readonly backend: WasmBackendLike,
    readonly backendName = 'wasm',
  ) {}

  /**
   * Runs `fn` with a fresh runner on `backend` and returns its output; every other intermediate is
   * released, on success ({@link done}) and on error ({@link release}).
   */
  static scoped(backend: unknown, fn: (k: KernelCalls) => TensorInfo): TensorInfo {
    const k = new KernelCalls(backend as WasmBackendLike);
    try {
      return k.done(fn(k));
    } catch (e) {
      k.release();
      throw e;
    }
  }

  /** Runs the kernel registered as `name` for this backend and tracks its output. */
  run(name: string, inputs: Record<string, TensorInfo>, attrs: object = {}): TensorInfo {
    const config = getKernel(name, this.backendName);
    if (config === undefined)
      throw new Error(`[cxrkit/tfjs-ext] kernel '${name}' is not registered for backend '${this.backendName}'`);
    const out = config.kernelFunc({
      inputs,
      attrs: attrs as unknown as NamedAttrMap,
      backend: this.backend,
    }) as TensorInfo;
    this.live.push(out);
    return out;
  }

  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.run('Reshape', { x }, { shape });
  }

  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    return this.run('Transpose', { x }, { perm });
  }

  /** x[begin : begin+size]; copies inside the wasm heap when possible (see heap-copy.ts). */
  slice(x: TensorInfo, begin: number[], size: number[]): TensorInfo {
    if (x.dtype !== 'string' && isWasmHeapBackend(this.backend)) {
      const out = heapSlice(this.backend, x, begin, size);
      this.live.push(out);
      return out;
    }
    return this.run('Slice', { x }, { begin, size });
  }

  /** w [kH, kW, m, n] reversed along kH and kW. */
  flipTaps(w: TensorInfo): TensorInfo {
    if (w.dtype !== 'string' && isWasmHeapBackend(this.backend)) {
      const out = heapFlipTaps(this.backend, w);
      this.live.push(out);
      return out;
    }
    return this.run('Reverse', { x: w }, { dims: [0, 1] });
  }

  /** Concatenates along `axis` (wasm's Concat works on the heap already). */
  concat(xs: TensorInfo[], axis: number): TensorInfo {
    if (xs.length === 1) return this.reshape(xs[0]!, xs[0]!.shape.slice());
    return this.run('Concat', xs as unknown as Record<string, TensorInfo>, { axis });
  }

  pad(x: TensorInfo, paddings: Array<[number, number]>): TensorInfo {
    if (paddings.every(([a, b]) => a === 0 && b === 0)) return this.reshape(x, x.shape.slice());
    return this.run('PadV2', { x }, { paddings, constantValue: 0 });
  }

  /** See {@link heapPadPhaseTranspose}. */
  padPhaseTranspose(x: TensorInfo, p: Parameters<typeof heapPadPhaseTranspose>[2]): TensorInfo {
    const out = heapPadPhaseTranspose(this.heapBackend(), x, p);
    this.live.push(out);
    return out;
  }

  /** A new, uninitialised float32 tensor on the wasm heap (tracked like any intermediate). */
  output(shape: number[]): TensorInfo {
    const out = this.heapBackend().makeOutput(shape.slice(), 'float32');
    this.live.push(out);
    return out;
  }

  /** A no-copy view of `size(shape)` elements of `base` from element `offset` (see heap-copy.ts). */
  view(base: TensorInfo, offset: number, shape: number[]): TensorInfo {
    const v = heapView(this.heapBackend(), base, offset, shape);
    this.views.push(v);
    return v;
  }

  /** Releases views made by {@link view} (their memory stays with the base tensor). */
  freeView(...views: TensorInfo[]): void {
    for (const v of views) {
      const i = this.views.indexOf(v);
      if (i >= 0) {
        this.views.splice(i, 1);
        releaseHeapView(this.heapBackend(), v);
      }
    }
  }

  heapBackend(): WasmHeapBackend {
    if (!isWasmHeapBackend(this.backend)) throw new Error('[cxrkit/tfjs-ext] this kernel needs the tfjs wasm backend');
    return this.backend;
  }

  /** Releases intermediates now (they must not be used afterwards). */
  free(...infos: TensorInfo[]): void {
    for (const t of infos) {
      const i = this.live.indexOf(t);
      if (i >= 0) {
        this.live.splice(i, 1);
        this.backend.disposeData(t.dataId);
      }
    }
  }

  /** Releases every tracked intermediate except `out`, and returns `out`. */
  done(out: TensorInfo): TensorInfo {
    this.freeView(...this.views.slice());
    for (const t of this.live) if (t !== out) this.backend.disposeData(t.dataId);
    this.live.length = 0;
    return out;
  }

  /** Releases every tracked intermediate (use in `finally` on error paths). */
  release(): void {
    this.freeView(...this.views.slice());
    for (const t of this.live) this.backend.disposeData(t.dataId);
    this.live.length = 0;
  }
}
