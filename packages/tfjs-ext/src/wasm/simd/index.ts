// Loads cxrkit's WASM SIMD kernels (kernels.wat) onto the tfjs wasm backend's own memory, once per
// backend module, so they read and write tensors in place on its heap. Returns undefined where they
// cannot run (no WebAssembly SIMD, or not a tfjs wasm backend); callers then use their JavaScript path.
import { KERNELS_WASM_PLAIN, KERNELS_WASM_SHARED } from './kernels.wasm.js';

/** The exports of kernels.wat (pointers are byte addresses on the tfjs heap; counts are elements). */
export interface SimdKernels {
  moments(
    x: number,
    rows: number,
    c: number,
    shift: number,
    acc1: number,
    acc2: number,
    tot1: number,
    tot2: number,
  ): void;
  gradMoments(
    dy: number,
    x: number,
    rows: number,
    c: number,
    mean: number,
    acc1: number,
    acc2: number,
    tot1: number,
    tot2: number,
  ): void;
  affine(a: number, out: number, rows: number, c: number, A: number, B: number): void;
  affine2(a: number, b: number, out: number, rows: number, c: number, A: number, B: number, C: number): void;
  avgPoolGrad(
    dy: number,
    dx: number,
    n: number,
    ih: number,
    iw: number,
    ch: number,
    oh: number,
    ow: number,
    sh: number,
    sw: number,
    fh: number,
    fw: number,
    top: number,
    left: number,
    mult: number,
  ): void;
  maxPoolGrad(
    x: number,
    dy: number,
    dx: number,
    n: number,
    ih: number,
    iw: number,
    ch: number,
    oh: number,
    ow: number,
    sh: number,
    sw: number,
    fh: number,
    fw: number,
    top: number,
    left: number,
  ): void;
  adam(
    w: number,
    g: number,
    m: number,
    v: number,
    wOut: number,
    mOut: number,
    vOut: number,
    n: number,
    lr: number,
    b1: number,
    b2: number,
    ob1: number,
    ob2: number,
    eps: number,
    d1: number,
    d2: number,
  ): void;
}

/** The parts of tfjs's Emscripten module used here. */
interface EmscriptenModuleLike {
  wasmMemory?: WebAssembly.Memory;
  asm?: { memory?: WebAssembly.Memory };
  _malloc(bytes: number): number;
  _free(ptr: number): void;
}

const cache = new WeakMap<object, { kernels: SimdKernels; memory: WebAssembly.Memory } | null>();
let enabled = true;

function decode(base64: string): Uint8Array<ArrayBuffer> {
  const B = (globalThis as { Buffer?: { from(s: string, enc: string): Uint8Array } }).Buffer;
  if (B) return new Uint8Array(B.from(base64, 'base64'));
  return Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0));
}

function load(module: EmscriptenModuleLike): { kernels: SimdKernels; memory: WebAssembly.Memory } | null {
  const memory = module.wasmMemory ?? module.asm?.memory;
  if (!(memory instanceof WebAssembly.Memory)) return null;
  const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  const bytes = decode(shared ? KERNELS_WASM_SHARED : KERNELS_WASM_PLAIN);
  if (!WebAssembly.validate(bytes)) return null; // no SIMD in this engine
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
  return { kernels: instance.exports as unknown as SimdKernels, memory };
}

/** The SIMD kernels bound to `backend`'s heap (a tfjs BackendWasm), or undefined. */
export function simdKernels(
  backend: unknown,
): { kernels: SimdKernels; memory: WebAssembly.Memory; module: EmscriptenModuleLike } | undefined {
  if (!enabled) return undefined;
  const module = (backend as { wasm?: EmscriptenModuleLike } | null)?.wasm;
  if (!module || typeof module._malloc !== 'function') return undefined;
  let entry = cache.get(module);
  if (entry === undefined) {
    entry = load(module);
    cache.set(module, entry);
  }
  return entry ? { ...entry, module } : undefined;
}

/** Turns the SIMD kernels off (false) or on again — for tests comparing them with the JavaScript path. */
export function setSimdKernelsEnabled(on: boolean): void {
  enabled = on;
}

/**
 * Runs `fn` with `bytes` of scratch memory on the tfjs heap (16-byte aligned), freed afterwards.
 * Typed-array views of the heap must be (re)made inside `fn`: the allocation may grow the memory.
 */
export function withScratch<T>(module: EmscriptenModuleLike, bytes: number, fn: (ptr: number) => T): T {
  // `>>> 0`: Emscripten's malloc returns a signed i32, negative above 2 GiB (as tfjs does in write()).
  const ptr = module._malloc(bytes + 16) >>> 0;
  if (!ptr) throw new Error(`[cxrkit/tfjs-ext] the wasm heap could not allocate ${bytes} bytes of scratch memory`);
  try {
    return fn(Math.ceil(ptr / 16) * 16);
  } finally {
    module._free(ptr);
  }
}
