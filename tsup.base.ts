// The build every @cxrkit package shares: ESM + CJS + .d.ts from src/index.ts (see STYLE.md).
import { defineConfig, type Options } from 'tsup';

export function packageBuild(overrides: Options = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'es2022',
    ...overrides,
  });
}
