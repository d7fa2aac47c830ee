import { defineConfig } from 'tsup';

export default defineConfig({
  // the library, and the `cxrkit` executable (bin: dist/cli/main.js, shebang kept by tsup)
  entry: { index: 'src/index.ts', 'cli/main': 'src/cli/main.ts' },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts' } },
  sourcemap: true,
  clean: true,
  target: 'es2022',
  // import.meta.url in the CJS build (the WASM codecs resolve their .wasm from node_modules)
  shims: true,
});
