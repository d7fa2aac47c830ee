import { packageBuild } from '../../tsup.base.js';

// The library, and the cli-progress renderer of train()'s callbacks as its own entry (Node/CLI only).
export default packageBuild({ entry: { index: 'src/index.ts', 'progress-bar': 'src/progress-bar.ts' } });
