// Runs an Emscripten-built codec safely: one instance at a time, recreated after any failure (an
// abort leaves an Emscripten module unusable), stdout/stderr silenced, and `process.exitCode` restored
// (the glue's exit handler sets it when the C code calls exit()).

/** Holds one Emscripten module instance and replaces it after a failure. */
export class WasmHost<M> {
  #module: M | undefined;
  #loading: Promise<M> | undefined;
  /** How many times the instance was discarded after a failure (for tests and diagnostics). */
  resets = 0;

  constructor(
    readonly name: string,
    private readonly factory: (opts: Record<string, unknown>) => Promise<M>,
  ) {}

  /** Instantiates the module if there is no healthy instance. */
  async ready(): Promise<void> {
    if (this.#module) return;
    this.#loading ??= this.factory({ print: () => {}, printErr: () => {} }).then((m) => {
      this.#module = m;
      this.#loading = undefined;
      return m;
    }, (e) => {
      this.#loading = undefined;
      throw e;
    });
    await this.#loading;
  }

  /** True when an instance is loaded and usable synchronously. */
  get isReady(): boolean {
    return this.#module !== undefined;
  }

  /**
   * Calls `fn` with the module. On any exception the instance is dropped (the next `ready()` makes a
   * fresh one) and the exception rethrown.
   */
  run<T>(fn: (m: M) => T): T {
    const m = this.#module;
    if (!m) throw new Error(`${this.name} codec is not loaded (it is re-initialised after a failure): read the file again`);
    const proc = (globalThis as { process?: { exitCode?: number | string } }).process;
    const exitCode = proc?.exitCode;
    try {
      return fn(m);
    } catch (e) {
      this.#module = undefined;
      this.resets++;
      throw e;
    } finally {
      if (proc && proc.exitCode !== exitCode) proc.exitCode = exitCode;
    }
  }
}

/** An embind object with `delete()`. */
export interface Deletable {
  delete(): void;
}
