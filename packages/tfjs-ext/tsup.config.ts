import { packageBuild } from '../../tsup.base.js';

// Two entries, as tfjs's backends have them: `index` registers the fixes on import, `base` only exports.
export default packageBuild({ entry: { index: 'src/index.ts', base: 'src/base.ts' } });
