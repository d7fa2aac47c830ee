import { packageBuild } from '../../tsup.base.js';

export default packageBuild({
  // the library and its tfjs-free model-card entry (@cxrkit/models/card)
  entry: { index: 'src/index.ts', card: 'src/card/index.ts' },
  dts: { entry: { index: 'src/index.ts', card: 'src/card/index.ts' } },
});
