/**
 * Loads cxrkit's WASM SIMD preprocessing kernels (preprocess.wat) once per JavaScript realm (a worker
 * gets its own) and hands out a bump-allocated heap in the module's own memory. Returns undefined where
 * they cannot run (no WebAssembly or no SIMD, or turned off); callers then take their JavaScript path,
 * which computes the same numbers. The heap keeps the size of the largest image seen (≈ 6 bytes per
 * input pixel: 25 MB after a 1955 × 1841 radiograph); WebAssembly memory never shrinks.
 */
import { CxrkitError } from '../../errors.js';
import { PREPROCESS_WASM } from './preprocess.wasm.js';

/** The exports of preprocess.wat (pointers are byte addresses in `memory`, counts are elements). */
interface Kernels {
  memory: WebAssembly.Memory;
  resampleH(
    src: number,
    srcW: number,
    rows: number,
    dst: number,
    outW: number,
    bounds: number,
    k: number,
    ksize: number,
    scratch: number,
  ): void;
  resampleV(src: number, w: number, dst: number, outH: number, bounds: number, k: number, ksize: number): void;
  histHigh(x: number, n: number, step: number, high: number): void;
  histBoth(x: number, n: number, high: number, slot: number, low: number): void;
  histLow(x: number, n: number, slot: number, low: number): void;
  clipUnit(x: number, n: number, out: number, lo: number, hi: number): void;
  zScore(x: number, n: number, out: number): void;
}

/**
 * The SIMD kernels with a bump allocator over their memory. Allocations live until `reset()`; views
 * (`f32`, `i32`, …) must be made after the last `alloc` of a step, since growing the memory detaches them.
 */
export class SimdHeap {
  readonly kernels: Kernels;
  #top = 0;

  constructor(kernels: Kernels) {
    this.kernels = kernels;
  }

  /** Frees every allocation. */
  reset(): void {
    this.#top = 0;
  }

  /** `bytes` bytes, 16-byte aligned (contents undefined). @returns the byte address. */
  alloc(bytes: number): number {
    const ptr = this.#top;
    const top = ptr + Math.ceil(bytes / 16) * 16;
    const have = this.kernels.memory.buffer.byteLength;
    if (top > have) {
      try {
        this.kernels.memory.grow(Math.ceil((top - have) / 65536));
      } catch (cause) {
        throw new CxrkitError('SIMD_OUT_OF_MEMORY', 'the WASM SIMD preprocessing heap cannot grow that far', {
          received: `${top} bytes`,
          fix: 'process a smaller image, or use the JavaScript path: setPreprocessSimd(false)',
          cause,
        });
      }
    }
    this.#top = top;
    return ptr;
  }

  /** Copies `values` into a new allocation. @returns its byte address. */
  put(values: Float32Array | Float64Array | Int32Array): number {
    const ptr = this.alloc(values.byteLength);
    new (values.constructor as Float32ArrayConstructor)(this.kernels.memory.buffer, ptr, values.length).set(
      values as Float32Array,
    );
    return ptr;
  }

  /** A view of `n` float32 values at `ptr` (valid until the next `alloc`). */
  f32(ptr: number, n: number): Float32Array {
    return new Float32Array(this.kernels.memory.buffer, ptr, n);
  }

  /** A view of `n` int32 values at `ptr` (valid until the next `alloc`). */
  i32(ptr: number, n: number): Int32Array {
    return new Int32Array(this.kernels.memory.buffer, ptr, n);
  }

  /** A view of `n` int8 values at `ptr` (valid until the next `alloc`). */
  i8(ptr: number, n: number): Int8Array {
    return new Int8Array(this.kernels.memory.buffer, ptr, n);
  }
}

let heap: SimdHeap | null | undefined;
let enabled = true;

function decode(base64: string): Uint8Array<ArrayBuffer> {
  const B = (globalThis as { Buffer?: { from(s: string, enc: string): Uint8Array } }).Buffer;
  if (B) return new Uint8Array(B.from(base64, 'base64'));
  return Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0));
}

function load(): SimdHeap | null {
  try {
    if (typeof WebAssembly !== 'object') return null;
    const bytes = decode(PREPROCESS_WASM);
    if (!WebAssembly.validate(bytes)) return null; // no SIMD in this engine
    // The module is 2 kB: compiling it synchronously is allowed even on a browser's main thread.
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
    return new SimdHeap(instance.exports as unknown as Kernels);
  } catch {
    return null;
  }
}

/** The SIMD kernels and their heap (reset), or undefined where they cannot run or are turned off. */
export function preprocessSimd(): SimdHeap | undefined {
  if (!enabled) return undefined;
  if (heap === undefined) heap = load();
  heap?.reset();
  return heap ?? undefined;
}

/**
 * Turns the WASM SIMD preprocessing kernels off (false) or on again (true, the default): for tests and
 * benchmarks comparing them with the JavaScript path. Results are the same either way.
 * @returns whether they were on before.
 */
export function setPreprocessSimd(on: boolean): boolean {
  const was = enabled;
  enabled = on;
  return was;
}
