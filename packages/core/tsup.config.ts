import { packageBuild } from '../../tsup.base.js';

export default packageBuild({
  // the library and its tfjs-free entry (the `cxrkit` executable lives in @cxrkit/cli)
  entry: { index: 'src/index.ts', 'tfjs-free': 'src/tfjs-free.ts' },
  dts: { entry: { index: 'src/index.ts', 'tfjs-free': 'src/tfjs-free.ts' } },
  // import.meta.url in the CJS build (the WASM codecs resolve their .wasm from node_modules)
  shims: true,
});
