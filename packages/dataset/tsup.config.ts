import { packageBuild } from '../../tsup.base.js';

export default packageBuild({
  // the library, and the worker that reads DICOMs in parallel (loaded by URL from the built folder)
  entry: { index: 'src/index.ts', 'scan-worker': 'src/scan/scan-worker.ts' },
  dts: { entry: { index: 'src/index.ts' } },
  shims: true,
});
