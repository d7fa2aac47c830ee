/**
 * @cxrkit/tfjs-ext — everything cxrkit adds to TensorFlow.js 4.22 (see `./base`), registered on import
 * as tfjs's backends register themselves: the AvgPool 'same' gradient fix for every backend, and
 * cxrkit's training kernels for the wasm backend whenever it becomes active. After
 * `import '@cxrkit/tfjs-ext'` (which `@cxrkit/models` does), `model.fit` trains the same function on cpu
 * and wasm, and on wasm without a set-up call.
 */
import { registerGradientFixes } from './gradients/register-gradient-fixes.js';
import { autoRegisterWasmTrainingKernels } from './wasm/register.js';

export * from './base.js';

registerGradientFixes();
autoRegisterWasmTrainingKernels();
