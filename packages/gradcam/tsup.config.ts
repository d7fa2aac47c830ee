import { packageBuild } from '../../tsup.base.js';

export default packageBuild({
  // the library and its tfjs-free entry (overlays, lung segmentation and the lung-field check)
  entry: { index: 'src/index.ts', 'tfjs-free': 'src/tfjs-free.ts' },
});
