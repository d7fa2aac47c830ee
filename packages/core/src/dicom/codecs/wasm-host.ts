// Runs an Emscripten-built codec safely: one instance at a time, recreated after any failure (an
// abort leaves an Emscripten module unusable), stdout/stderr silenced, and `process.exitCode` restored
// (the glue's exit handler sets it when the C code calls exit()).

/** Holds one Emscripten module instance and replaces it after a failure. */
export class WasmHost<M> {
  #module: M | undefined;
  #loading: Promise<M> | undefined;
  /** How many times the instance was discarded after a failure (for tests and diagnostics). */
  resets = 0;

  #compiled: Promise<WebAssembly.Module | undefined> | undefined;

  /**
   * @param factory the Emscripten module factory
   * @param wasmSpecifier package path of the .wasm file: in Node it is compiled once and every
   *   (re-)instantiation reuses it, so replacing a failed instance costs milliseconds, not a compile.
   */
  constructor(
    readonly name: string,
    private readonly factory: (opts: Record<string, unknown>) => Promise<M>,
    private readonly wasmSpecifier?: string,
  ) {}

  async #compile(): Promise<WebAssembly.Module | undefined> {
    if (!this.wasmSpecifier) return undefined;
    this.#compiled ??= compileFromNodeModules(this.wasmSpecifier);
    return this.#compiled;
  }

  /** Instantiates the module if there is no healthy instance. */
  async ready(): Promise<void> {
    if (this.#module) return;
    const compiled = await this.#compile();
    const opts: Record<string, unknown> = { print: () => {}, printErr: () => {} };
    if (compiled) {
      opts.instantiateWasm = (
        imports: WebAssembly.Imports,
        done: (i: WebAssembly.Instance, m: WebAssembly.Module) => void,
      ) => {
        void WebAssembly.instantiate(compiled, imports).then((inst) => done(inst, compiled));
        return {};
      };
    }
    this.#loading ??= this.factory(opts).then(
      (m) => {
        this.#module = m;
        this.#loading = undefined;
        return m;
      },
      (e) => {
        this.#loading = undefined;
        throw e;
      },
    );
    await this.#loading;
  }

  /** True when an instance is loaded and usable synchronously. */
  get isReady(): boolean {
    return this.#module !== undefined;
  }

  /**
   * Calls `fn` with the module and rethrows what it throws. After an abort or a trap
   * (WebAssembly.RuntimeError: out-of-bounds access, unreachable, OOM) the instance is dropped and the
   * next `ready()` makes a fresh one. A C++ exception (a number: the exception pointer) or a JS
   * error leaves the instance usable and is only rethrown.
   */
  run<T>(fn: (m: M) => T): T {
    const m = this.#module;
    if (!m)
      throw new Error(`${this.name} codec is not loaded (it is re-initialised after a failure): read the file again`);
    const proc = (globalThis as { process?: { exitCode?: number | string } }).process;
    const exitCode = proc?.exitCode;
    try {
      return fn(m);
    } catch (e) {
      if (isFatal(e)) {
        this.#module = undefined;
        this.resets++;
      }
      throw e;
    } finally {
      if (proc && proc.exitCode !== exitCode) proc.exitCode = exitCode;
    }
  }
}

function isFatal(e: unknown): boolean {
  if (typeof e === 'number') return false;
  if (e instanceof WebAssembly.RuntimeError) return true;
  const msg = e instanceof Error ? e.message : String(e);
  return /abort|unreachable|out of bounds|out of memory|RuntimeError/i.test(msg);
}

/**
 * Node only: resolves a package's .wasm file and compiles it. Returns undefined elsewhere (browsers,
 * bundlers), where the Emscripten glue locates and compiles the file itself.
 */
async function compileFromNodeModules(specifier: string): Promise<WebAssembly.Module | undefined> {
  try {
    const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
    if (!proc?.versions?.node) return undefined;
    const { createRequire } = await import('node:module');
    const { readFile } = await import('node:fs/promises');
    const path = createRequire(import.meta.url).resolve(specifier);
    return await WebAssembly.compile(await readFile(path));
  } catch {
    return undefined;
  }
}

/** An embind object with `delete()`. */
export interface Deletable {
  delete(): void;
}
