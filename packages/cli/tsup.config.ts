import { packageBuild } from '../../tsup.base.js';

export default packageBuild({
  // the library (createProgram, runCli, the command list) and the program bin/cxrkit.mjs runs (dist/main.js)
  entry: { index: 'src/index.ts', main: 'src/main.ts' },
  dts: { entry: { index: 'src/index.ts' } },
  shims: true,
});
