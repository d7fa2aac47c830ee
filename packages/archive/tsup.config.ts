import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.base.js';

export default defineConfig([
  // the library, and the worker-thread entry it starts beside itself (dist/prepare-worker.js / .cjs)
  packageBuild({
    entry: { index: 'src/index.ts', 'prepare-worker': 'src/pipeline/prepare-worker.ts' },
    dts: { entry: { index: 'src/index.ts' } },
    shims: true, // import.meta.url in the CJS build (where the worker file is)
  }) as import('tsup').Options,
  // the `cxrkit-archive` executable (ESM: it awaits at top level); it imports the library by name
  {
    entry: { 'bin/cxrkit-archive': 'bin/cxrkit-archive.ts' },
    format: ['esm'],
    target: 'es2022',
    sourcemap: true,
    clean: false,
    external: ['@cxrkit/archive'],
  },
]);
