import { packageBuild } from '../../tsup.base.js';

export default packageBuild({
  // the library, its tfjs-free entry, and the `cxrkit` executable (bin: dist/cli/main.js, shebang kept by tsup)
  entry: { index: 'src/index.ts', 'tfjs-free': 'src/tfjs-free.ts', 'cli/main': 'src/cli/main.ts' },
  dts: { entry: { index: 'src/index.ts', 'tfjs-free': 'src/tfjs-free.ts' } },
  // import.meta.url in the CJS build (the WASM codecs resolve their .wasm from node_modules)
  shims: true,
});
