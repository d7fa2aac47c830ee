import { packageBuild } from '../../tsup.base.js';

const entry = {
  index: 'src/index.ts',
  runtime: 'src/runtime.ts', // @cxrkit/onnx/runtime: onnxruntime predictor and metadata readers (tfjs-free)
};

export default packageBuild({ entry, dts: { entry } });
