import { packageBuild } from '../../tsup.base.js';

export default packageBuild({
  // the library, its tfjs-free model-card entry (@cxrkit/models/card), and the cli-progress renderer of
  // train()'s callbacks (@cxrkit/models/progress-bar, Node/CLI only)
  entry: { index: 'src/index.ts', card: 'src/card/index.ts', 'progress-bar': 'src/progress-bar.ts' },
  dts: { entry: { index: 'src/index.ts', card: 'src/card/index.ts', 'progress-bar': 'src/progress-bar.ts' } },
});
