import { packageBuild } from '../../tsup.base.js';

export default packageBuild({
  // the library (runExperiment, renderReport, the commands) and the program bin/cxrkit-experiments.mjs runs (dist/main.js)
  entry: { index: 'src/index.ts', main: 'src/main.ts' },
  dts: { entry: { index: 'src/index.ts' } },
  shims: true,
});
