import { packageBuild } from '../../tsup.base.js';

const entry = {
  index: 'src/index.ts',
  card: 'src/card/index.ts', // @cxrkit/models/card: the model card (tfjs-free)
  predictor: 'src/predict/contract.ts', // @cxrkit/models/predictor: the predictor contract (tfjs-free)
  'progress-bar': 'src/progress-bar.ts', // @cxrkit/models/progress-bar: cli-progress for train()'s callbacks
};

export default packageBuild({ entry, dts: { entry } });
