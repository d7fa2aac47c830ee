import { packageBuild } from '../../tsup.base.js';

// the metrics, and the plots behind their own subpath (@cxrkit/metrics/plots: renderers are optional peers)
export default packageBuild({ entry: { index: 'src/index.ts', plots: 'src/plots.ts' } });
