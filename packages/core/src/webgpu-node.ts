// WebGPU outside the browser, for `initBackend({ kind: 'webgpu' })`. @tensorflow/tfjs-backend-webgpu
// registers itself on import only when `globalThis.navigator.gpu` exists, and needs the WebGPU constants
// (GPUBufferUsage, GPUMapMode, …) as globals. Node has neither: the caller injects an implementation —
// Dawn's Node binding (npm `webgpu`: `{ create(flags), globals }`) or any object with `requestAdapter` —
// and this file installs it before the backend package is loaded, then checks that an adapter exists.
import { CxrkitError, describeValue } from './errors.js';

/** What `gpu` may resolve to: Dawn's module (`create` + `globals`, also under `default`), or a `GPU`. */
interface DawnModule {
  create: (flags: string[]) => unknown;
  globals?: Record<string, unknown>;
}
interface GpuLike {
  requestAdapter: (options?: { powerPreference?: 'low-power' | 'high-performance' }) => Promise<unknown>;
}

const NO_ADAPTER_FIX =
  'install a Vulkan driver (Linux: an NVIDIA/AMD/Intel driver, or Mesa 25 `mesa-vulkan-drivers` for the CPU ' +
  'driver lavapipe — Debian 12: from bookworm-backports; Mesa 22 lavapipe is refused by Dawn); check with ' +
  "`vulkaninfo --summary`; pick an adapter with gpuFlags: ['adapter=NAME'] or ['backend=vulkan']";

function isGpu(v: unknown): v is GpuLike {
  return typeof (v as GpuLike | null)?.requestAdapter === 'function';
}

function asDawn(v: unknown): DawnModule | undefined {
  const m = v as (DawnModule & { default?: DawnModule }) | null | undefined;
  if (typeof m?.create === 'function') return m;
  if (typeof m?.default?.create === 'function') return m.default;
  return undefined;
}

/** The `navigator.gpu` of this realm, if any. */
export function currentGpu(): GpuLike | undefined {
  const gpu = (globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu;
  return isGpu(gpu) ? gpu : undefined;
}

/**
 * Installs a WebGPU implementation as `globalThis.navigator.gpu` (and Dawn's `globals`: GPUBufferUsage,
 * GPUMapMode, … where not yet defined). `mod` is what the caller's `gpu()` resolved to: Dawn's module
 * (`create(flags)` is called with `flags`) or a `GPU` object. An existing `navigator.gpu` (a browser,
 * Deno, or an earlier call) is kept. Returns the `GPU` in use.
 * @throws CxrkitError `BACKEND_INIT_FAILED` when `mod` is neither.
 */
export function installWebGpu(mod: unknown, flags: readonly string[] = []): GpuLike {
  const existing = currentGpu();
  if (existing) return existing;
  const dawn = asDawn(mod);
  let gpu: unknown;
  if (dawn) {
    for (const [k, v] of Object.entries(dawn.globals ?? {})) {
      if (!(k in globalThis)) Object.defineProperty(globalThis, k, { value: v, configurable: true, writable: true });
    }
    gpu = dawn.create([...flags]);
  } else gpu = mod;
  if (!isGpu(gpu)) {
    throw new CxrkitError(
      'BACKEND_INIT_FAILED',
      "`gpu` resolved to neither Dawn's module ({ create, globals }) nor a GPU object",
      {
        received: describeValue(mod && typeof mod === 'object' ? Object.keys(mod) : mod),
        fix: "pass `gpu: () => import('webgpu')` (npm i webgpu), or a function returning a GPU (has requestAdapter())",
      },
    );
  }
  const nav = (globalThis as { navigator?: object }).navigator;
  if (nav === undefined)
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  else Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true, writable: true });
  return gpu;
}

/**
 * Requests an adapter as tfjs-backend-webgpu will (high-performance) and fails with the fix when there
 * is none (no driver, or one Dawn refuses), instead of tfjs's "Cannot read properties of null".
 * @throws CxrkitError `BACKEND_INIT_FAILED`
 */
export async function assertWebGpuAdapter(gpu: GpuLike | undefined): Promise<void> {
  if (!gpu) {
    throw new CxrkitError('BACKEND_INIT_FAILED', 'no WebGPU here: globalThis.navigator.gpu is undefined', {
      received: typeof (globalThis as { navigator?: unknown }).navigator,
      fix:
        "in Node pass Dawn's binding: initBackend({ kind: 'webgpu', gpu: () => import('webgpu'), " +
        "load: () => import('@tensorflow/tfjs-backend-webgpu') })",
    });
  }
  let adapter: unknown;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (cause) {
    throw new CxrkitError('BACKEND_INIT_FAILED', 'navigator.gpu.requestAdapter() failed', {
      received: 'webgpu',
      fix: NO_ADAPTER_FIX,
      cause,
    });
  }
  if (adapter == null) {
    throw new CxrkitError('BACKEND_INIT_FAILED', 'WebGPU found no adapter (no usable GPU driver)', {
      received: null,
      fix: NO_ADAPTER_FIX,
    });
  }
}
