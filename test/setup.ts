// Loaded before every test file (see scripts/test.mjs). The only place outside examples/ and bench/
// that picks a concrete backend: CXRKIT_BACKEND (default cpu), injected into @cxrkit/core. It also seeds
// every random draw, so a run is repeatable.
// Run directly with CXRKIT_BACKEND_PROBE=1 it only checks that the backend starts: exit 0, or exit 2 with
// the reason on stdout when its package or driver is missing (the runner then reports that backend's
// tests as skipped with this reason; see scripts/test.mjs).
import fc from 'fast-check';
import { createRng, initBackend, backendKindFromEnv, isCxrkitError, type InitBackendOptions } from '@cxrkit/core';

// Math.random, seeded per test file: tfjs draws its initialiser, dropout and shuffle seeds from it when none
// is given (tfjs-core rand_util, util.shuffle), so unseeded weights made some tests fail by chance (a
// dead ReLU head: "outputs are not all zero"). Each test file runs in its own process and starts from this
// seed; tests that must not depend on the order of the tests before them seed their own scope
// (withSeededRandom from @cxrkit/models). CXRKIT_RANDOM_SEED picks another seed.
const random = createRng(Number(process.env.CXRKIT_RANDOM_SEED ?? 20261204));
Math.random = () => random.next();

const options: Record<ReturnType<typeof backendKindFromEnv>, Omit<InitBackendOptions, 'kind'>> = {
  cpu: { load: () => import('@tensorflow/tfjs-backend-cpu') },
  wasm: { load: () => import('@tensorflow/tfjs-backend-wasm') },
  node: { load: () => import(/* not installed here */ '@tensorflow/tfjs-node' as string) },
  'node-gpu': { load: () => import(/* not installed here */ '@tensorflow/tfjs-node-gpu' as string) },
  // Dawn's Node binding; needs a Vulkan driver (here Mesa's lavapipe, on the CPU).
  webgpu: { gpu: () => import('webgpu'), load: () => import('@tensorflow/tfjs-backend-webgpu') },
};

const kind = backendKindFromEnv();
if (process.env.CXRKIT_BACKEND_PROBE === '1') {
  try {
    await initBackend({ kind, ...options[kind] });
    process.exit(0);
  } catch (e) {
    if (!isCxrkitError(e, 'BACKEND_NOT_INSTALLED') && !isCxrkitError(e, 'BACKEND_INIT_FAILED')) throw e;
    const { cause } = e as Error;
    const why = cause instanceof Error ? ` (${cause.message.split('\n')[0]})` : '';
    process.stdout.write(`${(e as Error).message}${why}\n`);
    process.exit(2);
  }
}
// The runner found this backend unavailable and reports every test of the run as skipped: start nothing.
if (!process.env.CXRKIT_BACKEND_UNAVAILABLE) await initBackend({ kind, ...options[kind] });

// Property tests draw from one fixed seed, so CI is repeatable; set CXRKIT_FC_SEED to explore others
// (a failure prints its seed and counterexample).
fc.configureGlobal({ seed: Number(process.env.CXRKIT_FC_SEED ?? 20261126) });
