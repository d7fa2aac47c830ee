import { packageBuild } from '../../tsup.base.js';

export default packageBuild({
  // the service, and the decode worker (loaded by path beside the bundle)
  entry: {
    index: 'src/index.ts',
    'decode-worker': 'src/prepare/decode-worker.ts',
  },
  dts: { entry: { index: 'src/index.ts' } },
  // import.meta.url in the CJS build (the decode worker is found beside the bundle)
  shims: true,
});
