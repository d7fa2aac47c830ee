// Loaded before every test file (see scripts/test.mjs). The only place outside examples/ and bench/
// that picks a concrete backend: CXRKIT_BACKEND (default cpu), injected into @cxrkit/core. It also seeds
// every random draw, so a run is repeatable.
import fc from 'fast-check';
import { createRng, initBackend, backendKindFromEnv } from '@cxrkit/core';

// Math.random, seeded per test file: tfjs draws its initialiser, dropout and shuffle seeds from it when none
// is given (tfjs-core rand_util, util.shuffle), so unseeded weights made some tests fail by chance (a
// dead ReLU head: "outputs are not all zero"). Each test file runs in its own process and starts from this
// seed; tests that must not depend on the order of the tests before them seed their own scope
// (withSeededRandom from @cxrkit/models). CXRKIT_RANDOM_SEED picks another seed.
const random = createRng(Number(process.env.CXRKIT_RANDOM_SEED ?? 20261204));
Math.random = () => random.next();

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
