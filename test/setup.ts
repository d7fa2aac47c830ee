// Loaded before every test file (see scripts/test.mjs). The only place outside examples/ and bench/
// that picks a concrete backend: CXRKIT_BACKEND (default cpu), injected into @cxrkit/core.
import fc from 'fast-check';
import { initBackend, backendKindFromEnv } from '@cxrkit/core';

const loaders = {
  cpu: () => import('@tensorflow/tfjs-backend-cpu'),
  wasm: () => import('@tensorflow/tfjs-backend-wasm'),
  node: () => import(/* not installed here */ '@tensorflow/tfjs-node' as string),
  'node-gpu': () => import(/* not installed here */ '@tensorflow/tfjs-node-gpu' as string),
} as const;

const kind = backendKindFromEnv();
await initBackend({ kind, load: loaders[kind] });

// Property tests draw from one fixed seed, so CI is repeatable; set CXRKIT_FC_SEED to explore others
// (a failure prints its seed and counterexample).
fc.configureGlobal({ seed: Number(process.env.CXRKIT_FC_SEED ?? 20261126) });
