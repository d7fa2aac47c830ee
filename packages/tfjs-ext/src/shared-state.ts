// Registration state kept on globalThis (as tfjs-core keeps its kernel and gradient registries), so
// that two copies of this package in one process — its ESM and CJS builds, or `.` and `./base` bundled
// separately — agree on what is registered and never wrap a gradient twice.

/** The object stored under `Symbol.for(key)` on globalThis, created by `init` on first use. */
export function sharedState<T extends object>(key: string, init: () => T): T {
  const g = globalThis as unknown as Record<symbol, T | undefined>;
  const sym = Symbol.for(key);
  const existing = g[sym];
  if (existing) return existing;
  const created = init();
  g[sym] = created;
  return created;
}
